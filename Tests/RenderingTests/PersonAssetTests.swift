import StudioCore
import Testing

@testable import Rendering

@Suite("The user's own people in the street")
struct PersonAssetTests {
    /// A figure 2 units tall along `up` (a thin box) with a nose: a small box 1 unit out along +x.
    static func figure(up: PersonAsset.Up) -> Asset {
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
        for up in PersonAsset.Up.allCases {
            let person = PersonAsset(
                name: "f", asset: Self.figure(up: up), share: 1, heights: 1.5...1.5, animationTimes: nil, up: up, facing: .plusX)
            let mesh = person.figure(height: 1.5, time: nil)
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
            renderer.people = [PersonAsset(name: "box", asset: asset, share: 1, heights: 1.7...1.7, animationTimes: nil)]
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
}
