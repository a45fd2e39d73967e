internal import Glibc
internal import StudioCore

/// What the camera does with the light that reaches it, drawn per image: exposure, white
/// balance, the lens's fall-off toward the corners (vignetting), noise by sensor gain (ISO) less
/// what the camera's noise reduction removes, and the JPEG quality the image is written at. The default reproduces the renderers as they were
/// (no change in exposure or colour, no vignetting, the renderer's own mild noise, PNG).
///
/// The order is a camera's: light × exposure × fall-off reaches the photosites, which add shot
/// and read noise; the white-balance gains scale the noisy channels; tone mapping and the sRGB
/// curve come after (in the renderer), then JPEG.
public struct Sensor: Sendable, Hashable {
    /// Exposure compensation in stops: linear light × 2^exposure.
    public var exposure: Float = 0
    /// The colour temperature the camera balances white for, in kelvin; 6500 leaves the
    /// renderer's daylight white alone. Balancing for a warmer light than the scene has (3200
    /// under daylight) turns the image blue; for a colder one (9000), orange.
    public var whiteBalance: Float = 6500
    /// 0…1: how much of the natural cos⁴ fall-off toward the image's corners the lens shows.
    public var vignetting: Float = 0
    /// The sensor's gain as ISO (50…102,400), which sets its noise: shot noise of a
    /// 20,000-electron full well at ISO 100 and 3 electrons of read noise, both amplified by
    /// ISO / 100. Nil: the renderer's own mild noise.
    public var iso: Float? = nil
    /// The share of the sensor's noise the camera's own processing removes before the image is
    /// written (0…1): a camera's JPEG is denoised, a raw frame is not. 0.6 by default.
    public var noiseReduction: Float = 0.6
    /// The JPEG quality (1…100) the image is written at; nil writes PNG.
    public var jpegQuality: Int? = nil

    public init() {}

    public static let isoRange: ClosedRange<Float> = 50...102_400
    public static let whiteBalanceRange: ClosedRange<Float> = 2000...12000
    static let fullWell: Float = 20000
    static let readNoise: Float = 3

    /// Whether a pixel needs its own noise stream (the ISO model) rather than the renderer's.
    var modelsNoise: Bool { iso != nil }

    /// The per-image constants of `develop`, computed once.
    struct Development: Sendable {
        let gain: Float
        let balance: SIMD3<Float>
        let vignetting: Float
        /// ISO / 100 over the full well: a linear value's electrons are value / this.
        let noiseScale: Float?
        let readNoise: Float
        /// The share of the noise left after the camera's noise reduction.
        let residual: Float

        /// Linear light `color` as the photosites report it, white-balanced: exposure, fall-off
        /// by `cosine` (the pixel's angle off the lens axis), shot and read noise drawn from
        /// `random` (used only with an ISO), white balance.
        @inline(__always) func develop(_ color: SIMD3<Float>, cosine: Float, random: inout RandomStream) -> SIMD3<Float> {
            var c = color * gain
            if vignetting > 0 {
                let c2 = cosine * cosine
                c *= 1 - vignetting + vignetting * c2 * c2
            }
            if let noiseScale {
                // Poisson shot noise (variance = electrons) plus Gaussian read noise, in value
                // units: σ² = v · scale + (read · scale)². The normal approximation is exact
                // enough past ten electrons, and below them the picture is black anyway.
                let read2 = readNoise * noiseScale * readNoise * noiseScale
                for channel in 0..<3 {
                    let v = max(0, c[channel])
                    let sigma = (v * noiseScale + read2).squareRoot() * residual
                    c[channel] = v + sigma * Float(random.nextNormal())
                }
            }
            return c * balance
        }
    }

    var development: Development {
        let scale = iso.map { $0 / 100 / Self.fullWell }
        return Development(
            gain: exp2f(exposure), balance: Self.balance(kelvin: whiteBalance), vignetting: max(0, min(1, vignetting)),
            noiseScale: scale, readNoise: Self.readNoise, residual: 1 - max(0, min(1, noiseReduction)))
    }

    /// The gains a camera applies when it balances for light of `kelvin`: the renderer's white
    /// (6500 K's chromaticity) over that light's, normalised to keep luminance. Exactly 1 at
    /// 6500 K.
    static func balance(kelvin: Float) -> SIMD3<Float> {
        let reference = whitePoint(kelvin: 6500)
        let white = whitePoint(kelvin: max(whiteBalanceRange.lowerBound, min(whiteBalanceRange.upperBound, kelvin)))
        guard kelvin != 6500 else { return SIMD3(repeating: 1) }
        var gains = reference / white
        let luminance = (gains * SIMD3(0.2126, 0.7152, 0.0722)).sum()
        gains /= luminance
        return gains
    }

    /// Linear sRGB of the Planckian radiator at `kelvin` with luminance 1: Kim et al.'s cubic
    /// fit of the locus in CIE 1931 xy (1667–25,000 K), then XYZ → linear sRGB.
    static func whitePoint(kelvin t: Float) -> SIMD3<Float> {
        let t1 = 1000 / t, t2 = t1 * t1, t3 = t2 * t1
        let x: Float =
            t <= 4000
            ? -0.266_123_9 * t3 - 0.234_358_9 * t2 + 0.877_695_6 * t1 + 0.179_910
            : -3.025_846_9 * t3 + 2.107_037_9 * t2 + 0.222_634_7 * t1 + 0.240_390
        let x2 = x * x, x3 = x2 * x
        let y: Float =
            t <= 2222
            ? -1.106_381_4 * x3 - 1.348_110_20 * x2 + 2.185_558_32 * x - 0.202_196_83
            : (t <= 4000
                ? -0.954_947_6 * x3 - 1.374_185_93 * x2 + 2.091_370_15 * x - 0.167_488_67
                : 3.081_758_0 * x3 - 5.873_386_70 * x2 + 3.751_129_97 * x - 0.370_014_83)
        let xyz = SIMD3<Float>(x / y, 1, (1 - x - y) / y)
        let r = 3.240_454_2 * xyz.x - 1.537_138_5 * xyz.y - 0.498_531_4 * xyz.z
        let g = -0.969_266_0 * xyz.x + 1.876_010_8 * xyz.y + 0.041_556_0 * xyz.z
        let b = 0.055_643_4 * xyz.x - 0.204_025_9 * xyz.y + 1.057_225_2 * xyz.z
        return SIMD3(max(1e-4, r), max(1e-4, g), max(1e-4, b))
    }

    /// The sensor's settings as image attributes (only those that differ from the default).
    public var attributes: [String: String] {
        var out: [String: String] = [:]
        if exposure != 0 { out["exposure_ev"] = Lens.decimal(exposure, 2) }
        if whiteBalance != 6500 { out["white_balance_k"] = String(Int(whiteBalance.rounded())) }
        if vignetting > 0 { out["vignetting"] = Lens.decimal(vignetting, 2) }
        if let iso {
            out["iso"] = String(Int(iso.rounded()))
            if noiseReduction != 0.6 { out["noise_reduction"] = Lens.decimal(noiseReduction, 2) }
        }
        if let jpegQuality { out["jpeg_quality"] = String(jpegQuality) }
        return out
    }
}
