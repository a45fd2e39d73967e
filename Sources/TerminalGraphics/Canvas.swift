public import StudioCore

/// An image ready for a terminal encoder: sRGB samples 0…255 as Float, straight alpha 0…1, rows top
/// to bottom. Encoders dither and compare in this space, so every conversion from `Image` happens once.
public struct Canvas: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` samples, R G B per pixel.
    public var rgb: [Float]
    /// `width * height` alphas.
    public var alpha: [Float]

    public init(width: Int, height: Int, rgb: [Float], alpha: [Float]) {
        precondition(rgb.count == width * height * 3 && alpha.count == width * height, "canvas size mismatch")
        self.width = width
        self.height = height
        self.rgb = rgb
        self.alpha = alpha
    }

    /// A canvas filled with one opaque colour.
    public init(width: Int, height: Int, fill: (Float, Float, Float) = (0, 0, 0)) {
        self.width = width
        self.height = height
        rgb = [Float](repeating: 0, count: width * height * 3)
        for p in 0..<(width * height) {
            rgb[p * 3] = fill.0
            rgb[p * 3 + 1] = fill.1
            rgb[p * 3 + 2] = fill.2
        }
        alpha = [Float](repeating: 1, count: width * height)
    }

    /// Converts any `Image` (gray or colour, with or without alpha, 8 or 16 bits).
    public init(_ image: Image) {
        let count = image.width * image.height
        let channels = image.layout.channels
        var rgb = [Float](repeating: 0, count: count * 3)
        var alpha = [Float](repeating: 1, count: count)
        func fill(_ sample: (Int) -> Float) {
            for p in 0..<count {
                let base = p * channels
                if image.layout.isColor {
                    rgb[p * 3] = sample(base)
                    rgb[p * 3 + 1] = sample(base + 1)
                    rgb[p * 3 + 2] = sample(base + 2)
                } else {
                    let g = sample(base)
                    rgb[p * 3] = g
                    rgb[p * 3 + 1] = g
                    rgb[p * 3 + 2] = g
                }
                if image.layout.hasAlpha { alpha[p] = sample(base + channels - 1) / 255 }
            }
        }
        switch image.pixels {
        case .eight(let s) where image.layout == .rgb:
            // The common case (decoded JPEG), without per-sample closures.
            s.withUnsafeBufferPointer { s in
                rgb.withUnsafeMutableBufferPointer { rgb in
                    for i in 0..<(count * 3) { rgb[i] = Float(s[i]) }
                }
            }
        case .eight(let s): fill { Float(s[$0]) }
        case .sixteen(let s): fill { Float(s[$0]) * (255.0 / 65535.0) }
        }
        self.init(width: image.width, height: image.height, rgb: rgb, alpha: alpha)
    }

    /// Whether every pixel is fully opaque.
    public var isOpaque: Bool { alpha.allSatisfy { $0 >= 1 } }

    /// Whether every pixel is gray (R = G = B within `tolerance`), so encoders can spend their
    /// palette on tones instead of hues.
    public func isGray(tolerance: Float = 3) -> Bool {
        for p in 0..<(width * height) {
            let r = rgb[p * 3], g = rgb[p * 3 + 1], b = rgb[p * 3 + 2]
            if abs(r - g) > tolerance || abs(g - b) > tolerance || abs(r - b) > tolerance { return false }
        }
        return true
    }

    /// The canvas composited over an opaque background colour (alpha becomes 1).
    public func flattened(over background: (Float, Float, Float)) -> Canvas {
        var out = self
        for p in 0..<(width * height) where alpha[p] < 1 {
            let a = alpha[p]
            out.rgb[p * 3] = rgb[p * 3] * a + background.0 * (1 - a)
            out.rgb[p * 3 + 1] = rgb[p * 3 + 1] * a + background.1 * (1 - a)
            out.rgb[p * 3 + 2] = rgb[p * 3 + 2] * a + background.2 * (1 - a)
            out.alpha[p] = 1
        }
        return out
    }

    /// 8-bit RGB, rounded and clamped (for tests, benchmarks and PNG output).
    public func rgb8() -> [UInt8] { rgb.map { UInt8(max(0, min(255, $0.rounded()))) } }
}
