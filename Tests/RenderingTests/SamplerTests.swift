import StudioCore
import Testing

@testable import Rendering

@Suite("Low-discrepancy sampling")
struct SamplerTests {
    /// The points of one pixel's choice `pair`, samples 0..<count.
    static func points(_ sampling: Sampling, pixel: UInt64, pair: UInt32, count: Int) -> [SIMD2<Float>] {
        let stream = RandomStream(seed: pixel)
        return (0..<count).map { index in
            var sampler = Sampler(sampling, pixel: stream, index: index)
            return sampler.square(pair)
        }
    }

    /// The RMS difference from `reference` of the images `render` makes with seeds 1 and 2.
    static func error(of render: (UInt64) -> [Float], against reference: [Float]) -> Float {
        var total: Float = 0
        for seed: UInt64 in [1, 2] {
            let picture = render(seed)
            total += zip(picture, reference).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Float(picture.count)
        }
        return (total / 2).squareRoot()
    }

    /// Whether every elementary interval of area 1/count holds exactly one point.
    static func isNet(_ points: [SIMD2<Float>]) -> Bool {
        let count = points.count
        var columns = 1
        while columns <= count {
            let rows = count / columns
            var filled = Set<Int>()
            for p in points { filled.insert(Int(p.y * Float(rows)) * columns + Int(p.x * Float(columns))) }
            if filled.count != count { return false }
            columns *= 2
        }
        return true
    }

