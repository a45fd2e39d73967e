import Foundation
import StudioCore
import Testing

@testable import Rendering

@Suite("Lighting: gathered points, sun strata, fog, sRGB")
struct LightingTests {
    /// A scene's context, as the renderer builds it.
    static func context(_ p: SceneParameters) -> StreetRenderer.Context {
        var placement = RandomStream(seed: 5).derived(1)
        let scene = StreetScene(p, random: &placement)
        let light = Lighting(p)
        return StreetRenderer.Context(
            scene: scene, embree: EmbreeScene(meshes: scene.objects.map(\.mesh)), light: light, camera: Camera(p, width: 64, height: 48),
            instanceOf: [Int](repeating: 0, count: scene.objects.count), firstReflection: 1, recording: false)
    }

    /// Points on the road, the sidewalks and the facades, with their normals, in a count that
    /// leaves the last block of eight partly filled.
    static func points(_ count: Int) -> LitPoints {
        var random = RandomStream(seed: 17)
        return LitPoints(capacity: count) { points in
            for i in 0..<count {
                let u = random.nextSquare()
                let point: SIMD3<Float>, normal: SIMD3<Float>
                switch i % 3 {
                case 0: (point, normal) = (SIMD3((u.x - 0.5) * 14, 0.01, u.y * 60), SIMD3(0, 1, 0))
                case 1: (point, normal) = (SIMD3(-7.5, u.x * 6, u.y * 60), SIMD3(1, 0, 0))
                default: (point, normal) = (SIMD3(7.5, u.x * 6, u.y * 60), SIMD3(-1, 0, 0))
                }
                points.write(point, normal: normal, albedo: SIMD3(0.5, 0.4, 0.3) * (1 + Float(i % 5)), sample: i, pixel: i % 7)
            }
        }
    }

    @Test("lamps are chosen eight points at a time exactly as the per-point formula chooses them", arguments: [1, 8, 13, 501])
    func lampsAsPerPoint(count: Int) {
        let ctx = Self.context(SceneParameters(timeOfDay: .night, pedestrians: 2, cars: 6))
        #expect(ctx.scene.lights.count > 4)
        let points = Self.points(count)
        var randoms = [RandomStream](repeating: RandomStream(seed: 1), count: 7)
        let (sun, lamps) = randoms.withUnsafeMutableBufferPointer { StreetRenderer.light(points, row: 3, samplesPerPixel: 1, ctx, $0) }
        #expect(sun.count == 0, "no sun at night")
        // The reference: each point against each lamp, in plain arithmetic.
        var expected: [(sample: Int, direction: SIMD3<Float>, far: Float, contribution: SIMD3<Float>)] = []
        for (k, lamp) in ctx.scene.lights.enumerated() {
            for i in 0..<points.count {
                let p = points[i]
                let toLamp = lamp.position - p.position
                let d = (toLamp * toLamp).sum().squareRoot()
                let cosine = (p.normal * toLamp).sum() / d
                guard d * d < ctx.lampReach[k], cosine > 0 else { continue }
                let contribution = lamp.color * cosine / (d * d + 1)
                guard contribution.max() > ctx.visibleLight else { continue }
                expected.append((Int(p.sample), toLamp / d, d - 0.3, p.albedo * contribution))
            }
        }
        #expect(lamps.count == expected.count)
        guard lamps.count == expected.count else { return }
        for (j, e) in expected.enumerated() {
            let ray = lamps.payload(j)
            #expect(Int(ray.sample) == e.sample)
            #expect(lamps.origin(j) == points[e.sample].origin)
            #expect(largest(lamps.direction(j) - e.direction) < 1e-5)
            #expect(largest(ray.contribution - e.contribution) <= 1e-5 * e.contribution.max())
        }
        #expect(count < 100 || expected.count > count / 4, "lamps light a good share of the street")
    }

    @Test("sun rays leave within the sun's cone, from the points that face it, in proportion to the cosine")
    func sun() {
        let p = SceneParameters(timeOfDay: .day, weather: .cloudy)
        let ctx = Self.context(p)
        let points = Self.points(300)
        var randoms = (0..<7).map { RandomStream(seed: 3).derived(UInt64($0)) }
        let (sun, lamps) = randoms.withUnsafeMutableBufferPointer { StreetRenderer.light(points, row: 3, samplesPerPixel: 1, ctx, $0) }
        #expect(lamps.count == 0, "lamps are off by day")
        #expect(sun.count > 100)
        let light = ctx.light
        // The cone's half-width: half the square's diagonal, for a unit distance.
        let widest = cosf(atanf(light.sunSpread * Float(0.5).squareRoot()))
        var directions = Set<SIMD3<Float>>()
        for j in 0..<sun.count {
            let direction = sun.direction(j)
            directions.insert(direction)
            #expect(abs((direction * direction).sum() - 1) < 1e-5)
            #expect((direction * light.sunDirection).sum() >= widest - 1e-5)
            let point = points[Int(sun.payload(j).sample)]
            let cosine = (point.normal * direction).sum()
            #expect(cosine > 0)
            #expect(largest(sun.payload(j).contribution - point.albedo * light.sunIntensity * cosine) < 1e-5)
        }
        #expect(directions.count > 100, "directions spread over the cone")
    }
}

