import StudioCore
import Testing

@testable import Rendering

@Suite("Street materials: procedural patterns and cars")
struct StreetMaterialsTests {
    /// Albedos of `pattern` over a 4 × 4 m patch of ground (or wall) at footprint `f`.
    static func samples(_ pattern: Pattern, footprint f: Float, wall: Bool = false) -> [Float] {
        var random = RandomStream(seed: 3)
        let base = SIMD3<Float>(repeating: 0.5)
        return (0..<4000).map { _ in
            let q = random.nextSquare() * 4
            let p = wall ? SIMD3(q.x, q.y + 1, 0) : SIMD3(q.x, 0, q.y)
            let n: SIMD3<Float> = wall ? SIMD3(0, 0, -1) : SIMD3(0, 1, 0)
            return pattern.albedo(base, at: p, normal: n, footprint: f, variant: 17).x
        }
    }

    static func meanAndSpread(_ v: [Float]) -> (Float, Float) {
        let mean = v.reduce(0, +) / Float(v.count)
        return (mean, (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(v.count)).squareRoot())
    }

    @Test(
        "Band-limited: fine detail fades to its average as the footprint grows, and the average stays",
        arguments: [(Pattern.asphalt, false), (.paving, false), (.brick, true), (.concrete, true), (.plaster, true), (.paint, false)])
    func filtering(pattern: Pattern, wall: Bool) {
        let (nearMean, nearSpread) = Self.meanAndSpread(Self.samples(pattern, footprint: 0.001, wall: wall))
        let (farMean, farSpread) = Self.meanAndSpread(Self.samples(pattern, footprint: 0.5, wall: wall))
        #expect(nearSpread > 0.01, "a pattern up close varies: \(nearSpread)")
        #expect(farSpread < nearSpread * 0.8, "\(pattern) far \(farSpread) against near \(nearSpread)")
        #expect(abs(farMean - nearMean) < 0.06 * nearMean, "\(pattern): mean \(nearMean) near, \(farMean) far")
        // Deterministic, and a variant moves it.
        let p = SIMD3<Float>(1.3, 0, 2.7), n = SIMD3<Float>(0, 1, 0), base = SIMD3<Float>(repeating: 0.5)
        #expect(
            pattern.albedo(base, at: p, normal: n, footprint: 0.001, variant: 1)
                == pattern.albedo(base, at: p, normal: n, footprint: 0.001, variant: 1))
    }

    @Test("Brick: mortar joints between bricks of 24 × 7.5 cm, each brick its own shade")
    func brick() {
        let base = SIMD3<Float>(0.5, 0.2, 0.1), n = SIMD3<Float>(0, 0, -1)
        // The middle of a brick and the middle of a bed joint, up close.
        let brick = Pattern.brick.albedo(base, at: SIMD3(0.12, 0.0375, 0), normal: n, footprint: 0.0005, variant: 2)
        let joint = Pattern.brick.albedo(base, at: SIMD3(0.12, 0.075, 0), normal: n, footprint: 0.0005, variant: 2)
        #expect(brick.x > brick.z * 2, "a brick is red: \(brick)")
        #expect(abs(joint.x - joint.z) < 0.1, "mortar is grey: \(joint)")
        let shades = (0..<12).map { k in
            Pattern.brick.albedo(base, at: SIMD3(0.12 + Float(k) * 0.24, 0.0375, 0), normal: n, footprint: 0.0005, variant: 2).x
        }
        #expect(Set(shades.map { Int($0 * 100) }).count > 6)
    }

    @Test("Cars: bodies of their kind's size with glass above the waist, four wheels, lamps and plates", arguments: Car.Kind.allCases)
    func car(kind: Car.Kind) {
        let size: (Float, Float) =
            switch kind {
            case .hatchback: (4.0, 1.45)
            case .sedan: (4.5, 1.45)
            case .suv: (4.4, 1.68)
            case .van: (4.8, 1.68)
            }
        let car = Car(length: size.0, width: 1.8, height: size.1)
        #expect(car.kind == kind)
        let mesh = car.mesh
        let bounds = mesh.bounds
        #expect(abs((bounds.max.z - bounds.min.z) - size.0) < 0.1)
        #expect(abs((bounds.max.x - bounds.min.x) - 1.8) < 0.05)
        #expect(abs(bounds.max.y - car.height) < 0.02 && bounds.min.y > -0.01)
        var byPart: [UInt8: [Float]] = [:]
        for (t, part) in zip(mesh.triangles, mesh.parts) {
            let centre = (mesh.vertices[Int(t.x)] + mesh.vertices[Int(t.y)] + mesh.vertices[Int(t.z)]) / 3
            byPart[part, default: []].append(centre.y)
        }
        let glass = byPart[Car.Part.glass.rawValue] ?? []
        #expect(!glass.isEmpty && glass.allSatisfy { $0 > car.waist * car.height })
        #expect((byPart[Car.Part.tyre.rawValue] ?? []).count >= 4 * 20)
        for part in [Car.Part.paint, .rim, .headlamp, .taillamp, .trim] { #expect(byPart[part.rawValue] != nil, "\(part)") }
        // Every ring of the loft has as many points, so the body is closed.
        for station in car.profile {
            #expect(car.ring(top: station.top, bottom: station.bottom).count == car.ring(top: 1, bottom: 0.1).count)
        }
    }

    @Test("Street cars are labelled cars with their kind")
    func streetCars() {
        let renderer = StreetRenderer(width: 160, height: 120, samplesPerPixel: 1)
        var kinds: Set<String> = []
        for seed in 0..<6 {
            let out = renderer.render(SceneParameters(pedestrians: 12, cars: 7, glassFacades: 1), stream: RandomStream(seed: UInt64(seed)))
            for object in out.objects.values where object.label == "car" {
                if let kind = object.attributes["vehicle"] { kinds.insert(kind) }
            }
        }
        #expect(kinds.count >= 3, "\(kinds)")
    }
}