    @Test("Sobol points fill every elementary interval once, for each pixel and choice, at every power of two")
    func stratified() {
        for pixel: UInt64 in [0, 1, 77, 123_456] {
            for pair in [Sampler.Dimension.pixel, Sampler.Dimension.light(bounce: 0), Sampler.Dimension.choice(bounce: 2)] {
                let points = Self.points(.sobol, pixel: pixel, pair: pair, count: 64)
                for count in [4, 16, 64] { #expect(Self.isNet(Array(points.prefix(count))), "pixel \(pixel) pair \(pair): \(count)") }
                #expect(points.allSatisfy { $0.x >= 0 && $0.x < 1 && $0.y >= 0 && $0.y < 1 })
            }
        }
        // Independent points are not nets (the test can tell them apart).
        #expect(!Self.isNet(Self.points(.independent, pixel: 1, pair: 0, count: 16)))
    }

    @Test("Pixels and choices are scrambled apart: no two share their points, and a choice's order does not follow another's")
    func decorrelated() {
        let a = Self.points(.sobol, pixel: 5, pair: 2, count: 16), b = Self.points(.sobol, pixel: 5, pair: 3, count: 16)
        let c = Self.points(.sobol, pixel: 6, pair: 2, count: 16)
        #expect(a != b && a != c)
        // Correlation of the two choices' first coordinates over many pixels, at one sample
        // index: near zero.
        var sum: Float = 0, sumA: Float = 0, sumB: Float = 0, sumAA: Float = 0, sumBB: Float = 0
        let n = 2000
        for pixel in 0..<n {
            let x = Self.points(.sobol, pixel: UInt64(pixel), pair: 2, count: 3)[2].x
            let y = Self.points(.sobol, pixel: UInt64(pixel), pair: 3, count: 3)[2].x
            (sum, sumA, sumB, sumAA, sumBB) = (sum + x * y, sumA + x, sumB + y, sumAA + x * x, sumBB + y * y)
        }
        let m = Float(n)
        let correlation =
            (sum / m - sumA / m * sumB / m) / ((sumAA / m - sumA * sumA / (m * m)) * (sumBB / m - sumB * sumB / (m * m))).squareRoot()
        #expect(abs(correlation) < 0.08, "correlation \(correlation)")
    }

    @Test("A pixel's scrambles worked out once give every sample the same points as working them out per sample")
    func cachedScrambles() {
        let scrambles = UnsafeMutablePointer<SIMD3<UInt32>>.allocate(capacity: Sampler.scrambleCount)
        defer { scrambles.deallocate() }
        for pixel: UInt64 in [0, 9, 4_242] {
            let stream = RandomStream(seed: pixel)
            let seed = Sampler.seed(of: stream)
            Sampler.scrambles(scrambles, pixelSeed: seed)
            // Past the cached choices (glass passes), the sampler works them out itself.
            for pair in Array(0..<UInt32(Sampler.scrambleCount + 2)) + [Sampler.Dimension.glass(pass: 3)] {
                for index in [0, 1, 5, 15] {
                    var cached = Sampler(.sobol, pixel: stream, seed: seed, index: index, scrambles: scrambles)
                    var plain = Sampler(.sobol, pixel: stream, index: index)
                    #expect(cached.square(pair) == plain.square(pair), "pixel \(pixel) pair \(pair) sample \(index)")
                }
            }
        }
    }

    @Test("Sobol's second dimension: its first points are 0, ½, ¾, ¼")
    func sobolSecond() {
        let first = (0..<4).map { Float(Sampler.sobolSecond(UInt32($0))) / 4_294_967_296 }
        #expect(first == [0, 0.5, 0.75, 0.25])
        #expect(UInt32(1).bitReversed == 1 << 31 && UInt32(0x1234_5678).bitReversed.bitReversed == 0x1234_5678)
        #expect(UInt32(0x0000_0003).bitReversed == 0xC000_0000 && UInt32(0x0001_0000).bitReversed == 0x0000_8000)
        // The table-driven reversed form agrees with the direction numbers, over all 32 bits.
        var random = RandomStream(seed: 4)
        for _ in 0..<1000 {
            let index = UInt32(truncatingIfNeeded: random.next())
            #expect(Sampler.sobolSecondReversed(index) == Sampler.sobolSecond(index).bitReversed)
        }
    }

    @Test("At equal samples, the composed renderer's Sobol image is closer to the converged one than independent sampling's")
    func lessNoise() {
        // A floor under a uniform sky with a slab hovering over it: soft shadow (the light and
        // bounce choices) and the slab's edges (the pixel choice).
        var white = SurfaceMaterial()
        white.baseColor = SIMD4(0.8, 0.8, 0.8, 1)
        white.roughness = 1
        func slab(_ half: Float, _ y: Float, down: Bool) -> AssetMesh {
            AssetMesh(
                positions: [SIMD3(-half, y, -half), SIMD3(half, y, -half), SIMD3(half, y, half), SIMD3(-half, y, half)],
                normals: Array(repeating: SIMD3(0, down ? -1 : 1, 0), count: 4), uvs: [], tangents: [],
                triangles: down ? [SIMD3(0, 1, 2), SIMD3(0, 2, 3)] : [SIMD3(0, 2, 1), SIMD3(0, 3, 2)], material: 0)
        }
        let scene = ComposedScene(
            assets: [
                Asset(file: "floor", meshes: [slab(50, 0, down: false)], materials: [white]),
                Asset(file: "slab", meshes: [slab(0.8, 0.7, down: true), slab(0.8, 0.71, down: false)], materials: [white]),
            ],
            placements: [Placement(asset: 0, position: .zero, label: nil), Placement(asset: 1, position: SIMD3(0, 0, 4), label: "slab")],
            environment: EnvironmentMap(constant: SIMD3(repeating: 0.6)), camera: (SIMD3(0, 2.2, 0), SIMD3(0, 0.3, 4), 45))
        func image(_ sampling: Sampling, spp: Int, seed: UInt64) -> [Float] {
            var renderer = AssetRenderer(width: 40, height: 30, samplesPerPixel: spp)
            renderer.sampling = sampling
            return renderer.render(scene, stream: RandomStream(seed: seed)).rgb.map(Float.init)
        }
        let reference = image(.sobol, spp: 256, seed: 99)
        let (independent, sobol) = (
            Self.error(of: { image(.independent, spp: 16, seed: $0) }, against: reference),
            Self.error(of: { image(.sobol, spp: 16, seed: $0) }, against: reference)
        )
        #expect(sobol < independent * 0.9, "RMS error at 16 spp: Sobol \(sobol), independent \(independent) levels")
    }

    @Test("The street too: at equal samples its Sobol image is closer to the converged one, a wet road's film included")
    func streetLessNoise() {
        var parameters = SceneParameters(timeOfDay: .day, weather: .rain, pedestrians: 6, cars: 4, cyclists: 1)
        parameters.layout = .intersection
        func image(_ sampling: Sampling, spp: Int, seed: UInt64) -> [Float] {
            var renderer = StreetRenderer(width: 64, height: 48, samplesPerPixel: spp)
            renderer.sampling = sampling
            // One scene, the pixels' samples of their own seed.
            renderer.pixelSeed = seed
            return renderer.render(parameters, stream: RandomStream(seed: 5)).rgb.map(Float.init)
        }
        let reference = image(.sobol, spp: 128, seed: 99)
        let (independent, sobol) = (
            Self.error(of: { image(.independent, spp: 8, seed: $0) }, against: reference),
            Self.error(of: { image(.sobol, spp: 8, seed: $0) }, against: reference)
        )
        #expect(sobol < independent * 0.95, "RMS error at 8 spp: Sobol \(sobol), independent \(independent) levels")
    }
}
