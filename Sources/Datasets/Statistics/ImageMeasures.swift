public import StudioCore

#if canImport(Glibc)
    internal import Glibc
#endif

/// What one image looks like to a dataset check, measured once: exposure, contrast, sharpness,
/// noise, colour, and hashes to find copies. Sharpness and noise are measured on the image
/// averaged down to `workingSide` on its longer side, so images of one dataset compare whatever
/// their size.
public struct ImageMeasures: Sendable, Hashable {
    public static let workingSide = 256

    public var width: Int
    public var height: Int
    /// Mean luma, 0…1.
    public var brightness: Double
    /// Standard deviation of luma, 0…0.5.
    public var contrast: Double
    /// Variance of the 4-neighbour Laplacian of luma (0…255 scale): low means blurred.
    public var sharpness: Double
    /// Standard deviation of the noise, 0…255 scale (Immerkær's fast estimate).
    public var noise: Double
    /// Hasler and Süsstrunk's colourfulness (0 for grey, ~100 for vivid images), 0…255 scale.
    public var colourfulness: Double
    /// A colour image whose channels agree everywhere (within 2 of 255): grey stored as RGB.
    public var isGrayscaleInColor: Bool
    /// DCT perceptual hash (32 × 32 luma, the 8 × 8 lowest frequencies against their median).
    public var perceptualHash: UInt64
    /// Hash of the decoded pixels and size: equal for byte-identical images in any encoding.
    public var pixelHash: UInt64

    /// Measures as stored (the catalog keeps them per file).
    public init(
        width: Int, height: Int, brightness: Double, contrast: Double, sharpness: Double, noise: Double, colourfulness: Double,
        isGrayscaleInColor: Bool, perceptualHash: UInt64, pixelHash: UInt64
    ) {
        self.width = width
        self.height = height
        self.brightness = brightness
        self.contrast = contrast
        self.sharpness = sharpness
        self.noise = noise
        self.colourfulness = colourfulness
        self.isGrayscaleInColor = isGrayscaleInColor
        self.perceptualHash = perceptualHash
        self.pixelHash = pixelHash
    }

    public init(_ image: Image) {
        width = image.width
        height = image.height
        let rgb = image.rgb8()
        let count = image.width * image.height
        var exact = StableHash()
        exact.combine("\(image.width)x\(image.height)")
        exact.combine(rgb)
        pixelHash = exact.value

        var grayInColor = image.layout.isColor
        var sumRG = 0.0
        var sumYB = 0.0
        var sumRG2 = 0.0
        var sumYB2 = 0.0
        var luma = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let (r, g, b) = (Double(rgb[3 * i]), Double(rgb[3 * i + 1]), Double(rgb[3 * i + 2]))
            if grayInColor, abs(r - g) > 2 || abs(g - b) > 2 { grayInColor = false }
            let rg = r - g
            let yb = 0.5 * (r + g) - b
            sumRG += rg
            sumYB += yb
            sumRG2 += rg * rg
            sumYB2 += yb * yb
            luma[i] = Float(0.299 * r + 0.587 * g + 0.114 * b)
        }
        let n = Double(max(1, count))
        let (meanRG, meanYB) = (sumRG / n, sumYB / n)
        let spread = (max(0, sumRG2 / n - meanRG * meanRG) + max(0, sumYB2 / n - meanYB * meanYB)).squareRoot()
        colourfulness = spread + 0.3 * (meanRG * meanRG + meanYB * meanYB).squareRoot()
        isGrayscaleInColor = grayInColor

        var sum = 0.0
        var sum2 = 0.0
        for v in luma {
            sum += Double(v)
            sum2 += Double(v) * Double(v)
        }
        brightness = sum / n / 255
        contrast = max(0, sum2 / n - (sum / n) * (sum / n)).squareRoot() / 255

