import Glibc
import StudioCore
import Testing

@testable import Rendering

@Suite("Clothing fabrics")
struct FabricTests {
    @Test("A square wave box-filtered over the footprint: the exact share of bands, their duty from afar")
    func squareWave() {
        let (period, duty): (Float, Float) = (0.04, 0.3)
        // Up close: on a band or off it.
        #expect(abs(Fabric.squareWave(0.005, period: period, duty: duty, footprint: 1e-6) - 1) < 1e-4)
        #expect(abs(Fabric.squareWave(0.02, period: period, duty: duty, footprint: 1e-6)) < 1e-4)
        // Against a numerical box filter at footprints around the period.
        for footprint: Float in [0.003, 0.013, 0.04, 0.11] {
            for x: Float in [-0.031, 0, 0.0117, 0.5] {
                var covered = 0
                let steps = 20000
                for k in 0..<steps {
                    let t = x - footprint / 2 + footprint * (Float(k) + 0.5) / Float(steps)
                    let phase = t / period - floorf(t / period)
                    if phase < duty { covered += 1 }
                }
                let exact = Float(covered) / Float(steps)
                let filtered = Fabric.squareWave(x, period: period, duty: duty, footprint: footprint)
                #expect(abs(filtered - exact) < 2e-3, "x \(x), footprint \(footprint): \(filtered) against \(exact)")
            }
        }
        #expect(abs(Fabric.squareWave(0.3, period: period, duty: duty, footprint: 10) - duty) < 1e-6)
    }

    @Test("Band-limited: a fabric's detail fades as the footprint grows, and its mean stays", arguments: Pattern.fabrics)
    func filtering(fabric: Pattern) {
        // A 1 × 1 m front of a body facing -z (toward a camera at the origin).
        func samples(_ f: Float) -> [Float] {
            var random = RandomStream(seed: 5)
            let variant = 0x1234 | Fabric.facing(SIMD3(0, 0, -1))
            return (0..<4000).map { _ in
                let q = random.nextSquare()
                return fabric.albedo(
                    SIMD3(0.5, 0.3, 0.2), at: SIMD3(q.x, q.y + 0.5, 3), normal: SIMD3(0, 0, -1), footprint: f, variant: variant
                ).x
            }
        }
        let (nearMean, nearSpread) = StreetMaterialsTests.meanAndSpread(samples(0.0005))
        let (farMean, farSpread) = StreetMaterialsTests.meanAndSpread(samples(0.6))
        #expect(nearSpread > 0.01, "\(fabric) up close varies: \(nearSpread)")
        #expect(farSpread < nearSpread * 0.5, "\(fabric): far \(farSpread) against near \(nearSpread)")
        #expect(abs(farMean - nearMean) < 0.06 * nearMean, "\(fabric): mean \(nearMean) near, \(farMean) far")
    }

    @Test("Fabrics turn with their wearer: the same point of a shirt looks the same whichever way its wearer faces")
    func turnsWithTheWearer() {
        let base = SIMD3<Float>(0.6, 0.1, 0.1)
        // A point on the chest and one on the side, in the wearer's frame (facing +z).
        let points: [(SIMD3<Float>, SIMD3<Float>)] = [
            (SIMD3(0.07, 1.31, 0.12), SIMD3(0.2, 0.1, 0.97)), (SIMD3(0.17, 1.22, 0.01), SIMD3(0.98, 0, 0.15)),
            (SIMD3(-0.05, 1.05, -0.11), SIMD3(-0.1, 0, -0.99)),
        ]
        for fabric in [Pattern.check, .stripes, .dots, .knit, .denim] {
            for (p, n) in points {
                var seen: [SIMD3<Float>] = []
                // Turns of whole steps of the facing's 256, so the frame turns exactly.
                for step in [0, 32, 64, 101, 200] {
                    let angle = Float(step) * 2 * .pi / 256
                    let (c, s) = (cosf(angle), sinf(angle))
                    func turn(_ v: SIMD3<Float>) -> SIMD3<Float> { SIMD3(c * v.x + s * v.z, v.y, -s * v.x + c * v.z) }
                    let variant = 0xABCD | Fabric.facing(turn(SIMD3(0, 0, 1)))
                    seen.append(fabric.albedo(base, at: turn(p), normal: turn(n), footprint: 0.001, variant: variant))
                }
                let spread = seen.map { ($0 - seen[0]) * ($0 - seen[0]) }.map { $0.sum() }.max() ?? 0
                #expect(spread < 1e-4, "\(fabric) at \(p): \(seen)")
            }
        }
        // Stripes ring the body: around it at one height they do not change, up it they do.
        // Folds shade every channel alike, so the colour's chromaticity shows the bands alone.
        let seed = (1...64).map(UInt32.init).first { seed in
            let second = Fabric.secondColor(base, seed)
            return second.x < second.y * 2
        }!
        let variant = seed | Fabric.facing(SIMD3(1, 0, 0))
        func chroma(_ c: SIMD3<Float>) -> SIMD3<Float> { c / max(1e-6, c.sum()) }
        let ring = (0..<16).map { k in
            let a = Float(k) * 2 * .pi / 16
            let n = SIMD3<Float>(cosf(a), 0, sinf(a))
            return chroma(Pattern.stripes.albedo(base, at: n * 0.15 + SIMD3(0, 1.2, 0), normal: n, footprint: 0.0005, variant: variant))
        }
        let up = (0..<16).map { k in
            let n = SIMD3<Float>(0, 0, 1)
            return chroma(
                Pattern.stripes.albedo(base, at: SIMD3(0, 1.1 + Float(k) * 0.007, 0.15), normal: n, footprint: 0.0005, variant: variant))
        }
        func levels(_ values: [SIMD3<Float>]) -> Float { (values.map(\.x).max() ?? 0) - (values.map(\.x).min() ?? 0) }
        #expect(levels(up) > 0.1 && levels(ring) < 0.01, "stripes change up the body (\(levels(up))), not around it (\(levels(ring)))")
    }

    @Test("People wear fabrics in street shares: most blue trousers are jeans, sweaters knitted, some stripes, checks and prints")
    func shares() {
        var random = RandomStream(seed: 11)
        var tops: [Pattern: Int] = [:], jeans = 0, blue = 0, sweaters = 0, knitted = 0
        for _ in 0..<3000 {
            let human = Human.random(&random, rain: false, snow: false)
            tops[human.topFabric, default: 0] += 1
            let c = human.bottomColor
            if human.bottom == .trousers && c.z > c.x * 1.8 && c.z > 0.06 {
                blue += 1
                if human.bottomFabric == .denim { jeans += 1 }
            }
            if human.top == .sweater {
                sweaters += 1
                if human.topFabric == .knit { knitted += 1 }
            }
            // The materials carry the fabrics, the skin stays plain.
            if case .diffuse = human.materials[Int(Human.Part.skin.rawValue)] {} else { Issue.record("skin is not plain") }
            guard case .textured(_, let top, _) = human.materials[Int(Human.Part.top.rawValue)] else {
                Issue.record("the top has no fabric")
                continue
            }
            #expect(top == human.topFabric)
        }
        #expect(Set(tops.keys) == Set(Pattern.fabrics), "\(tops)")
        #expect(Double(jeans) / Double(blue) > 0.7, "\(jeans) jeans of \(blue) blue trousers")
        #expect(Double(knitted) / Double(sweaters) > 0.55, "\(knitted) knitted of \(sweaters) sweaters")
        #expect(Double(tops[.cloth] ?? 0) / 3000 > 0.4, "plain cloth is the most common: \(tops)")
    }
}
