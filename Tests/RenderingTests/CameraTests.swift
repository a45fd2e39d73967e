import Foundation
import StudioCore
import Testing

@testable import Rendering

@Suite("Camera: lens distortion, depth of field, motion, and the sensor")
struct CameraTests {
    static func lens(k1: Float, k2: Float = 0) -> Lens {
        var lens = Lens()
        (lens.k1, lens.k2) = (k1, k2)
        return lens
    }

    @Test(
        "A distorted ray and the projection agree: the point a pixel's ray meets projects back to that pixel",
        arguments: [
            (Float(-0.3), Float(0.05)), (-0.15, 0), (0.2, 0.02),
        ])
    func distortionRoundTrip(k1: Float, k2: Float) {
        let camera = Camera(
            position: SIMD3(1, 2, 3), forward: SIMD3(0.2, -0.1, 1), fieldOfView: 55, width: 320, height: 240,
            lens: Self.lens(k1: k1, k2: k2))
        for y in stride(from: Float(0.5), to: 240, by: 23) {
            for x in stride(from: Float(0.5), to: 320, by: 29) {
                let ray = camera.ray(x: x, y: y)
                let back = camera.imagePoint(ray.origin + ray.direction * 7)
                #expect(abs(back.x - x) < 0.01 && abs(back.y - y) < 0.01, "(\(x), \(y)) → \(back)")
            }
        }
    }

    @Test("Radius r in the pinhole image appears at r · (1 + k1 r² + k2 r⁴); the centre does not move")
    func distortionFormula() {
        let (k1, k2): (Float, Float) = (-0.25, 0.04)
        let pinhole = Camera(position: .zero, forward: SIMD3(0, 0, 1), fieldOfView: 60, width: 200, height: 200)
        let bent = Camera(
            position: .zero, forward: SIMD3(0, 0, 1), fieldOfView: 60, width: 200, height: 200, lens: Self.lens(k1: k1, k2: k2))
        let focal: Float = 100 / tanf(.pi / 6)
        for point in [SIMD3<Float>(0.4, 0.3, 2), SIMD3(-0.5, 0.1, 1.5), SIMD3(0, 0, 3)] {
            let p = pinhole.imagePoint(point) - SIMD2(100, 100)
            let r = (p * p).sum().squareRoot() / focal
            let expected = p * (1 + k1 * r * r + k2 * r * r * r * r) + SIMD2(100, 100)
            let got = bent.imagePoint(point)
            #expect(abs(got.x - expected.x) < 1e-3 && abs(got.y - expected.y) < 1e-3)
        }
        #expect(bent.imagePoint(SIMD3(0, 0, 5)) == SIMD2(100, 100))
        // A barrel lens past its fold: no radius reaches the far corner, which repeats the fold's.
        let strong = Self.lens(k1: -0.6)
        #expect(abs(strong.foldRadius - (1 / 1.8 as Float).squareRoot()) < 1e-5)
        #expect(strong.undistorted(radius: 5, fold: strong.foldRadius) == strong.foldRadius)
    }

    /// A textured quad filling the lower-right corner, seen by a camera with `lens`.
    static func corner(lens: Lens, sensor: Sensor = Sensor(), spp: Int = 1) -> RenderOutput {
        var material = SurfaceMaterial()
        material.baseColor = SIMD4(0, 0, 0, 1)
        material.emissive = SIMD3(repeating: 1)
        material.emissiveTexture = Texture(AssetRendererTests.checker(size: 64), encoding: .sRGB)
        var scene = ComposedScene(
            assets: [AssetRendererTests.quad(material)], placements: [Placement(asset: 0, position: SIMD3(2.1, -1.4, 6), label: "sign")],
            environment: EnvironmentMap(constant: SIMD3(repeating: 0.2)), camera: (SIMD3(0, 0, 0), SIMD3(0, 0, 6), 50))
        scene.lens = lens
        scene.sensor = sensor
        return AssetRenderer(width: 160, height: 120, samplesPerPixel: spp).render(scene, stream: RandomStream(seed: 4))
    }

