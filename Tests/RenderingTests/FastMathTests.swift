import Foundation
import Testing

@testable import Rendering

@Suite("Inlined trigonometry")
struct FastMathTests {
    @Test("Sine and cosine agree with libm's within 3·10⁻⁷ from −100 to 100 radians, and at the quarter turns")
    func sineCosine() {
        var worst: Float = 0
        for i in 0...200_000 {
            let x = Float(i) / 1000 - 100
            let (s, c) = FastMath.sinCos(x)
            worst = max(worst, abs(s - sinf(x)), abs(c - cosf(x)))
        }
        #expect(worst < 3e-7, "worst \(worst)")
        for quarter in -8...8 {
            let x = Float(quarter) * .pi / 2
            let (s, c) = FastMath.sinCos(x)
            #expect(abs(s - sinf(x)) < 3e-7 && abs(c - cosf(x)) < 3e-7, "\(quarter) quarter turns")
        }
    }

    @Test("The arctangent of (x, y) agrees with atan2f's within 10⁻⁶ radians in every quadrant, on the axes and at the origin")
    func arctangent() {
        var worst: Float = 0
        for i in 0..<20_000 {
            let angle = Float(i) / 20_000 * 2 * .pi - .pi
            for radius: Float in [1e-3, 1, 250] {
                let (y, x) = (radius * sinf(angle), radius * cosf(angle))
                worst = max(worst, abs(FastMath.atan2(y, x) - atan2f(y, x)))
            }
        }
        #expect(worst < 1e-6, "worst \(worst)")
        for (y, x): (Float, Float) in [(0, 1), (1, 0), (0, -1), (-1, 0), (0, 0), (-0.0, -1), (1, 1), (-1, -1), (3, -3)] {
            #expect(abs(FastMath.atan2(y, x) - atan2f(y, x)) < 1e-6, "(\(x), \(y))")
        }
    }
}
