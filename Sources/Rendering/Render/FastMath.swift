/// Trigonometry for the path tracer's inner loop, inlined: libm's `sinf`, `cosf`, `atan2f` and
/// `acosf` are calls the compiler cannot see into, and together they took 12 % of a composed
/// render (environment sampling and lookup, BRDF sampling). Polynomials fitted by least squares
/// on Chebyshev nodes: sine and cosine within 2·10⁻⁷ for |x| up to 100, arctangent within
/// 6·10⁻⁷ radians — a thousandth of an environment map pixel.
enum FastMath {
    /// The sine and cosine of `x` (radians): reduced to [−π/4, π/4] by quarter turns (π/2 in
    /// three parts of few bits each, Cody and Waite's way, so each product is exact), then a
    /// polynomial each.
    @inline(__always) static func sinCos(_ x: Float) -> (sin: Float, cos: Float) {
        let quarter = (x * (2 / Float.pi)).rounded(.toNearestOrEven)
        let r = ((x - quarter * 1.570_312_5) - quarter * 4.837_512_969_970_703_125e-4) - quarter * 7.549_789_954_891_882e-8
        let r2 = r * r
        let s = r + r * r2 * (-0.166_666_646_6 + r2 * (0.008_332_748_624 + r2 * -0.000_195_879_485_3))
        let c = 1 + r2 * (-0.499_999_999_7 + r2 * (0.041_666_650_68 + r2 * (-0.001_388_759_041 + r2 * 0.000_024_463_911_94)))
        switch Int(quarter) & 3 {
        case 0: return (s, c)
        case 1: return (c, -s)
        case 2: return (-s, -c)
        default: return (-c, s)
        }
    }

    /// The angle of (x, y) from the x axis, in (−π, π], as `atan2f` gives it.
    @inline(__always) static func atan2(_ y: Float, _ x: Float) -> Float {
        let (ax, ay) = (abs(x), abs(y))
        let (small, large) = (min(ax, ay), max(ax, ay))
        guard large > 0 else { return x.sign == .minus ? (y.sign == .minus ? -.pi : .pi) : (y.sign == .minus ? -0.0 : 0) }
        let t = small / large
        let t2 = t * t
        // atan(t) = t · P(t²) on [0, 1].
        let p = 0.084_745_876_21 + t2 * (-0.037_740_463_28 + t2 * 0.008_093_790_54)
        var angle = t * (0.999_999_706_7 + t2 * (-0.333_279_490_2 + t2 * (0.198_947_973_3 + t2 * (-0.135_368_647_2 + t2 * p))))
        if ay > ax { angle = .pi / 2 - angle }
        if x < 0 { angle = .pi - angle }
        return y.sign == .minus ? -angle : angle
    }
}
