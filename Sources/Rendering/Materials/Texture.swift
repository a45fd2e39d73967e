internal import Glibc
public import ImageIO
public import StudioCore

/// An RGBA texture with its mip-map chain, sampled bilinearly at a level of detail chosen from
/// the ray's footprint, so distant textures average instead of sparkling. Texels are kept as
/// 8-bit RGBA (a quarter of float storage); colour textures are decoded from sRGB when sampled.
public struct Texture: Sendable {
    public enum Encoding: Sendable { case sRGB, linear }
    public enum Wrap: Sendable { case repeating, clamped, mirrored }

    struct Level: Sendable {
        let width: Int, height: Int
        let texels: [SIMD4<UInt8>]
    }

    let levels: [Level]
    let encoding: Encoding
    var wrap: Wrap = .repeating
    public var width: Int { levels[0].width }
    public var height: Int { levels[0].height }

    /// Any image: gray, gray + alpha, RGB or RGBA, 8 or 16 bits (16-bit kept to its high byte).
    /// What a texture picture may be: up to 16,384 pixels a side, 64 megapixels.
    public static let decodeLimits = DecodeLimits(maxSide: 16_384, maxPixels: 8192 * 8192)

    public init(_ image: Image, encoding: Encoding, wrap: Wrap = .repeating) {
        let channels = image.layout.channels
        let count = image.width * image.height
        var texels = [SIMD4<UInt8>](repeating: SIMD4(0, 0, 0, 255), count: count)
        func sample(_ i: Int) -> UInt8 {
            switch image.pixels {
            case .eight(let v): v[i]
            case .sixteen(let v): UInt8(v[i] >> 8)
            }
        }
        for p in 0..<count {
            let base = p * channels
            switch image.layout {
            case .gray: let g = sample(base); texels[p] = SIMD4(g, g, g, 255)
            case .grayAlpha: let g = sample(base); texels[p] = SIMD4(g, g, g, sample(base + 1))
            case .rgb: texels[p] = SIMD4(sample(base), sample(base + 1), sample(base + 2), 255)
            case .rgba: texels[p] = SIMD4(sample(base), sample(base + 1), sample(base + 2), sample(base + 3))
            }
        }
        self.init(width: image.width, height: image.height, texels: texels, encoding: encoding, wrap: wrap)
    }

    init(width: Int, height: Int, texels: [SIMD4<UInt8>], encoding: Encoding, wrap: Wrap = .repeating) {
        precondition(width > 0 && height > 0 && texels.count == width * height)
        var levels = [Level(width: width, height: height, texels: texels)]
        // Each level halves the one above (a side of 1 stays 1), averaging 2 × 2 texels; colour
        // is averaged in linear light so dark and bright stripes do not darken.
        while let last = levels.last, last.width > 1 || last.height > 1 {
            let w = max(1, last.width / 2), h = max(1, last.height / 2)
            var next = [SIMD4<UInt8>](repeating: .zero, count: w * h)
            for y in 0..<h {
                for x in 0..<w {
                    var sum = SIMD4<Float>.zero
                    for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                        let sx = min(last.width - 1, x * 2 + dx), sy = min(last.height - 1, y * 2 + dy)
                        sum += Self.decode(last.texels[sy * last.width + sx], encoding)
                    }
                    next[y * w + x] = Self.encode(sum / 4, encoding)
                }
            }
            levels.append(Level(width: w, height: h, texels: next))
        }
        self.levels = levels
        self.encoding = encoding
        self.wrap = wrap
    }

    /// The texture filtered at `uv` (origin top left, 1 = one repeat) for a footprint of
    /// `footprint` texture repeats across (0: the finest level): trilinear, between the two
    /// nearest levels. Colour is linear; alpha in 0…1.
    public func sample(_ uv: SIMD2<Float>, footprint: Float = 0) -> SIMD4<Float> {
        let texels = footprint * Float(max(width, height))
        let lod = texels > 1 ? min(Float(levels.count - 1), log2f(texels)) : 0
        let lower = Int(lod), t = lod - Float(lower)
        let a = bilinear(levels[lower], uv)
        guard t > 0, lower + 1 < levels.count else { return a }
        return a + (bilinear(levels[lower + 1], uv) - a) * t
    }

    private func bilinear(_ level: Level, _ uv: SIMD2<Float>) -> SIMD4<Float> {
        let x = uv.x * Float(level.width) - 0.5, y = uv.y * Float(level.height) - 0.5
        guard x.isFinite, y.isFinite else { return Self.decode(level.texels[0], encoding) }
        let fx = floorf(x), fy = floorf(y)
        let tx = x - fx, ty = y - fy
        let x0 = index(Int(max(-1e9, min(1e9, fx))), level.width), x1 = index(Int(max(-1e9, min(1e9, fx))) + 1, level.width)
        let y0 = index(Int(max(-1e9, min(1e9, fy))), level.height), y1 = index(Int(max(-1e9, min(1e9, fy))) + 1, level.height)
        let w = level.width
        let c00 = Self.decode(level.texels[y0 * w + x0], encoding), c10 = Self.decode(level.texels[y0 * w + x1], encoding)
        let c01 = Self.decode(level.texels[y1 * w + x0], encoding), c11 = Self.decode(level.texels[y1 * w + x1], encoding)
        let top = c00 + (c10 - c00) * tx, bottom = c01 + (c11 - c01) * tx
        return top + (bottom - top) * ty
    }

    private func index(_ i: Int, _ size: Int) -> Int {
        switch wrap {
        case .repeating: return ((i % size) + size) % size
        case .clamped: return max(0, min(size - 1, i))
        case .mirrored:
            let period = 2 * size
            let m = ((i % period) + period) % period
            return m < size ? m : period - 1 - m
        }
    }

    static let sRGBToLinear: [Float] = (0..<256).map { i in
        let c = Float(i) / 255
        return c <= 0.04045 ? c / 12.92 : powf((c + 0.055) / 1.055, 2.4)
    }

    @inline(__always) static func decode(_ t: SIMD4<UInt8>, _ encoding: Encoding) -> SIMD4<Float> {
        switch encoding {
        case .linear: return SIMD4<Float>(t) / 255
        case .sRGB: return SIMD4(sRGBToLinear[Int(t.x)], sRGBToLinear[Int(t.y)], sRGBToLinear[Int(t.z)], Float(t.w) / 255)
        }
    }

    static func encode(_ c: SIMD4<Float>, _ encoding: Encoding) -> SIMD4<UInt8> {
        func byte(_ v: Float) -> UInt8 { UInt8(max(0, min(255, v * 255 + 0.5))) }
        switch encoding {
        case .linear: return SIMD4(byte(c.x), byte(c.y), byte(c.z), byte(c.w))
        case .sRGB: return SIMD4(byte(SRGB.encode(c.x)), byte(SRGB.encode(c.y)), byte(SRGB.encode(c.z)), byte(c.w))
        }
    }
}
