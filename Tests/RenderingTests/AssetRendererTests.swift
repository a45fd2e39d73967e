import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@testable import Rendering

@Suite("Asset renderer: textures through the camera, light that adds up")
struct AssetRendererTests {
    /// A square of side 2 facing −z at distance 4, UVs over the whole texture.
    static func quad(_ material: SurfaceMaterial) -> Asset {
        let mesh = AssetMesh(
            positions: [SIMD3(-1, 1, 0), SIMD3(1, 1, 0), SIMD3(1, -1, 0), SIMD3(-1, -1, 0)],
            normals: Array(repeating: SIMD3(0, 0, -1), count: 4), uvs: [SIMD2(0, 0), SIMD2(1, 0), SIMD2(1, 1), SIMD2(0, 1)], tangents: [],
            triangles: [SIMD3(0, 1, 2), SIMD3(0, 2, 3)], material: 0)
        return Asset(file: "quad", meshes: [mesh], materials: [material])
    }

    /// 4 × 4 cells, each its own colour.
    static let cells: [SIMD3<UInt8>] = (0..<16).map { (i: Int) -> SIMD3<UInt8> in
        let r = UInt8(i * 16 + 8), g = UInt8(255 - i * 12), b = UInt8((i * 97) % 256)
        return SIMD3(r, g, b)
    }

    static func checker(size: Int) -> Image {
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        for y in 0..<size {
            for x in 0..<size {
                let c = cells[(y * 4 / size) * 4 + x * 4 / size]
                (pixels[(y * size + x) * 3], pixels[(y * size + x) * 3 + 1], pixels[(y * size + x) * 3 + 2]) = (c.x, c.y, c.z)
            }
        }
        return Image(width: size, height: size, layout: .rgb, pixels: .eight(pixels))
    }

    @Test("A textured quad's texels come back through the camera, each cell where it projects")
    func texturedQuad() {
        var material = SurfaceMaterial()
        material.baseColor = SIMD4(0, 0, 0, 1)
        material.emissive = SIMD3(repeating: 1)
        material.emissiveTexture = Texture(Self.checker(size: 64), encoding: .sRGB)
        let scene = ComposedScene(
            assets: [Self.quad(material)], placements: [Placement(asset: 0, position: SIMD3(0, 0, 4), label: "sign")],
            environment: EnvironmentMap(constant: .zero), camera: (SIMD3(0, 0, 0), SIMD3(0, 0, 4), 40))
        let renderer = AssetRenderer(width: 160, height: 120, samplesPerPixel: 4)
        let output = renderer.render(scene, stream: RandomStream(seed: 1))
        let camera = Camera(position: .zero, forward: SIMD3(0, 0, 1), fieldOfView: 40, width: 160, height: 120)
        let curve = SRGB.curve
        for (i, cell) in Self.cells.enumerated() {
            // The cell's centre on the quad (u right, v down) and where it appears.
            let u = (Float(i % 4) + 0.5) / 4, v = (Float(i / 4) + 0.5) / 4
            let p = camera.imagePoint(SIMD3(-1 + 2 * u, 1 - 2 * v, 4))
            let (x, y) = (Int(p.x), Int(p.y))
            let at = (y * 160 + x) * 3
            for c in 0..<3 {
                let expected = SRGB.displayed(Texture.sRGBToLinear[Int(cell[c])], curve)
                #expect(abs(Int(output.rgb[at + c]) - Int(expected)) <= 2, "cell \(i) channel \(c)")
            }
            #expect(output.instances[y * 160 + x] == 1)
        }
        // Labelled: one object, its box around the quad's projection. The world is right-handed:
        // looking down +z, +x is on the left, so the corner at x = +1 is the box's top left.
        let box = output.objects[1]?.amodal
        let corner = camera.imagePoint(SIMD3(1, 1, 4))
        #expect(corner.x < 80 && corner.y < 60)
        #expect(box.map { abs(Float($0.x) - corner.x) < 1 && abs(Float($0.y) - corner.y) < 1 } == true)
        #expect(output.objects[1]?.visibility ?? 0 > 0.95)
    }

    /// A grey floor at y = 0, `half` metres each way from the origin, facing up.
    static func floor(half: Float, albedo: Float, roughness: Float) -> Asset {
        var material = SurfaceMaterial()
        material.baseColor = SIMD4(albedo, albedo, albedo, 1)
        material.roughness = roughness
        let mesh = AssetMesh(
            positions: [SIMD3(-half, 0, -half), SIMD3(half, 0, -half), SIMD3(half, 0, half), SIMD3(-half, 0, half)],
            normals: Array(repeating: SIMD3(0, 1, 0), count: 4), uvs: [], tangents: [], triangles: [SIMD3(0, 2, 1), SIMD3(0, 3, 2)],
            material: 0)
        return Asset(file: "floor", meshes: [mesh], materials: [material])
    }