    static func pixels(_ output: RenderOutput, _ id: UInt16) -> [(x: Int, y: Int)] {
        output.instances.enumerated().filter { $0.element == id }.map { ($0.offset % output.width, $0.offset / output.width) }
    }

    @Test("Barrel distortion pulls a corner object toward the centre, in its pixels, its mask and its box alike")
    func distortedLabels() throws {
        let straight = Self.corner(lens: Lens())
        let barrel = Self.corner(lens: Self.lens(k1: -0.35))
        let (a, b) = (Self.pixels(straight, 1), Self.pixels(barrel, 1))
        #expect(!a.isEmpty && !b.isEmpty)
        func centre(_ p: [(x: Int, y: Int)]) -> SIMD2<Float> {
            SIMD2(Float(p.map(\.x).reduce(0, +)), Float(p.map(\.y).reduce(0, +))) / Float(p.count)
        }
        let middle = SIMD2<Float>(80, 60)
        let (da, db) = (centre(a) - middle, centre(b) - middle)
        // At about 0.42 focal lengths out, 1 − 0.35 · 0.42² ≈ 0.94 of the distance.
        #expect((db * db).sum() < (da * da).sum() * 0.92, "the object moves toward the centre")
        #expect(b.count < a.count, "and shrinks")
        // The amodal box (the quad's outline projected through the same lens) holds every
        // labelled pixel, and hugs them.
        let box = try #require(barrel.objects[1]?.amodal)
        for p in b {
            #expect(Double(p.x) >= box.x - 1 && Double(p.x) <= box.maxX + 1 && Double(p.y) >= box.y - 1 && Double(p.y) <= box.maxY + 1)
        }
        let xs = b.map(\.x), ys = b.map(\.y)
        #expect(abs(Double(xs.min()!) - box.x) <= 1.5 && abs(Double(ys.min()!) - box.y) <= 1.5)
        // The pixels show the texture the labels say: the checker's colours inside the mask.
        let lit = b.filter { p in barrel.rgb[(p.y * 160 + p.x) * 3 + 1] > 60 }
        #expect(Double(lit.count) > Double(b.count) * 0.9)
    }

    @Test("Depth of field: a plane in focus stays sharp, out of focus it blurs; the labels never change")
    func depthOfField() {
        func render(focus: Float?) -> RenderOutput {
            var lens = Lens()
            if let focus { (lens.fNumber, lens.focusDistance) = (1.4, focus) }
            return Self.corner(lens: lens, spp: 48)
        }
        let (pinhole, focused, blurred) = (render(focus: nil), render(focus: 6), render(focus: 0.25))
        // The quad's left edge against the sky, row by row: how many pixels lie part way
        // between the sky's level and the quad's (a sharp edge has one or two, a blurred one a
        // ramp of several).
        func ramp(_ o: RenderOutput) -> Double {
            var total = 0, rows = 0
            for y in 0..<o.height {
                guard let edge = (1..<o.width).first(where: { o.instances[y * o.width + $0] == 1 }), edge > 12, edge + 12 < o.width,
                    o.instances[y * o.width + edge + 12] == 1
                else { continue }
                let green = { (x: Int) in Double(o.rgb[(y * o.width + x) * 3 + 1]) }
                let sky = green(edge - 12), quad = green(edge + 3)
                guard abs(quad - sky) > 40 else { continue }
                let between = (edge - 10..<edge + 3).filter { x in
                    let t = (green(x) - sky) / (quad - sky)
                    return t > 0.2 && t < 0.8
                }
                total += between.count
                rows += 1
            }
            return Double(total) / Double(max(1, rows))
        }
        #expect(focused.instances == pinhole.instances && blurred.instances == pinhole.instances)
        #expect(ramp(pinhole) <= 1.5 && ramp(focused) <= 1.5, "\(ramp(pinhole)), \(ramp(focused))")
        #expect(ramp(blurred) >= 4, "\(ramp(blurred))")
    }