extension LightingTests {
    @Test("a pixel's samples take the sun's cone stratum by stratum", arguments: [4, 16, 64])
    func sunStrata(samplesPerPixel spp: Int) {
        let ctx = Self.context(SceneParameters(timeOfDay: .day, weather: .rain))
        let light = ctx.light
        let side = Lighting.sunStrata(samplesPerPixel: spp)
        #expect(side * side == spp)
        // Twelve pixels of one row, every sample a point facing the sun.
        let points = LitPoints(capacity: 12 * spp) { points in
            for pixel in 0..<12 {
                for s in 0..<spp {
                    points.write(
                        SIMD3(Float(pixel), 0, 10), normal: light.sunDirection, albedo: SIMD3(repeating: 1), sample: pixel * spp + s,
                        pixel: pixel)
                }
            }
        }
        var randoms = (0..<12).map { RandomStream(seed: 8).derived(UInt64($0)) }
        let sun = randoms.withUnsafeMutableBufferPointer { StreetRenderer.light(points, row: 5, samplesPerPixel: spp, ctx, $0) }.sun
        #expect(sun.count == 12 * spp)
        var firstStrata = Set<Int>()
        for pixel in 0..<12 {
            var strata = Set<Int>()
            for s in 0..<spp {
                // Back from the direction to the square across the sun, then to its stratum.
                let d = sun.direction(pixel * spp + s)
                let along = (d * light.sunDirection).sum()
                let square = SIMD2((d * light.sunTangents.0).sum(), (d * light.sunTangents.1).sum()) / along / light.sunSpread + 0.5
                let cell = SIMD2<Int>(Int((square.x * Float(side)).rounded(.down)), Int((square.y * Float(side)).rounded(.down)))
                strata.insert(cell.y * side + cell.x)
                if s == 0 { firstStrata.insert(cell.y * side + cell.x) }
            }
            #expect(strata.count == spp, "every stratum once")
        }
        #expect(firstStrata.count > 1, "the order varies from pixel to pixel")
    }

    @Test("a batch written in place holds what was written, in order, up to its capacity")
    func batchWrittenInPlace() {
        let batch = StreetRenderer.Shadows(capacity: 5) { rays in
            for k in 0..<3 {
                rays.write(
                    SIMD3(Float(k), 0, 0), SIMD3(0, 1, 0), far: Float(k + 1), .init(sample: k, contribution: SIMD3(repeating: Float(k))))
            }
        }
        #expect(batch.count == 3)
        #expect((0..<3).map { Int(batch.payload($0).sample) } == [0, 1, 2])
        #expect((0..<3).map { batch.origin($0).x } == [0, 1, 2])
        // A capacity of 0 still runs the writing closure (the renderer shades a last wave in it).
        var ran = false
        #expect(StreetRenderer.Shadows(capacity: 0) { _ in ran = true }.count == 0)
        #expect(ran)
    }

    @Test("strata per side for a sample count")
    func strataPerSide() {
        #expect(
            [1, 2, 3, 4, 8, 9, 16, 63, 64, 256, 1000].map { Lighting.sunStrata(samplesPerPixel: $0) } == [
                1, 1, 1, 2, 2, 2, 4, 4, 8, 16, 16,
            ])
    }
}

extension LightingTests {
    @Test("fog's transmittance matches the exponential within 1e-5 of itself, at every distance and density")
    func transmittance() {
        for weather in SceneParameters.Weather.allCases {
            let light = Lighting(SceneParameters(weather: weather))
            for step in 0...20_000 {
                let distance = Float(step) * 0.05
                let exact = expf(-light.fogDensity * distance)
                #expect(abs(light.transmittance(distance) - exact) <= 1e-5 * exact + 1e-30, "\(weather) at \(distance) m")
            }
            #expect(light.transmittance(1e9) >= 0 && light.transmittance(1e9) < 1e-30)
        }
    }

    @Test("the sRGB table gives the curve's levels")
    func srgbTable() {
        var off = 0
        for step in 0...1_000_000 {
            let linear = Float(step) / 1_000_000
            let exact = SRGB.encode(linear) * 255
            let mapped = linear * Float(SRGB.steps)
            let i = Int(mapped), t = mapped - Float(i)
            let table = (SRGB.curve[i] + (SRGB.curve[i + 1] - SRGB.curve[i]) * t) * 255
            #expect(abs(table - exact) < 0.005)
            if UInt8(table + 0.5) != UInt8(exact + 0.5) { off += 1 }
        }
        #expect(off < 100, "at most one value in 10,000 on the neighbouring level")
    }
}

/// The largest absolute component.
private func largest(_ v: SIMD3<Float>) -> Float { max(abs(v.x), abs(v.y), abs(v.z)) }
