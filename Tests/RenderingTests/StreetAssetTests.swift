import StudioCore
import Testing

@testable import Rendering

@Suite("The user's own models in the street")
struct StreetAssetTests {
    /// A figure 2 units tall along `up` (a thin box) with a nose: a small box 1 unit out along +x.
    static func figure(up: StreetModel.Up) -> Asset {
        func box(_ center: SIMD3<Float>, _ size: SIMD3<Float>) -> AssetMesh {
            let mesh = Mesh.box(center: center, size: size)
            return AssetMesh(
                positions: mesh.vertices, normals: mesh.vertices.map { _ in SIMD3(0, 1, 0) }, uvs: [], tangents: [],
                triangles: mesh.triangles, material: 0)
        }
        let body = up == .y ? box(SIMD3(0, 1, 0), SIMD3(0.4, 2, 0.3)) : box(SIMD3(0, 0, 1), SIMD3(0.4, 0.3, 2))
        let nose = up == .y ? box(SIMD3(1, 1.8, 0), SIMD3(0.1, 0.1, 0.1)) : box(SIMD3(1, 0, 1.8), SIMD3(0.1, 0.1, 0.1))
        return Asset(file: "figure", meshes: [body, nose], materials: [])
    }

    @Test("A figure stands on the origin at the drawn height, whichever axis is up in its file, turned to face +z")
    func figure() {
        for up in StreetModel.Up.allCases {
            let model = StreetModel(name: "f", asset: Self.figure(up: up), up: up, facing: .plusX)
            let mesh = model.mesh(.height(1.5), time: nil)
            let (lo, hi) = mesh.bounds
            #expect(abs(lo.y) < 1e-4 && abs(hi.y - 1.5) < 1e-4, "\(up): \(lo) \(hi)")
            // Facing +x in the file: the nose ends up ahead (+z; the figure is centred on its
            // bounds: its far side 0.625 ahead of the middle of body and nose, scaled by 0.75).
            let nose = mesh.vertices.max { $0.z < $1.z }!
            #expect(abs(nose.z - 0.46875) < 1e-3 && abs(nose.x) < 0.1 && nose.y > 1.2, "\(up): nose at \(nose)")
        }
    }

    @Test("An imported person's image texture is seen through the camera: the same street without it differs only in colour")
    func textured() throws {
        let box = try Asset.load("/usr/share/assimp/models/glTF2/BoxTextured-glTF/BoxTextured.gltf")
        var plain = box
        plain.materials = plain.materials.map { m in
            var m = m
            m.baseColorTexture = nil
            return m
        }
        let p = SceneParameters(rig: .eyeLevel, pedestrians: 12, cars: 0, cyclists: 0)
        func render(_ asset: Asset) -> RenderOutput {
            var renderer = StreetRenderer(width: 160, height: 120, samplesPerPixel: 1)
            renderer.people = [PersonAsset(StreetModel(name: "box", asset: asset), share: 1, heights: 1.7...1.7)]
            return renderer.render(p, stream: RandomStream(seed: 9))
        }
        let (textured, untextured) = (render(box), render(plain))
        #expect(textured.instances == untextured.instances)
        let people = Set(textured.objects.filter { $0.value.label == "pedestrian" }.map { UInt16($0.key) })
        let pixels = textured.instances.indices.filter { people.contains(textured.instances[$0]) }
        #expect(pixels.count > 50)
        // The logo's colours against the plain base colour: most pixels of the boxes change.
        let changed = pixels.filter { p in
            (0..<3).contains { c in abs(Int(textured.rgb[p * 3 + c]) - Int(untextured.rgb[p * 3 + c])) > 12 }
        }
        #expect(changed.count * 2 > pixels.count, "\(changed.count) of \(pixels.count)")
        // Other objects do not change (reflections of the boxes in glass do).
        let others = Set(textured.objects.filter { $0.value.label != "pedestrian_reflection" }.map { UInt16($0.key) }).subtracting(people)
        let rest = textured.instances.indices.filter { others.contains(textured.instances[$0]) }
        #expect(rest.allSatisfy { p in (0..<3).allSatisfy { textured.rgb[p * 3 + $0] == untextured.rgb[p * 3 + $0] } })
    }