    @Test("Motion: a moving mesh is where its travel puts it at each time; static meshes ignore time")
    func embreeMotion() {
        let quad = Mesh(
            vertices: [SIMD3(-0.5, -0.5, 5), SIMD3(0.5, -0.5, 5), SIMD3(0.5, 0.5, 5), SIMD3(-0.5, 0.5, 5)],
            triangles: [SIMD3(0, 1, 2), SIMD3(0, 2, 3)])
        let scene = EmbreeScene(meshes: [quad], travel: [SIMD3(2, 0, 0)])
        func hits(at x: Float, time: Float) -> Bool {
            var batch = HitBatch<Void>(capacity: 1) { $0.write(SIMD3(x, 0, 0), SIMD3(0, 0, 1), time: time, ()) }
            scene.intersect(&batch)
            return batch.hit(0) != nil
        }
        // At t = 0 the quad spans −1.5…−0.5, at ½ −0.5…0.5, at 1 0.5…1.5.
        #expect(hits(at: -1, time: 0) && !hits(at: -1, time: 0.5) && !hits(at: -1, time: 1))
        #expect(!hits(at: 0, time: 0) && hits(at: 0, time: 0.5) && !hits(at: 0, time: 1))
        #expect(hits(at: 1, time: 1))
        #expect(scene.intersect(SIMD3(0, 0, 0), SIMD3(0, 0, 1)) != nil, "a single ray looks at mid-shutter")
        let still = EmbreeScene(meshes: [quad])
        var batch = HitBatch<Void>(capacity: 2) {
            $0.write(SIMD3(0, 0, 0), SIMD3(0, 0, 1), time: 0, ())
            $0.write(SIMD3(0, 0, 0), SIMD3(0, 0, 1), time: 1, ())
        }
        still.intersect(&batch)
        #expect(batch.hit(0) != nil && batch.hit(1) != nil)
    }

    @Test("Sample times: the labelling sample at mid-shutter, the others spread across it")
    func sampleTimes() {
        for pixel in [0, 17, 12345] {
            #expect(Lens.time(sample: 0, of: 8, pixel: pixel) == 0.5)
            let times = (1..<8).map { Lens.time(sample: $0, of: 8, pixel: pixel) }.sorted()
            #expect(times.allSatisfy { (0..<1).contains($0) })
            // Seven of eight strata are taken once each (the eighth is the centre sample's).
            let strata = Set(times.map { Int($0 * 8) })
            #expect(strata.count >= 6)
        }
    }

    @Test("Street motion blur: walkers, riders and cars smear while the labels stay at mid-shutter")
    func streetMotion() {
        var p = SceneParameters(timeOfDay: .day, weather: .sunny, pedestrians: 10, cars: 6, cyclists: 3)
        let renderer = StreetRenderer(width: 128, height: 96, samplesPerPixel: 4)
        let sharp = renderer.render(p, stream: RandomStream(seed: 8))
        p.lens.shutter = 1 / 8
        p.lens.speed = 10
        let moving = renderer.render(p, stream: RandomStream(seed: 8))
        #expect(moving.instances == sharp.instances && moving.depth == sharp.depth)
        let changed = zip(moving.rgb, sharp.rgb).filter { abs(Int($0) - Int($1)) > 8 }.count
        #expect(changed > moving.rgb.count / 50, "\(changed) channels changed")
        #expect(p.attributes["shutter_s"] == "0.125" && p.attributes["camera_speed_ms"] == "10.0")
        // An instant shutter is the old renderer, byte for byte.
        p.lens.shutter = 0
        #expect(renderer.render(p, stream: RandomStream(seed: 8)).rgb == sharp.rgb)
    }