        let scale = min(1, Double(Self.workingSide) / Double(max(image.width, image.height, 1)))
        let (w, h) = (max(1, Int((Double(image.width) * scale).rounded())), max(1, Int((Double(image.height) * scale).rounded())))
        let small = Self.averaged(luma, width: image.width, height: image.height, toWidth: w, toHeight: h)
        (sharpness, noise) = Self.sharpnessAndNoise(small, width: w, height: h)
        perceptualHash = Self.dctHash(Self.averaged(luma, width: image.width, height: image.height, toWidth: 32, toHeight: 32))
    }

    /// Box-filter resize (each output the mean of the source pixels it covers; nearest when growing).
    static func averaged(_ plane: [Float], width: Int, height: Int, toWidth: Int, toHeight: Int) -> [Float] {
        var out = [Float](repeating: 0, count: toWidth * toHeight)
        for y in 0..<toHeight {
            let y0 = y * height / toHeight
            let y1 = max(y0 + 1, (y + 1) * height / toHeight)
            for x in 0..<toWidth {
                let x0 = x * width / toWidth
                let x1 = max(x0 + 1, (x + 1) * width / toWidth)
                var s: Float = 0
                for sy in y0..<y1 { for sx in x0..<x1 { s += plane[sy * width + sx] } }
                out[y * toWidth + x] = s / Float((y1 - y0) * (x1 - x0))
            }
        }
        return out
    }

    /// Variance of the Laplacian, and Immerkær's noise σ = √(π/2) / (6 (W−2)(H−2)) · Σ |I ∗ N|
    /// with N = [1 −2 1; −2 4 −2; 1 −2 1] (the difference of two Laplacians cancels structure).
    static func sharpnessAndNoise(_ p: [Float], width w: Int, height h: Int) -> (Double, Double) {
        guard w >= 3, h >= 3 else { return (0, 0) }
        var sum = 0.0
        var sum2 = 0.0
        var absolute = 0.0
        for y in 1..<(h - 1) {
            for x in 1..<(w - 1) {
                let c = p[y * w + x]
                let (l, r, u, d) = (p[y * w + x - 1], p[y * w + x + 1], p[(y - 1) * w + x], p[(y + 1) * w + x])
                let laplacian = Double(l + r + u + d - 4 * c)
                sum += laplacian
                sum2 += laplacian * laplacian
                let corners = p[(y - 1) * w + x - 1] + p[(y - 1) * w + x + 1] + p[(y + 1) * w + x - 1] + p[(y + 1) * w + x + 1]
                absolute += Double(abs(corners - 2 * (l + r + u + d) + 4 * c))
            }
        }
        let n = Double((w - 2) * (h - 2))
        let variance = max(0, sum2 / n - (sum / n) * (sum / n))
        return (variance, absolute * (Double.pi / 2).squareRoot() / (6 * n))
    }

    /// pHash of a 32 × 32 plane: 2-D DCT-II, the top-left 8 × 8 coefficients, one bit per
    /// coefficient above their median (row-major, most significant bit first).
    static func dctHash(_ plane: [Float]) -> UInt64 {
        let n = 32
        var basis = [Double](repeating: 0, count: 8 * n)
        for k in 0..<8 { for i in 0..<n { basis[k * n + i] = cos(Double.pi * Double(k) * (2 * Double(i) + 1) / Double(2 * n)) } }
        // Rows first (32 rows × 8 frequencies), then columns.
        var rows = [Double](repeating: 0, count: n * 8)
        for y in 0..<n {
            for k in 0..<8 {
                var s = 0.0
                for x in 0..<n { s += Double(plane[y * n + x]) * basis[k * n + x] }
                rows[y * 8 + k] = s
            }
        }
        var coefficients = [Double](repeating: 0, count: 64)
        for v in 0..<8 {
            for u in 0..<8 {
                var s = 0.0
                for y in 0..<n { s += rows[y * 8 + u] * basis[v * n + y] }
                coefficients[v * 8 + u] = s
            }
        }
        let sorted = coefficients.sorted()
        let median = (sorted[31] + sorted[32]) / 2
        var hash: UInt64 = 0
        for c in coefficients { hash = hash << 1 | (c > median ? 1 : 0) }
        return hash
    }
}
