/// A raster image in memory: interleaved samples, rows top to bottom, no padding between rows.
///
/// Sample `c` of pixel `(x, y)` sits at index `(y * width + x) * channels + c`, with origin top-left.
/// Eight-bit images keep their samples in `PixelBuffer.eight`, sixteen-bit ones (masks, depth,
/// 16-bit PNGs) in `PixelBuffer.sixteen`, native-endian in memory.
public struct Image: Sendable, Hashable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Which channels each pixel carries.
    public let layout: PixelLayout
    /// The samples, `width * height * layout.channels` of them.
    public private(set) var pixels: PixelBuffer

    /// Wraps samples already laid out as this type documents.
    /// - Precondition: the buffer holds exactly `width * height * layout.channels` samples.
    public init(width: Int, height: Int, layout: PixelLayout, pixels: PixelBuffer) {
        precondition(width >= 0 && height >= 0, "negative image size")
        precondition(pixels.count == width * height * layout.channels, "sample count does not match the size")
        self.width = width
        self.height = height
        self.layout = layout
        self.pixels = pixels
    }

    /// A black (zero) image.
    public init(width: Int, height: Int, layout: PixelLayout, depth: BitDepth = .eight) {
        let count = width * height * layout.channels
        switch depth {
        case .eight: self.init(width: width, height: height, layout: layout, pixels: .eight([UInt8](repeating: 0, count: count)))
        case .sixteen: self.init(width: width, height: height, layout: layout, pixels: .sixteen([UInt16](repeating: 0, count: count)))
        }
    }

    /// Bits per sample.
    public var depth: BitDepth { pixels.depth }

    /// Samples per row.
    public var rowStride: Int { width * layout.channels }

    /// Sample `channel` of pixel `(x, y)` scaled to 0...1.
    public func value(x: Int, y: Int, channel: Int) -> Float {
        let index = (y * width + x) * layout.channels + channel
        switch pixels {
        case .eight(let samples): return Float(samples[index]) / 255
        case .sixteen(let samples): return Float(samples[index]) / 65535
        }
    }

    /// The image as 8-bit RGB (gray is replicated, alpha composited over `background`).
    ///
    /// Sixteen-bit samples are rounded to the nearest 8-bit value.
    public func rgb8(background: (UInt8, UInt8, UInt8) = (0, 0, 0)) -> [UInt8] {
        let channels = layout.channels
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let count = width * height
        let bg = [Int(background.0), Int(background.1), Int(background.2)]
        func sample8(_ i: Int) -> Int {
            switch pixels {
            case .eight(let s): return Int(s[i])
            case .sixteen(let s): return (Int(s[i]) * 255 + 32767) / 65535
            }
        }
        for p in 0..<count {
            let base = p * channels
            var rgb: (Int, Int, Int)
            switch layout {
            case .gray, .grayAlpha:
                let g = sample8(base)
                rgb = (g, g, g)
            case .rgb, .rgba:
                rgb = (sample8(base), sample8(base + 1), sample8(base + 2))
            }
            if layout.hasAlpha {
                let a = sample8(base + channels - 1)
                rgb.0 = (rgb.0 * a + bg[0] * (255 - a) + 127) / 255
                rgb.1 = (rgb.1 * a + bg[1] * (255 - a) + 127) / 255
                rgb.2 = (rgb.2 * a + bg[2] * (255 - a) + 127) / 255
            }
            out[p * 3] = UInt8(rgb.0)
            out[p * 3 + 1] = UInt8(rgb.1)
            out[p * 3 + 2] = UInt8(rgb.2)
        }
        return out
    }
}

/// Which channels a pixel carries, in memory order.
public enum PixelLayout: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case gray = 1
    case grayAlpha = 2
    case rgb = 3
    case rgba = 4

    /// Samples per pixel.
    public var channels: Int { rawValue }
    /// Whether the last channel is alpha (straight, not premultiplied).
    public var hasAlpha: Bool { self == .grayAlpha || self == .rgba }
    /// Whether the pixel has three colour channels.
    public var isColor: Bool { self == .rgb || self == .rgba }

    public var description: String {
        switch self {
        case .gray: "gray"
        case .grayAlpha: "gray+alpha"
        case .rgb: "RGB"
        case .rgba: "RGBA"
        }
    }
}

/// Bits per sample.
public enum BitDepth: Int, Sendable, Hashable {
    case eight = 8
    case sixteen = 16
}

/// The samples of an image, at one bit depth.
public enum PixelBuffer: Sendable, Hashable {
    case eight([UInt8])
    case sixteen([UInt16])

    /// Number of samples.
    public var count: Int {
        switch self {
        case .eight(let s): s.count
        case .sixteen(let s): s.count
        }
    }

    /// Bits per sample.
    public var depth: BitDepth {
        switch self {
        case .eight: .eight
        case .sixteen: .sixteen
        }
    }
}

extension Image {
    /// The pixels of `box` (rounded outward, clipped to the image); at least 1×1.
    public func cropped(to box: BoundingBox) -> Image {
        // Clamped while still floating point: a box of 1e300 must not trap the conversion.
        func clamp(_ v: Double, _ upper: Int) -> Int { v.isNaN ? 0 : Int(min(max(v, 0), Double(upper))) }
        let x0 = min(width - 1, clamp(box.x.rounded(.down), width))
        let y0 = min(height - 1, clamp(box.y.rounded(.down), height))
        let x1 = max(x0 + 1, clamp(box.maxX.rounded(.up), width))
        let y1 = max(y0 + 1, clamp(box.maxY.rounded(.up), height))
        let c = layout.channels
        let rowLength = (x1 - x0) * c
        func rows<T>(_ s: [T]) -> [T] {
            var out: [T] = []
            out.reserveCapacity(rowLength * (y1 - y0))
            for y in y0..<y1 {
                let start = (y * width + x0) * c
                out.append(contentsOf: s[start..<(start + rowLength)])
            }
            return out
        }
        let cut: PixelBuffer
        switch pixels {
        case .eight(let s): cut = .eight(rows(s))
        case .sixteen(let s): cut = .sixteen(rows(s))
        }
        return Image(width: x1 - x0, height: y1 - y0, layout: layout, pixels: cut)
    }
}