    @Test("Exposure, white balance and vignetting act on linear light as a camera's do")
    func development() {
        var sensor = Sensor()
        var random = RandomStream(seed: 1)
        let grey = SIMD3<Float>(repeating: 0.25)
        #expect(sensor.development.develop(grey, cosine: 0.7, random: &random) == grey, "the default changes nothing")
        sensor.exposure = 1
        #expect(sensor.development.develop(grey, cosine: 1, random: &random) == grey * 2)
        sensor.exposure = 0
        sensor.whiteBalance = 3200
        let tungsten = sensor.development.develop(grey, cosine: 1, random: &random)
        #expect(tungsten.z > tungsten.y && tungsten.y > tungsten.x, "balanced for tungsten, daylight turns blue: \(tungsten)")
        sensor.whiteBalance = 10000
        let shade = sensor.development.develop(grey, cosine: 1, random: &random)
        #expect(shade.x > shade.y && shade.y > shade.z, "balanced for shade, daylight turns orange: \(shade)")
        // Luminance kept.
        for c in [tungsten, shade] { #expect(abs((c * SIMD3(0.2126, 0.7152, 0.0722)).sum() - 0.25) < 1e-4) }
        // The locus: 6500 K is near D65's white, 2700 K warm.
        let d65 = Sensor.whitePoint(kelvin: 6500)
        #expect(abs(d65.x / d65.z - 1) < 0.1)
        let warm = Sensor.whitePoint(kelvin: 2700)
        #expect(warm.x / warm.z > 2.5)
        sensor = Sensor()
        sensor.vignetting = 1
        let cosine: Float = 0.8
        let edge = sensor.development.develop(grey, cosine: cosine, random: &random)
        #expect(abs(edge.x - 0.25 * powf(cosine, 4)) < 1e-6)
        #expect(sensor.development.develop(grey, cosine: 1, random: &random) == grey)
    }

    @Test("ISO noise: unbiased, with the variance of shot and read noise, growing with gain")
    func isoNoise() {
        func spread(iso: Float, level: Float, reduction: Float = 0) -> (mean: Double, variance: Double) {
            var sensor = Sensor()
            sensor.iso = iso
            sensor.noiseReduction = reduction
            let development = sensor.development
            var random = RandomStream(seed: 5)
            let values = (0..<20000).map { _ in Double(development.develop(SIMD3(repeating: level), cosine: 1, random: &random).x) }
            let mean = values.reduce(0, +) / Double(values.count)
            return (mean, values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count))
        }
        for (iso, level) in [(Float(100), Float(0.2)), (3200, 0.2), (3200, 0.02), (25600, 0.1)] {
            let (mean, variance) = spread(iso: iso, level: level)
            let scale = Double(iso) / 100 / 20000
            let expected = Double(level) * scale + (3 * scale) * (3 * scale)
            #expect(abs(mean - Double(level)) < 4 * (expected / 20000).squareRoot() + 1e-6, "ISO \(iso) at \(level): mean \(mean)")
            #expect(abs(variance / expected - 1) < 0.06, "ISO \(iso) at \(level): variance \(variance), expected \(expected)")
        }
        #expect(spread(iso: 6400, level: 0.1).variance > spread(iso: 400, level: 0.1).variance * 10)
        // The camera's noise reduction leaves its share of the deviation (0.6 by default: 40 %).
        let raw = spread(iso: 3200, level: 0.2), reduced = spread(iso: 3200, level: 0.2, reduction: 0.6)
        #expect(abs((reduced.variance / raw.variance).squareRoot() - 0.4) < 0.02)
    }

    @Test("A render with a sensor: same labels, noisier pixels, deterministic")
    func sensorRender() {
        var sensor = Sensor()
        sensor.iso = 12800
        sensor.vignetting = 0.8
        let clean = Self.corner(lens: Lens())
        let noisy = Self.corner(lens: Lens(), sensor: sensor)
        #expect(noisy.instances == clean.instances)
        #expect(noisy.rgb != clean.rgb)
        #expect(noisy.rgb == Self.corner(lens: Lens(), sensor: sensor).rgb)
        // The corner of the sky, darkened by the fall-off.
        #expect(noisy.rgb[0] < clean.rgb[0])
        #expect(sensor.attributes == ["iso": "12800", "vignetting": "0.8"])
    }
}
