internal import Glibc

/// The optics between the scene and the sensor: radial distortion, a thin lens's depth of field,
/// and the shutter (with the camera's and the objects' motion while it is open). The default is a
/// pinhole with an instantaneous shutter: what the renderers drew before lenses existed.
///
/// Labels stay exact under every effect: each pixel's first sample (the one that labels it) goes
/// through the lens centre at mid-shutter, and distortion bends camera rays and projected boxes
/// by the same formula, so masks, boxes and pixels agree.
public struct Lens: Sendable, Hashable {
    /// Brown–Conrady radial coefficients on normalized image coordinates (pixels from the image
    /// centre over the focal length in pixels): the pinhole's point at radius r appears at
    /// r · (1 + k1 r² + k2 r⁴). Negative k1 bows straight lines outward (barrel: wide-angle
    /// lenses, dashcams); positive, inward (pincushion).
    public var k1: Float = 0
    public var k2: Float = 0
    /// The aperture as an f-number (focal length over aperture diameter); 0 is a pinhole,
    /// everything sharp.
    public var fNumber: Float = 0
    /// Metres from the camera to the plane in focus.
    public var focusDistance: Float = 10
    /// The sensor's height in millimetres, which with the field of view gives the focal length
    /// and so the aperture's size at an f-number: 24 is full frame, a dashcam's is ~3.5.
    public var sensorHeight: Float = 24
    /// Seconds the shutter stays open (0: an instant, no motion blur).
    public var shutter: Float = 0
    /// How fast the camera moves ahead (along its horizontal forward) while the shutter is
    /// open, metres per second: a car's dashcam.
    public var speed: Float = 0

    public init() {}

    /// The largest distortion coefficients a recipe may give (beyond them a lens folds the
    /// image over itself well inside a normal field of view).
    public static let distortionLimit: ClosedRange<Float> = -0.6...0.6

    /// Whether any effect is on (false: a pinhole, instantaneous).
    var isPinhole: Bool { !isDistorting && !hasAperture && !isMoving }
    var isDistorting: Bool { k1 != 0 || k2 != 0 }
    var hasAperture: Bool { fNumber > 0 }
    /// Whether the camera moves while the shutter is open (objects may still move on their own).
    var isMoving: Bool { shutter > 0 && speed != 0 }

    /// Radius r · (1 + k1 r² + k2 r⁴) of a pinhole radius `r`.
    @inline(__always) func distorted(radius r: Float) -> Float {
        let r2 = r * r
        return r * (1 + r2 * (k1 + k2 * r2))
    }

    /// The pinhole radius beyond which the distortion would fold back (its derivative 1 + 3 k1 r²
    /// + 5 k2 r⁴ reaches zero); infinity when it never does.
    var foldRadius: Float {
        // Roots of 5 k2 s² + 3 k1 s + 1 = 0 in s = r², the smallest positive one.
        let (a, b, c) = (5 * k2, 3 * k1, Float(1))
        var roots: [Float] = []
        if abs(a) < 1e-12 {
            if b < 0 { roots.append(-c / b) }
        } else {
            let disc = b * b - 4 * a * c
            if disc >= 0 {
                let q = disc.squareRoot()
                roots += [(-b - q) / (2 * a), (-b + q) / (2 * a)]
            }
        }
        guard let s = roots.filter({ $0 > 0 }).min() else { return .infinity }
        return s.squareRoot()
    }

    /// The pinhole radius that distorts to `rd` (Newton's method from rd, kept below the fold);
    /// the fold's own radius when no radius reaches `rd` (the image's corners past a strong
    /// barrel lens's circle repeat its edge).
    func undistorted(radius rd: Float, fold: Float) -> Float {
        var r = min(rd, fold)
        for _ in 0..<8 {
            let r2 = r * r
            let f = r * (1 + r2 * (k1 + k2 * r2)) - rd
            let slope = 1 + r2 * (3 * k1 + 5 * k2 * r2)
            guard slope > 1e-4 else { break }
            let next = max(0, min(fold, r - f / slope))
            if abs(next - r) < 1e-7 { return next }
            r = next
        }
        return r
    }

    /// A point on the unit disc from a point of the unit square (Shirley's concentric map: even
    /// density, neighbouring squares to neighbouring discs).
    static func disc(_ u: SIMD2<Float>) -> SIMD2<Float> {
        let a = u * 2 - 1
        guard a.x != 0 || a.y != 0 else { return .zero }
        let (r, theta): (Float, Float) =
            abs(a.x) > abs(a.y) ? (a.x, Float.pi / 4 * (a.y / a.x)) : (a.y, Float.pi / 2 - Float.pi / 4 * (a.x / a.y))
        return SIMD2(r * cosf(theta), r * sinf(theta))
    }

    /// When, within the shutter (0…1), sample `s` of the pixel numbered `pixel` sees the scene:
    /// ½ for the first sample (the labelling one), the rest spread evenly across the interval
    /// from an offset hashed from the pixel, so neighbouring pixels do not band.
    @inline(__always) static func time(sample s: Int, of count: Int, pixel: Int) -> Float {
        guard s > 0 else { return 0.5 }
        var h = UInt32(truncatingIfNeeded: pixel) &* 0x9E37_79B1
        h ^= h >> 15
        h = h &* 0x85EB_CA77
        h ^= h >> 13
        let offset = Float(h >> 8) / Float(1 << 24)
        let t = 0.5 + (Float(s) + offset) / Float(count)
        return t - t.rounded(.down)
    }

    /// The lens's settings as image attributes (only those that differ from a pinhole's).
    public var attributes: [String: String] {
        var out: [String: String] = [:]
        if isDistorting {
            out["distortion_k1"] = Self.decimal(k1, 3)
            if k2 != 0 { out["distortion_k2"] = Self.decimal(k2, 3) }
        }
        if hasAperture {
            out["f_number"] = Self.decimal(fNumber, 1)
            out["focus_m"] = Self.decimal(focusDistance, 1)
        }
        if shutter > 0 {
            out["shutter_s"] = Self.decimal(shutter, 4)
            if speed != 0 { out["camera_speed_ms"] = Self.decimal(speed, 1) }
        }
        return out
    }

    static func decimal(_ v: Float, _ places: Int) -> String {
        let scale = Float(pow(10, Double(places)))
        return String(Double((v * scale).rounded()) / Double(scale))
    }
}