    @Test("Props stand on the road (lined up, clear of the cars) or on the sidewalks, and the street around them is as it was")
    func props() throws {
        let box = try Asset.load("/usr/share/assimp/models/glTF2/BoxTextured-glTF/BoxTextured.gltf")
        let model = StreetModel(name: "box", asset: box)
        let props = [
            PropAsset(model, className: "crate", counts: 4...4, scales: 0.8...1.2, place: .road),
            PropAsset(model, className: "bin", counts: 3...5, scales: 0.5...0.5, place: .sidewalk),
        ]
        for seed in 0..<4 {
            let p = SceneParameters(rig: .dashcam, pedestrians: 6, cars: 6, cyclists: 1)
            var a = RandomStream(seed: UInt64(seed)).derived(1), b = a
            let plain = StreetScene(p, random: &a)
            let with = StreetScene(p, props: props, random: &b)
            let crates = with.objects.filter { $0.label == "crate" }, bins = with.objects.filter { $0.label == "bin" }
            #expect(crates.count <= 4 && crates.count >= 2, "seed \(seed): \(crates.count) crates")
            #expect((3...5).contains(bins.count), "seed \(seed): \(bins.count) bins")
            for crate in crates {
                let (lo, hi) = crate.mesh.bounds
                #expect(abs(lo.y) < 1e-4 && lo.x >= -5 && hi.x <= 5, "crate at \(lo)…\(hi)")
                #expect((0.8...1.2).contains(hi.y - lo.y), "a unit box scaled 0.8–1.2: \(hi.y - lo.y)")
                #expect(crate.attributes["asset"] == "box")
            }
            for bin in bins {
                let (lo, hi) = bin.mesh.bounds
                #expect(abs(lo.y - 0.15) < 1e-4 && abs(hi.y - lo.y - 0.5) < 1e-4, "bin at \(lo)…\(hi)")
                #expect(min(abs(lo.x), abs(hi.x)) >= 5 && max(abs(lo.x), abs(hi.x)) <= 8, "bin at \(lo)…\(hi)")
            }
            // Clear of every car (footprints in the ground plane).
            for car in with.objects.filter({ $0.label == "car" }) {
                let c = car.mesh.bounds
                for prop in crates + bins {
                    let q = prop.mesh.bounds
                    let apart = q.min.x >= c.max.x || q.max.x <= c.min.x || q.min.z >= c.max.z || q.max.z <= c.min.z
                    #expect(apart, "seed \(seed): a prop at \(q) on a car at \(c)")
                }
            }
            // Without colour variation every placement wears the file's colours; with it, each its own.
            #expect(Set(bins.map { "\($0.materials)" }).count == 1)
            var varied = props
            varied[1].model.colorVariation = 0.5
            var c = RandomStream(seed: UInt64(seed)).derived(1)
            let colours = StreetScene(p, props: varied, random: &c).objects.filter { $0.label == "bin" }.map { "\($0.materials)" }
            #expect(Set(colours).count == colours.count, "\(colours)")
            // The rest of the street is the one drawn without them.
            let rest = with.objects.filter { $0.label != "crate" && $0.label != "bin" }
            #expect(rest.count == plain.objects.count)
            #expect(zip(rest, plain.objects).allSatisfy { $0.label == $1.label && $0.mesh.vertices == $1.mesh.vertices })
        }
    }

    @Test("A cut-out's holes show what is behind them: a transparent card labels no pixel, half of one about half")
    func cutOut() {
        // A card 3 m square standing across the road, its texture as `alpha` says from left to right.
        func card(_ alpha: [UInt8]) -> PropAsset {
            let mesh = AssetMesh(
                positions: [SIMD3(-0.5, 0, 0), SIMD3(0.5, 0, 0), SIMD3(0.5, 1, 0), SIMD3(-0.5, 1, 0)],
                normals: Array(repeating: SIMD3(0, 0, -1), count: 4), uvs: [SIMD2(0, 1), SIMD2(1, 1), SIMD2(1, 0), SIMD2(0, 0)],
                tangents: [], triangles: [SIMD3(0, 1, 2), SIMD3(0, 2, 3)], material: 0)
            var material = SurfaceMaterial()
            material.baseColorTexture = Texture(
                width: alpha.count, height: 1, texels: alpha.map { SIMD4(200, 60, 60, $0) }, encoding: .sRGB, wrap: .clamped)
            material.alphaCutoff = 0.5
            let asset = Asset(file: "card", meshes: [mesh], materials: [material])
            return PropAsset(StreetModel(name: "card", asset: asset), className: "card", counts: 1...1, scales: 3...3, place: .road)
        }
        func shown(_ prop: PropAsset) -> Int {
            var renderer = StreetRenderer(width: 160, height: 120, samplesPerPixel: 1)
            renderer.props = [prop]
            let out = renderer.render(SceneParameters(pedestrians: 0, cars: 0, cyclists: 0), stream: RandomStream(seed: 4))
            let cards = Set(out.objects.filter { $0.value.label == "card" }.map { UInt16($0.key) })
            return out.instances.filter { cards.contains($0) }.count
        }
        let opaque = shown(card(Array(repeating: 255, count: 8)))
        let clear = shown(card(Array(repeating: 0, count: 8)))
        let half = shown(card(Array(repeating: 255, count: 4) + Array(repeating: 0, count: 4)))
        #expect(opaque > 100, "\(opaque) pixels")
        #expect(clear == 0, "\(clear) pixels through a transparent card")
        #expect(Double(half) > 0.35 * Double(opaque) && Double(half) < 0.65 * Double(opaque), "\(half) of \(opaque)")
    }
}