    @Test("Furnace: a white diffuse floor under a uniform sky of 0.5 shows about 0.5 × its albedo")
    func furnace() {
        let scene = ComposedScene(
            assets: [Self.floor(half: 50, albedo: 0.8, roughness: 1)],
            placements: [Placement(asset: 0, position: .zero, label: nil)], environment: EnvironmentMap(constant: SIMD3(repeating: 0.5)),
            camera: (SIMD3(0, 3, 0), SIMD3(0, 0, 4), 50))
        let output = AssetRenderer(width: 64, height: 48, samplesPerPixel: 64).render(scene, stream: RandomStream(seed: 2))
        // The lower rows see the floor; the tone curve is undone by searching its levels.
        let curve = SRGB.curve
        var linear: [Float] = []
        for y in 36..<48 {
            for x in 0..<64 {
                let level = Int(output.rgb[(y * 64 + x) * 3])
                linear.append(stride(from: Float(0), through: 2, by: 0.001).first { Int(SRGB.displayed($0, curve)) >= level } ?? 2)
            }
        }
        let mean = linear.reduce(0, +) / Float(linear.count)
        // Diffuse 0.8 less what Fresnel reflects, plus the specular lobe: 0.38…0.44.
        #expect(mean > 0.36 && mean < 0.46, "mean \(mean)")
    }

    /// A ground under a uniform sky, seen from 1 m up looking a little down (the horizon in
    /// the picture's upper third), with `ground` for its look; the rendered levels of red.
    static func groundScene(_ ground: GroundLook?) -> [Int] {
        var scene = ComposedScene(
            assets: [Self.floor(half: 500, albedo: 0.3, roughness: 0.9)],
            placements: [Placement(asset: 0, position: .zero, label: nil)],
            environment: EnvironmentMap(constant: SIMD3(repeating: 1)), camera: (SIMD3(0, 1, 0), SIMD3(0, 0.5, 4), 60))
        scene.ground = ground
        let rgb = AssetRenderer(width: 64, height: 48, samplesPerPixel: 16).render(scene, stream: RandomStream(seed: 8)).rgb
        return stride(from: 0, to: rgb.count, by: 3).map { Int(rgb[$0]) }
    }

