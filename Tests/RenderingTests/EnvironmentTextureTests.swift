import Foundation
import ImageIO
import StudioCore
import Testing

@testable import Rendering

@Suite("Environment maps and textures")
struct EnvironmentTextureTests {
    /// A dim blue sky with a small, very bright sun 40° up: the case importance sampling is for.
    static func sunnySky() -> EnvironmentMap {
        let (w, h) = (128, 64)
        var rgb = [Float](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                let i = (y * w + x) * 3
                let sun = abs(x - 80) <= 1 && abs(y - 18) <= 1
                let c: SIMD3<Float> = sun ? SIMD3(4000, 3800, 3500) : (y < h / 2 ? SIMD3(0.3, 0.5, 0.9) : SIMD3(0.2, 0.18, 0.15))
                (rgb[i], rgb[i + 1], rgb[i + 2]) = (c.x, c.y, c.z)
            }
        }
        return EnvironmentMap(HDRImage(width: w, height: h, rgb: rgb), rotationDegrees: 30)
    }

    /// Irradiance on an upward surface, ∫ L(ω) max(0, ω·y) dω, estimated both ways from the
    /// same number of samples.
    @Test("Importance sampling: the same irradiance as uniform sampling, with far less variance")
    func importanceSampling() {
        let sky = Self.sunnySky()
        var random = RandomStream(seed: 3)
        let n = 200_000
        var (importance, uniform) = ([Double](), [Double]())
        for _ in 0..<n {
            let s = sky.sample(random.nextUnit(), random.nextUnit())
            importance.append(s.pdf > 0 ? Double(s.radiance.y * max(0, s.direction.y) / s.pdf) : 0)
            // Uniform over the sphere: pdf 1 / 4π.
            let r = random.nextSquare()
            let z = 1 - 2 * r.x, radius = (1 - z * z).squareRoot(), phi = 2 * Float.pi * r.y
            let d = SIMD3(radius * cosf(phi), z, radius * sinf(phi))
            uniform.append(Double(sky.radiance(d).y * max(0, d.y) * 4 * .pi))
        }
        func stats(_ v: [Double]) -> (mean: Double, variance: Double) {
            let mean = v.reduce(0, +) / Double(v.count)
            return (mean, v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1))
        }
        let (a, b) = (stats(importance), stats(uniform))
        // Means agree within four standard errors of their difference.
        let error = ((a.variance + b.variance) / Double(n)).squareRoot()
        #expect(abs(a.mean - b.mean) < 4 * error, "importance \(a.mean) vs uniform \(b.mean) ± \(error)")
        #expect(a.variance * 50 < b.variance, "variance \(a.variance) vs \(b.variance)")
    }

    @Test("The density of a drawn direction is the density pdf() reports, and it integrates to 1")
    func densityConsistent() {
        let sky = Self.sunnySky()
        var random = RandomStream(seed: 9)
        for _ in 0..<2000 {
            let s = sky.sample(random.nextUnit(), random.nextUnit())
            #expect(abs(s.pdf - sky.pdf(s.direction)) <= 1e-3 * s.pdf + 1e-6)
            #expect(s.radiance == sky.radiance(s.direction))
        }
        var integral: Double = 0
        let n = 400_000
        for _ in 0..<n {
            let r = random.nextSquare()
            let z = 1 - 2 * r.x, radius = (1 - z * z).squareRoot(), phi = 2 * Float.pi * r.y
            integral += Double(sky.pdf(SIMD3(radius * cosf(phi), z, radius * sinf(phi)))) * 4 * .pi
        }
        #expect(abs(integral / Double(n) - 1) < 0.03)
    }

    /// The alias table keeps 16 bits of each cell's share; the densities lookups report are the
    /// shares the table draws with as stored, so a cell rounded to never being drawn reports 0
    /// (a path that finds it counts whole) rather than a density no draw has.
    @Test("Densities are the stored alias table's shares, down to cells it never draws")
    func densitiesFollowTheStoredTable() {
        // A sun of 10⁷ over a sky of 10⁻⁴: most sky cells' shares round to nothing.
        let (w, h) = (64, 32)
        let rgb = (0..<(w * h)).flatMap { i -> [Float] in i == 10 * w + 20 ? [1e7, 1e7, 1e7] : [1e-4, 1e-4, 1e-4] }
        let sky = EnvironmentMap(HDRImage(width: w, height: h, rgb: rgb))
        var drawn = [Double](repeating: 0, count: sky.slots.count)
        for (i, slot) in sky.slots.enumerated() {
            drawn[i] += Double(slot.keep) / 65535
            drawn[Int(slot.alias)] += 1 - Double(slot.keep) / 65535
        }
        // Cells are single pixels here: each covers (2π / w)(π / h) at the equator.
        let area = 2 * Double.pi / Double(w) * Double.pi / Double(h)
        for (i, cell) in sky.cells.enumerated() {
            let share = drawn[i] / Double(drawn.count)
            #expect(abs(Double(cell.w) * area - share) <= 1e-6 * share + 1e-12, "cell \(i)")
        }
        #expect(drawn.filter { $0 == 0 }.count > 100, "sky cells the table never draws")
        var random = RandomStream(seed: 2)
        for _ in 0..<2000 {
            let s = sky.sample(random.nextUnit(), random.nextUnit())
            #expect(s.pdf > 0 && abs(s.pdf - sky.pdf(s.direction)) <= 1e-3 * s.pdf)
        }
    }

    @Test("Rotation turns the map about the vertical")
    func rotation() {
        let image = HDRImage(width: 8, height: 4, rgb: (0..<32).flatMap { i in i % 8 == 0 ? [Float(1), 1, 1] : [0, 0, 0] })
        let plain = EnvironmentMap(image), turned = EnvironmentMap(image, rotationDegrees: 90)
        // Column 0 (the bright one) sits at u ∈ [0, 1/8): behind the −z view, towards +z.
        let d = SIMD3<Float>(sinf(-Float.pi + 0.2), 0, -cosf(-Float.pi + 0.2))
        #expect(plain.radiance(d).x == 1)
        #expect(turned.radiance(d).x == 0)
    }

    @Test("A camera sees the map interpolated between pixels (wrapping around the vertical), not in blocks")
    func displayedSmoothly() {
        // Column 0 bright, the other seven dark: 45° a column, column 0 centred 22.5° past the back.
        let image = HDRImage(width: 8, height: 4, rgb: (0..<32).flatMap { i in i % 8 == 0 ? [Float(1), 1, 1] : [0, 0, 0] })
        let map = EnvironmentMap(image)
        func direction(column: Float) -> SIMD3<Float> {
            // u = column / 8 at the horizon (u = 0.5 looks down −z).
            let phi = (column / 8 - 0.5) * 2 * .pi
            return SIMD3(sinf(phi), 0, -cosf(phi))
        }
        #expect(abs(map.displayed(direction(column: 0.5)).x - 1) < 1e-4, "column 0's centre")
        #expect(abs(map.displayed(direction(column: 1)).x - 0.5) < 1e-4, "between columns 0 and 1")
        #expect(abs(map.displayed(direction(column: 7.75)).x - 0.25) < 1e-4, "a quarter of the way from column 7 round to 0")
        #expect(map.displayed(direction(column: 3.5)).x == 0)
        // The lighting is still the pixel's own.
        #expect(map.radiance(direction(column: 1.01)).x == 0 && map.radiance(direction(column: 0.99)).x == 1)
    }

    @Test("Mip levels average in linear light; a far footprint reads the average, a near one the texel")
    func mipmaps() {
        // A 64 × 64 checker of black and white texels.
        let pixels = (0..<(64 * 64)).map { i -> UInt8 in ((i % 64) + (i / 64)) % 2 == 0 ? 255 : 0 }
        let texture = Texture(Image(width: 64, height: 64, layout: .gray, pixels: .eight(pixels)), encoding: .sRGB)
        #expect(texture.levels.count == 7)
        let near = texture.sample(SIMD2(0.5 / 64, 0.5 / 64))
        #expect(near.x > 0.99)
        // Covering the whole texture: the average of 0 and 1 in linear light, 0.5.
        let far = texture.sample(SIMD2(0.3, 0.7), footprint: 1)
        #expect(abs(far.x - 0.5) < 0.01)
        // Repeating wrap: uv and uv + (3, −2) read the same.
        let (a, b) = (texture.sample(SIMD2(0.1, 0.2)), texture.sample(SIMD2(3.1, -1.8)))
        #expect((0..<4).allSatisfy { abs(a[$0] - b[$0]) < 1e-4 })
    }

    @Test("The world is right-handed, as glTF's and Blender's: a panorama reads left to right, unmirrored")
    func handedness() throws {
        // Left half of the picture red, right half blue; its centre column looks down −z.
        let (w, h) = (64, 32)
        let rgb = (0..<(w * h)).flatMap { i -> [Float] in i % w < w / 2 ? [1, 0, 0] : [0, 0, 1] }
        let sky = EnvironmentMap(HDRImage(width: w, height: h, rgb: rgb))
        let scene = ComposedScene(assets: [], placements: [], environment: sky, camera: (.zero, SIMD3(0, 0, -1), 60))
        let out = AssetRenderer(width: 40, height: 20, samplesPerPixel: 1).render(scene, stream: RandomStream(seed: 1))
        let left = out.rgb[(10 * 40 + 5) * 3..<(10 * 40 + 5) * 3 + 3], right = out.rgb[(10 * 40 + 34) * 3..<(10 * 40 + 34) * 3 + 3]
        #expect(left[left.startIndex] > 100 && left[left.startIndex + 2] < 20, "red on the left: \(Array(left))")
        #expect(right[right.startIndex + 2] > 100 && right[right.startIndex] < 20, "blue on the right: \(Array(right))")
    }

    @Test("Light samples pick cells in proportion to their weight and carry the light `lighting` reports")
    func aliasSampling() {
        // A dark map with one bright patch: the patch's cells take almost every sample.
        let (w, h) = (64, 32)
        let rgb = (0..<(w * h)).flatMap { i -> [Float] in
            (10..<14).contains(i % w) && (8..<12).contains(i / w) ? [50, 50, 50] : [0.1, 0.1, 0.1]
        }
        let sky = EnvironmentMap(HDRImage(width: w, height: h, rgb: rgb))
        var random = RandomStream(seed: 4)
        var bright = 0
        for _ in 0..<4000 {
            let s = sky.sample(random.nextUnit(), random.nextUnit())
            #expect(s.radiance == sky.lighting(s.direction))
            if s.radiance.x > 1 { bright += 1 }
        }
        // The patch's share of the weight (luminance × sin θ), within four standard deviations.
        func weight(_ y: Int) -> Double { sin((Double(y) + 0.5) / Double(h) * .pi) }
        var patch = 0.0, total = 0.0
        for i in 0..<(w * h) {
            let value = Double(rgb[i * 3]) * weight(i / w)
            total += value
            if rgb[i * 3] > 1 { patch += value }
        }
        let share = patch / total, spread = (share * (1 - share) / 4000).squareRoot()
        #expect(abs(Double(bright) / 4000 - share) < 4 * spread, "\(bright) of 4000 samples in the bright patch, expected \(share)")
        #expect(EnvironmentMap.aliasTable([0.5, 0.25, 0.25]).count == 3)
    }
}