    @Test(
        "Wet ground: darker where seen steeply, brighter toward the horizon (water's Fresnel); a pattern varies it; an unknown one is refused"
    )
    func groundLook() throws {
        func mean(_ levels: [Int], rows: Range<Int>) -> Double {
            let picked = rows.flatMap { y in (0..<64).map { levels[y * 64 + $0] } }
            return Double(picked.reduce(0, +)) / Double(picked.count)
        }
        let dry = Self.groundScene(nil)
        let wet = Self.groundScene(try #require(GroundLook(placement: 0, pattern: nil, wetness: 1, variant: 3)))
        // The horizon: the first row whose mean is not the sky's.
        let horizon = try #require((0..<48).first { mean(dry, rows: $0..<($0 + 1)) < mean(dry, rows: 0..<1) - 20 })
        let (far, near) = (horizon + 1..<horizon + 4, 42..<48)
        #expect(mean(wet, rows: far) > mean(dry, rows: far) + 10, "far: wet \(mean(wet, rows: far)), dry \(mean(dry, rows: far))")
        #expect(mean(wet, rows: near) < mean(dry, rows: near) - 4, "near: wet \(mean(wet, rows: near)), dry \(mean(dry, rows: near))")
        // Paving's joints and grain: the same paths, other levels wherever the ground is seen.
        let paving = Self.groundScene(GroundLook(placement: 0, pattern: "paving", wetness: 0, variant: 3))
        let ground = (horizon + 1)..<48
        let changed = ground.flatMap { y in (0..<64).map { abs(paving[y * 64 + $0] - dry[y * 64 + $0]) } }
        let meanChange = Double(changed.reduce(0, +)) / Double(changed.count)
        let sky = (0..<horizon - 1).flatMap { y in (0..<64).map { abs(paving[y * 64 + $0] - dry[y * 64 + $0]) } }
        #expect(meanChange > 1, "paving moves the ground's levels by \(meanChange) on average")
        #expect(sky.allSatisfy { $0 == 0 }, "and leaves the sky alone")
        #expect(GroundLook(placement: 0, pattern: "gravel", wetness: 0, variant: 0) == nil)
    }

    @Test("glTF's transmission and IOR are read: a cone of glass")
    func glassImport() throws {
        let dir = TemporaryDirectory("glass")
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../sample-data/assets").path
        var gltf = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(sample)/cone.gltf"))) as! [String: Any]
        var materials = gltf["materials"] as! [[String: Any]]
        materials[0]["extensions"] = ["KHR_materials_transmission": ["transmissionFactor": 0.9], "KHR_materials_ior": ["ior": 1.33]]
        gltf["materials"] = materials
        gltf["extensionsUsed"] = ["KHR_materials_transmission", "KHR_materials_ior"]
        try JSONSerialization.data(withJSONObject: gltf).write(to: URL(fileURLWithPath: dir.file("glass.gltf")))
        for name in ["cone.bin", "cone.png"] { try FileManager.default.copyItem(atPath: "\(sample)/\(name)", toPath: dir.file(name)) }
        let glass = try Asset.load(dir.file("glass.gltf")).materials[0]
        #expect(abs(glass.transmission - 0.9) < 1e-6 && abs(glass.ior - 1.33) < 1e-6, "\(glass.transmission), \(glass.ior)")
        #expect(!glass.volume && glass.absorption == .zero, "without KHR_materials_volume, a thin sheet")
        let plain = try Asset.load("\(sample)/cone.gltf").materials[0]
        #expect(plain.transmission == 0 && plain.ior == 1.5 && !plain.volume)
        // KHR_materials_volume: a solid, absorbing to its attenuation colour at its distance.
        materials[0]["extensions"] = [
            "KHR_materials_transmission": ["transmissionFactor": 1], "KHR_materials_ior": ["ior": 1.5],
            "KHR_materials_volume": ["thicknessFactor": 0.2, "attenuationDistance": 0.5, "attenuationColor": [0.5, 1, 0.25]],
        ]
        gltf["materials"] = materials
        gltf["extensionsUsed"] = ["KHR_materials_transmission", "KHR_materials_ior", "KHR_materials_volume"]
        try JSONSerialization.data(withJSONObject: gltf).write(to: URL(fileURLWithPath: dir.file("solid.gltf")))
        let solid = try Asset.load(dir.file("solid.gltf")).materials[0]
        #expect(solid.volume)
        let expected = SIMD3<Float>(logf(2), 0, logf(4)) / 0.5
        let difference = solid.absorption - expected
        #expect((difference * difference).max() < 1e-8, "\(solid.absorption) per metre, expected \(expected)")
    }

    /// A closed box of `size` metres centred on the origin, its normals facing out.
    static func box(_ size: SIMD3<Float>, _ material: SurfaceMaterial) -> Asset {
        var positions: [SIMD3<Float>] = [], normals: [SIMD3<Float>] = [], triangles: [SIMD3<UInt32>] = []
        for axis in 0..<3 {
            for sign: Float in [-1, 1] {
                var n = SIMD3<Float>.zero
                n[axis] = sign
                // Two directions across the face, turned so their cross product is n.
                var u = SIMD3<Float>.zero, v = SIMD3<Float>.zero
                u[(axis + 1) % 3] = 1
                v[(axis + 2) % 3] = sign
                let base = UInt32(positions.count)
                for (a, b): (Float, Float) in [(-1, -1), (1, -1), (1, 1), (-1, 1)] {
                    positions.append((n + u * a + v * b) * size / 2)
                    normals.append(n)
                }
                triangles += [SIMD3(base, base + 1, base + 2), SIMD3(base, base + 2, base + 3)]
            }
        }
        let mesh = AssetMesh(positions: positions, normals: normals, uvs: [], tangents: [], triangles: triangles, material: 0)
        return Asset(file: "box", meshes: [mesh], materials: [material])
    }

    @Test("A solid of glass bends what is seen through it and absorbs as Beer and Lambert say; a thin sheet does neither")
    func solidGlass() {
        let glow = Self.glow(0.5), glass = Self.glass(roughness: 0)
        // A glow filling the right half of the view 5 m away; a block of glass 1.5 m deep between.
        func render(_ block: SurfaceMaterial?, yaw: Float = 0) -> RenderOutput {
            var glowQuad = Self.quad(glow)
            glowQuad.meshes[0].positions = glowQuad.meshes[0].positions.map { $0 * 4 }
            // (+x is on the image's left: the world is right-handed, y up, the camera looking along +z.)
            var assets = [glowQuad], placements = [Placement(asset: 0, position: SIMD3(-4, 0, 5), label: "glow")]
            if let block {
                assets.append(Self.box(SIMD3(5, 2.5, 1.5), block))
                placements.append(Placement(asset: 1, position: SIMD3(0, 0, 2.5), yaw: yaw, label: nil))
            }
            let scene = ComposedScene(
                assets: assets, placements: placements, environment: EnvironmentMap(constant: .zero),
                camera: (SIMD3(0, 0, 0), SIMD3(0, 0, 4), 10))
            return AssetRenderer(width: 128, height: 16, samplesPerPixel: 64).render(scene, stream: RandomStream(seed: 4))
        }
        func level(_ output: RenderOutput, x: Int, _ channel: Int) -> Float { Self.linear(output.rgb[(8 * 128 + x) * 3 + channel]) }
        // The mean over sixteen columns right of the edge (a 4 % mirror is a rare pick per pixel).
        func mean(_ output: RenderOutput, _ channel: Int) -> Float { (76..<92).map { level(output, x: $0, channel) }.reduce(0, +) / 16 }
        // Where along the middle row the glow's edge is: the first column at half its level.
        func edge(_ output: RenderOutput) -> Int { (0..<128).first { level(output, x: $0, 1) > 0.5 * level(output, x: 80, 1) } ?? 128 }
        let bare = render(nil)
        var solid = glass
        solid.volume = true
        // Near head on, two boundaries each mirror 4 %: (1 − 0.04)² comes through.
        let through = mean(render(solid), 1) / mean(bare, 1)
        #expect(abs(through - 0.92) < 0.03, "through a clear block: \(through)")
        // Absorbing two thirds of the red per metre: over 1.5 m, red falls to a fifth of green (e^−1.65).
        var red = solid
        red.absorption = SIMD3(1.1, 0, 0)
        let tinted = render(red)
        let ratio = mean(tinted, 0) / mean(tinted, 1)
        #expect(abs(ratio - expf(-1.65)) < 0.03, "red over green through 1.5 m: \(ratio)")
        // Turned 35°, the block shifts the view sideways; a thin sheet turned as much does not.
        let (straight, bent, sheet) = (edge(bare), edge(render(solid, yaw: 0.6)), edge(render(glass, yaw: 0.6)))
        #expect(abs(bent - straight) >= 4, "edge at \(straight) bare, \(bent) through the turned block")
        #expect(abs(sheet - straight) <= 1, "edge at \(straight) bare, \(sheet) through a turned sheet")
        // Its pixels are not labelled with what is behind it (a solid bends the view).
        #expect(render(solid).instances[8 * 128 + 80] == 0 && render(glass).instances[8 * 128 + 80] != 0)
    }

    /// A sphere of `radius` about the origin, `rings` × 2·`rings` quads, normals facing out.
    static func sphere(radius: Float, rings: Int, _ material: SurfaceMaterial) -> Asset {
        var positions: [SIMD3<Float>] = [], normals: [SIMD3<Float>] = [], triangles: [SIMD3<UInt32>] = []
        let segments = rings * 2
        for i in 0...rings {
            let theta = Float.pi * Float(i) / Float(rings)
            for j in 0...segments {
                let phi = 2 * Float.pi * Float(j) / Float(segments)
                let n = SIMD3(sinf(theta) * cosf(phi), cosf(theta), sinf(theta) * sinf(phi))
                positions.append(n * radius)
                normals.append(n)
            }
        }
        for i in 0..<rings {
            for j in 0..<segments {
                let a = UInt32(i * (segments + 1) + j), b = a + UInt32(segments + 1)
                triangles += [SIMD3(a, a + 1, b), SIMD3(a + 1, b + 1, b)]
            }
        }
        let mesh = AssetMesh(positions: positions, normals: normals, uvs: [], tangents: [], triangles: triangles, material: 0)
        return Asset(file: "sphere", meshes: [mesh], materials: [material])
    }

    @Test("A rough solid of glass blurs what is seen through it and keeps its light; in a furnace a sphere of it all but vanishes")
    func roughSolidGlass() {
        // The block and glow of `solidGlass`: a glow filling the right half of the view 5 m away,
        // a block of glass 1.5 m deep between.
        func render(_ block: SurfaceMaterial) -> [Float] {
            var glowQuad = Self.quad(Self.glow(0.5))
            glowQuad.meshes[0].positions = glowQuad.meshes[0].positions.map { $0 * 4 }
            let scene = ComposedScene(
                assets: [glowQuad, Self.box(SIMD3(5, 2.5, 1.5), block)],
                placements: [
                    Placement(asset: 0, position: SIMD3(-4, 0, 5), label: "glow"),
                    Placement(asset: 1, position: SIMD3(0, 0, 2.5), label: nil),
                ], environment: EnvironmentMap(constant: .zero), camera: (SIMD3(0, 0, 0), SIMD3(0, 0, 4), 10))
            let rgb = AssetRenderer(width: 128, height: 16, samplesPerPixel: 256).render(scene, stream: RandomStream(seed: 4)).rgb
            return (0..<128).map { Self.linear(rgb[(8 * 128 + $0) * 3 + 1]) }
        }
        // How many columns the edge spreads over: from a fifth to four fifths of the glow's level.
        func spread(_ row: [Float]) -> Int {
            let top = row[100..<128].reduce(0, +) / 28
            let low = row.firstIndex { $0 > 0.2 * top } ?? 128, high = row.firstIndex { $0 > 0.8 * top } ?? 128
            return high - low
        }
        var smooth = Self.glass(roughness: 0), rough = Self.glass(roughness: 0.4)
        smooth.volume = true
        rough.volume = true
        let (sharp, blurred) = (render(smooth), render(rough))
        #expect(spread(sharp) <= 2, "edge over \(spread(sharp)) columns through smooth glass")
        #expect(spread(blurred) >= 6, "edge over \(spread(blurred)) columns through rough glass")
        // What comes through far from the edge: about as much as through smooth glass (the
        // microfacets' shadowing loses a little).
        let kept = blurred[108..<128].reduce(0, +) / sharp[108..<128].reduce(0, +)
        #expect(kept > 0.85 && kept < 1.03, "rough over smooth, far from the edge: \(kept)")
        // A sphere that absorbs nothing under a uniform sky shows the sky: what it mirrors and
        // what it lets through add up to all of it, less what microfacets shadow.
        for roughness: Float in [0, 0.4] {
            var clear = Self.glass(roughness: roughness)
            clear.volume = true
            let scene = ComposedScene(
                assets: [Self.sphere(radius: 1, rings: 48, clear)], placements: [Placement(asset: 0, position: SIMD3(0, 0, 4), label: nil)],
                environment: EnvironmentMap(constant: SIMD3(repeating: 0.5)), camera: (SIMD3(0, 0, 0), SIMD3(0, 0, 4), 20))
            let rgb = AssetRenderer(width: 48, height: 48, samplesPerPixel: 64).render(scene, stream: RandomStream(seed: 2)).rgb
            // The middle 16 × 16 pixels, all on the sphere (it spans 32 of them).
            let levels = (16..<32).flatMap { y in (16..<32).map { Self.linear(rgb[(y * 48 + $0) * 3 + 1]) } }
            let mean = levels.reduce(0, +) / Float(levels.count)
            let low: Float = roughness == 0 ? 0.48 : 0.45
            #expect(mean > low && mean < 0.515, "roughness \(roughness): the sphere shows \(mean) of a sky of 0.5")
        }
    }

    @Test("The mirror of a rough solid, seen head on, shows the sky times its albedo, integrated apart from the renderer")
    func roughSolidMirror() {
        // Glass that absorbs all it lets in: only its mirror is seen, lit by light samples and by
        // the mirror's own draws, weighed against each other (counted twice, it shows double).
        let (sky, roughness, ior): (Float, Float, Float) = (1.5, 0.4, 1.5)
        var dark = Self.glass(roughness: roughness)
        dark.volume = true
        dark.absorption = SIMD3(repeating: 1000)
        let scene = ComposedScene(
            assets: [Self.sphere(radius: 1, rings: 48, dark)], placements: [Placement(asset: 0, position: SIMD3(0, 0, 4), label: nil)],
            environment: EnvironmentMap(constant: SIMD3(repeating: sky)), camera: (SIMD3(0, 0, 0), SIMD3(0, 0, 4), 20))
        let rgb = AssetRenderer(width: 48, height: 48, samplesPerPixel: 256).render(scene, stream: RandomStream(seed: 3)).rgb
        let levels = (22..<26).flatMap { y in (22..<26).map { Self.linear(rgb[(y * 48 + $0) * 3 + 1]) } }
        let seen = levels.reduce(0, +) / Float(levels.count)
        // Head on (v = n): the albedo ∫ F(v·h) D(h) G₂ / (4 (n·v)(n·l)) (n·l) dω over the light's
        // angle θ from the normal; h halves it. Exact Fresnel, GGX, height-correlated Smith.
        let alpha = roughness * roughness, a2 = alpha * alpha
        func lambda(_ mu: Double) -> Double { (-1 + (1 + Double(a2) * (1 - mu * mu) / (mu * mu)).squareRoot()) / 2 }
        func fresnel(_ c: Double) -> Double {
            let eta = 1 / Double(ior)
            let t = (1 - eta * eta * (1 - c * c)).squareRoot()
            let s = (eta * c - t) / (eta * c + t), p = (c - eta * t) / (c + eta * t)
            return (s * s + p * p) / 2
        }
        var albedo = 0.0
        let steps = 20000
        for i in 0..<steps {
            let theta = (Double(i) + 0.5) / Double(steps) * .pi / 2
            let nl = cos(theta), nh = cos(theta / 2)
            let k = nh * nh * (Double(a2) - 1) + 1
            let d = Double(a2) / (.pi * k * k)
            let g = 1 / (1 + lambda(1) + lambda(nl))
            albedo += fresnel(nh) * d * g / 4 * 2 * .pi * sin(theta) * (.pi / 2 / Double(steps))
        }
        let expected = Double(sky) * albedo
        #expect(abs(Double(seen) / expected - 1) < 0.12, "the mirror shows \(seen), expected \(expected) (albedo \(albedo))")
    }

    @Test("Indirect light is limited as Cycles limits it: a sun found off a mirror makes no white specks, and ordinary light is unchanged")
    func clampedIndirectLight() {
        // A grey floor before a mirror wall under a dim sky with a small sun behind the camera:
        // a path from the floor that happens to meet the sun in the mirror brings a thousand times
        // the sky (light samples cannot find the sun through a mirror).
        var mirror = SurfaceMaterial()
        mirror.baseColor = SIMD4(0.9, 0.9, 0.9, 1)
        mirror.metallic = 1
        mirror.roughness = 0
        var wall = Self.quad(mirror)
        wall.meshes[0].positions = wall.meshes[0].positions.map { $0 * 2 }
        let (width, height) = (64, 32)
        var sky = [Float](repeating: 0.1, count: width * height * 3)
        for (x, y) in [(20, 8), (21, 8), (20, 9), (21, 9)] { for c in 0..<3 { sky[(y * width + x) * 3 + c] = 100 } }
        let scene = ComposedScene(
            assets: [Self.floor(half: 50, albedo: 0.5, roughness: 0.9), wall],
            placements: [
                Placement(asset: 0, position: .zero, label: nil), Placement(asset: 1, position: SIMD3(0, 1, 4), label: nil),
            ],
            environment: EnvironmentMap(HDRImage(width: width, height: height, rgb: sky)), camera: (SIMD3(0, 1.5, 0), SIMD3(0, 0, 3), 50))
        func render(clamp: Float) -> [UInt8] {
            var renderer = AssetRenderer(width: 64, height: 48, samplesPerPixel: 16)
            renderer.clampIndirect = clamp
            let rgb = renderer.render(scene, stream: RandomStream(seed: 6)).rgb
            return stride(from: 1, to: rgb.count, by: 3).map { rgb[$0] }
        }
        let (free, clamped) = (render(clamp: 0), render(clamp: 10))
        // Specks: pixels far above their neighbourhood's median.
        func specks(_ levels: [UInt8]) -> Int {
            (1..<47).flatMap { y in (1..<63).map { x in (x, y) } }.filter { x, y in
                let around = [levels[(y - 1) * 64 + x], levels[(y + 1) * 64 + x], levels[y * 64 + x - 1], levels[y * 64 + x + 1]].sorted()
                return Int(levels[y * 64 + x]) > Int(around[1]) + 40
            }.count
        }
        // Limited, a sun found by chance adds at most 10 / 16 spp in the sum of the channels: a
        // grey, where unlimited it is white.
        let (brightestFree, brightest) = (free.max() ?? 0, clamped.max() ?? 0)
        #expect(specks(free) > 20 && brightestFree == 255, "unlimited: \(specks(free)) specks, the brightest \(brightestFree)")
        #expect(specks(clamped) * 4 < specks(free) && brightest < 230, "\(specks(clamped)) specks left, the brightest \(brightest)")
        // Away from specks the two agree: the median level.
        let (a, b) = (free.sorted()[free.count / 2], clamped.sorted()[clamped.count / 2])
        #expect(abs(Int(a) - Int(b)) <= 2, "median \(a) unlimited, \(b) limited")
    }

    @Test("Through a pane of glass: what stands behind it shows, dimmed by Fresnel and tinted, and is labelled; glass reflects")
    func glass() {
        var glow = SurfaceMaterial()
        glow.baseColor = SIMD4(0, 0, 0, 1)
        glow.emissive = SIMD3(0.5, 0.2, 0.1)
        var pane = SurfaceMaterial()
        pane.baseColor = SIMD4(0.9, 1, 0.9, 1)
        pane.transmission = 1
        pane.roughness = 0
        // A quad of side 2 facing -z, at distance 4 (the glow) and a pane of side 3 at 2.
        func quad(_ half: Float, _ material: SurfaceMaterial, file: String) -> Asset {
            var asset = Self.quad(material)
            asset.meshes[0].positions = asset.meshes[0].positions.map { $0 * half }
            return Asset(file: file, meshes: asset.meshes, materials: [material])
        }
        func render(pane paneMaterial: SurfaceMaterial?, glowBehindCamera: Bool = false) -> RenderOutput {
            var assets = [quad(1, glow, file: "glow")]
            var placements = [
                glowBehindCamera
                    ? Placement(asset: 0, position: SIMD3(0, 0, -1), yaw: .pi, label: "glow")
                    : Placement(asset: 0, position: SIMD3(0, 0, 4), label: "glow")
            ]
            if let paneMaterial {
                assets.append(quad(1.5, paneMaterial, file: "pane"))
                placements.append(Placement(asset: 1, position: SIMD3(0, 0, 2), label: nil))
            }
            let scene = ComposedScene(
                assets: assets, placements: placements, environment: EnvironmentMap(constant: .zero),
                camera: (SIMD3(0, 0, 0), SIMD3(0, 0, 4), 40))
            return AssetRenderer(width: 40, height: 30, samplesPerPixel: 64).render(scene, stream: RandomStream(seed: 3))
        }
        let centre = (15 * 40 + 20)
        let bare = render(pane: nil), behind = render(pane: pane)
        var opaque = pane
        opaque.transmission = 0
        let blocked = render(pane: opaque)
        // Undo the tone curve: the level's linear value.
        func linear(_ output: RenderOutput, _ channel: Int) -> Float {
            let level = Int(output.rgb[centre * 3 + channel])
            return stride(from: Float(0), through: 2, by: 0.0005).first { Int(SRGB.displayed($0, SRGB.curve)) >= level } ?? 2
        }
        // Head on, glass reflects 4 % and lets 96 % through, green tinted: red 0.5 → 0.9 × 0.96 × 0.5.
        let red = linear(behind, 0) / linear(bare, 0)
        #expect(abs(red - 0.9 * 0.96) < 0.04, "red through glass: \(red) of bare")
        #expect(behind.instances[centre] == bare.instances[centre] && bare.instances[centre] != 0, "labelled through the pane")
        #expect(blocked.rgb[centre * 3] < behind.rgb[centre * 3] / 2 && blocked.instances[centre] == 0, "an opaque pane hides it")
        // The glow behind the camera, nothing beyond the pane: its reflection, Fresnel's 4 % head on.
        let mirrored = render(pane: pane, glowBehindCamera: true)
        let reflected = linear(mirrored, 0) / linear(bare, 0)
        #expect(abs(reflected - 0.04) < 0.01, "reflected: \(reflected) of the glow")
        #expect(render(pane: nil, glowBehindCamera: true).rgb[centre * 3] == 0, "without the pane, black")
    }

    /// A black surface glowing grey at `level`.
    static func glow(_ level: Float) -> SurfaceMaterial {
        var glow = SurfaceMaterial()
        glow.baseColor = SIMD4(0, 0, 0, 1)
        glow.emissive = SIMD3(repeating: level)
        return glow
    }

    /// White glass letting everything through, of `roughness`.
    static func glass(roughness: Float) -> SurfaceMaterial {
        var glass = SurfaceMaterial()
        glass.baseColor = SIMD4(1, 1, 1, 1)
        glass.transmission = 1
        glass.roughness = roughness
        return glass
    }

    /// The linear value an 8-bit level of the renderer's tone curve stands for.
    static func linear(_ level: UInt8) -> Float {
        stride(from: Float(0), through: 2, by: 0.0005).first { SRGB.displayed($0, SRGB.curve) >= level } ?? 2
    }

    /// A horizontal rectangle at height `y` over x in `xs`, z in `zs`.
    static func slab(y: Float, xs: ClosedRange<Float>, zs: ClosedRange<Float>, _ material: SurfaceMaterial) -> Asset {
        let mesh = AssetMesh(
            positions: [
                SIMD3(xs.lowerBound, y, zs.lowerBound), SIMD3(xs.upperBound, y, zs.lowerBound), SIMD3(xs.upperBound, y, zs.upperBound),
                SIMD3(xs.lowerBound, y, zs.upperBound),
            ],
            normals: Array(repeating: SIMD3(0, 1, 0), count: 4), uvs: [], tangents: [], triangles: [SIMD3(0, 1, 2), SIMD3(0, 2, 3)],
            material: 0)
        return Asset(file: "slab", meshes: [mesh], materials: [material])
    }

    @Test("Frosted glass blurs what stands behind it and hides its label; clear glass keeps its edge sharp; both let as much light through")
    func frostedGlass() {
        let glow = Self.glow(0.6)
        func render(roughness: Float) -> [Float] {
            let pane = Self.glass(roughness: roughness)
            var glowQuad = Self.quad(glow), paneQuad = Self.quad(pane)
            paneQuad.meshes[0].positions = paneQuad.meshes[0].positions.map { $0 * 3 }
            glowQuad.meshes[0].positions = glowQuad.meshes[0].positions.map { $0 * 3 }
            // The glow fills the right half of the view from 2 m behind the pane.
            let scene = ComposedScene(
                assets: [glowQuad, paneQuad],
                placements: [
                    Placement(asset: 0, position: SIMD3(3, 0, 4), label: "glow"), Placement(asset: 1, position: SIMD3(0, 0, 2), label: nil),
                ],
                environment: EnvironmentMap(constant: .zero), camera: (SIMD3(0, 0, 0), SIMD3(0, 0, 4), 40))
            let output = AssetRenderer(width: 60, height: 20, samplesPerPixel: 64).render(scene, stream: RandomStream(seed: 5))
            labelled = output.instances.filter { $0 != 0 }.count
            // The middle row, as linear light.
            return (0..<60).map { x in Self.linear(output.rgb[(10 * 60 + x) * 3 + 1]) }
        }
        var labelled = 0
        let clear = render(roughness: 0)
        // Through clear glass the glow is labelled; frosted glass hides it.
        #expect(labelled > 300, "\(labelled) pixels labelled through clear glass")
        let frosted = render(roughness: 0.5)
        #expect(labelled == 0, "\(labelled) pixels labelled through frosted glass")
        func edgeWidth(_ row: [Float]) -> Int {
            let bright = row.max() ?? 0
            return row.filter { $0 > 0.1 * bright && $0 < 0.9 * bright }.count
        }
        #expect(edgeWidth(clear) <= 2, "clear: \(clear)")
        #expect(edgeWidth(frosted) >= 8, "frosted: \(frosted)")
        // Frosting moves light about; it does not make or lose much of it.
        let (clearSum, frostedSum) = (clear.reduce(0, +), frosted.reduce(0, +))
        #expect(abs(frostedSum / clearSum - 1) < 0.2, "light through: frosted \(frostedSum), clear \(clearSum)")
    }

    @Test("Furnace: a pane of clear or frosted glass under a uniform sky of 0.5 shows 0.5 × its microfacets' albedo")
    func glassFurnace() {
        // The share single-scattering GGX keeps at the pane's viewing angles (25–55°), integrated
        // numerically apart from the renderer: rough microfacets shadow some light away (the
        // renderer's opaque BRDF loses the same).
        for (roughness, albedo): (Float, Float) in [(0, 1), (0.3, 0.987), (0.7, 0.694)] {
            var quad = Self.quad(Self.glass(roughness: roughness))
            quad.meshes[0].positions = quad.meshes[0].positions.map { $0 * 3 }
            // Seen at an angle, so the pane mirrors and lets through unequal shares.
            let scene = ComposedScene(
                assets: [quad], placements: [Placement(asset: 0, position: SIMD3(0, 0, 2), yaw: 0.7, label: nil)],
                environment: EnvironmentMap(constant: SIMD3(repeating: 0.5)), camera: (SIMD3(0, 0, 0), SIMD3(0, 0, 4), 30))
            let output = AssetRenderer(width: 16, height: 12, samplesPerPixel: 64).render(scene, stream: RandomStream(seed: 2))
            let values = (0..<(16 * 12)).map { Self.linear(output.rgb[$0 * 3 + 1]) }
            let mean = values.reduce(0, +) / Float(values.count)
            // Light samples and glass samples weighed together: neither counted twice nor lost.
            #expect(abs(mean - 0.5 * albedo) < 0.025, "roughness \(roughness): \(mean), expected \(0.5 * albedo)")
        }
    }

    @Test("Sunlight through a clear pane lights the floor beneath it, as light samples see it (no noise), dimmed by Fresnel alone")
    func sunThroughGlass() {
        // A black sky with a small sun overhead (the map's top row: a cap of 5.6°).
        let (w, h) = (64, 32)
        let sky = EnvironmentMap(
            HDRImage(width: w, height: h, rgb: (0..<(w * h)).flatMap { i in i < w ? [Float(60), 60, 60] : [0, 0, 0] }))
        func render(transmission: Float) -> (covered: [Float], open: [Float]) {
            var floor = SurfaceMaterial()
            floor.baseColor = SIMD4(0.5, 0.5, 0.5, 1)
            floor.roughness = 1
            var pane = Self.glass(roughness: 0)
            pane.transmission = transmission
            // Two floors, one under a pane 1 m up, seen from below the pane.
            let scene = ComposedScene(
                assets: [
                    Self.slab(y: 0, xs: -3...(-0.3), zs: 0...6, floor), Self.slab(y: 0, xs: 0.3...3, zs: 0...6, floor),
                    Self.slab(y: 1, xs: -5...0, zs: -2...9, pane),
                ],
                placements: [
                    Placement(asset: 0, position: .zero, label: "covered"), Placement(asset: 1, position: .zero, label: "open"),
                    Placement(asset: 2, position: .zero, label: nil),
                ],
                environment: sky, camera: (SIMD3(0, 0.6, -1.5), SIMD3(0, 0, 3), 60))
            let output = AssetRenderer(width: 48, height: 32, samplesPerPixel: 16).render(scene, stream: RandomStream(seed: 8))
            func values(_ id: UInt16) -> [Float] {
                output.instances.indices.filter { output.instances[$0] == id }.map { Self.linear(output.rgb[$0 * 3 + 1]) }
            }
            return (values(1), values(2))
        }
        let glass = render(transmission: 1)
        #expect(glass.covered.count > 100 && glass.open.count > 100, "\(glass.covered.count), \(glass.open.count) pixels")
        let mean = { (v: [Float]) in v.reduce(0, +) / Float(max(1, v.count)) }
        // Head on, a pane lets 96 % through.
        let ratio = mean(glass.covered) / mean(glass.open)
        #expect(abs(ratio - 0.96) < 0.05, "through the pane: \(ratio) of the open floor's light")
        // Every covered pixel is lit (light samples pass the pane): no speckle of the few
        // directions that find the sun by chance.
        let spread =
            (glass.covered.map { ($0 - mean(glass.covered)) * ($0 - mean(glass.covered)) }.reduce(0, +) / Float(glass.covered.count))
            .squareRoot()
        #expect(spread < 0.15 * mean(glass.covered), "spread \(spread) around \(mean(glass.covered))")
        // An opaque pane shades the floor.
        let opaque = render(transmission: 0)
        #expect(mean(opaque.covered) < 0.05 * mean(opaque.open), "under an opaque pane: \(mean(opaque.covered))")
    }

    @Test("A worn picture replaces an object's colour, over its UVs or, without UVs, projected; glass keeps its tint")
    func wornPicture() {
        let picture = Texture(Self.checker(size: 64), encoding: .sRGB)
        func spread(_ asset: Asset, wearing: Bool) -> Float {
            var placement = Placement(asset: 0, position: SIMD3(0, 0, 4), label: "thing")
            placement.texture = wearing ? 0 : nil
            var scene = ComposedScene(
                assets: [asset], placements: [placement], environment: EnvironmentMap(constant: SIMD3(repeating: 1)),
                camera: (SIMD3(0, 0, 0), SIMD3(0, 0, 4), 30))
            scene.textures = [picture]
            let output = AssetRenderer(width: 32, height: 32, samplesPerPixel: 4).render(scene, stream: RandomStream(seed: 1))
            // The spread of the object's red levels.
            let reds = output.instances.indices.filter { output.instances[$0] != 0 }.map { Float(output.rgb[$0 * 3]) }
            let mean = reds.reduce(0, +) / Float(max(1, reds.count))
            return (reds.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(max(1, reds.count))).squareRoot()
        }
        var plain = SurfaceMaterial()
        plain.roughness = 1
        let quad = Self.quad(plain)
        // The same quad without UVs, seen face on: its picture is projected.
        var bare = quad
        bare.meshes[0].uvs = []
        // Plain, the quad's levels spread by the samples' noise alone; wearing the checker's
        // sixteen colours, far more.
        let (noise, bareNoise) = (spread(quad, wearing: false), spread(bare, wearing: false))
        #expect(spread(quad, wearing: true) > 3 * noise + 10, "over its UVs: \(spread(quad, wearing: true)) against \(noise)")
        #expect(spread(bare, wearing: true) > 3 * bareNoise + 10, "projected: \(spread(bare, wearing: true)) against \(bareNoise)")
        var glass = plain
        glass.transmission = 1
        #expect(spread(Self.quad(glass), wearing: true) == spread(Self.quad(glass), wearing: false), "glass keeps its tint")
    }

    @Test("Recording a render's rays changes nothing; the record holds every ray it traced, shadow rays through glass or not")
    func recordedRays() {
        var floor = SurfaceMaterial()
        floor.baseColor = SIMD4(0.6, 0.5, 0.4, 1)
        floor.roughness = 0.4
        for paneMaterial in [Self.glass(roughness: 0), Self.glow(0.3)] {
            // A floor under a pane standing over it: with glass, shadow rays look at what they
            // meet (intersections); without, Embree's occlusion query answers them.
            let pane = Self.quad(paneMaterial)
            let scene = ComposedScene(
                assets: [Self.slab(y: -1, xs: -4...4, zs: 0...8, floor), pane],
                placements: [
                    Placement(asset: 0, position: .zero, label: nil), Placement(asset: 1, position: SIMD3(0, 0, 4), label: "pane"),
                ],
                environment: EnvironmentMap(constant: SIMD3(repeating: 0.5)), camera: (SIMD3(0, 0.5, -2), SIMD3(0, -0.5, 4), 50))
            let renderer = AssetRenderer(width: 24, height: 18, samplesPerPixel: 4)
            let plain = renderer.render(scene, stream: RandomStream(seed: 5))
            let (output, recorded) = renderer.renderRecordingRays(scene, stream: RandomStream(seed: 5))
            #expect(output.rgb == plain.rgb && output.instances == plain.instances && output.depth == plain.depth)
            #expect(recorded.count == 18, "a record per row")
            #expect(output.rays > 24 * 18 * 4 && recorded.reduce(0) { $0 + $1.count } == output.rays)
            let replay = renderer.embreeReplay(scene, recorded)
            #expect(replay.rays == output.rays && replay.single > 0 && replay.streamed > 0)
        }
    }
}
