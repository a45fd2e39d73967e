import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@testable import Rendering

/// Debian's `assimp-testmodels` (installed by `make deps`): the glTF sample box in its three
/// packagings, and the broken files Assimp's own tests use.
private let models = "/usr/share/assimp/models/glTF2"

@Suite("Assets: import through Assimp, broken files refused")
struct AssetImportTests {
    @Test("BoxTextured reads the same as .gltf + .bin, .glb and embedded: 12 triangles, its texture decoded")
    func texturedBox() throws {
        for file in [
            "BoxTextured-glTF/BoxTextured.gltf", "BoxTextured-glTF-Binary/BoxTextured.glb", "BoxTextured-glTF-Embedded/BoxTextured.gltf",
        ] {
            let asset = try Asset.load("\(models)/\(file)")
            #expect(asset.triangleCount == 12, "\(file)")
            let textured = asset.materials.compactMap(\.baseColorTexture)
            #expect(textured.count == 1, "\(file)")
            #expect(textured.first?.width == 211 && textured.first?.height == 211, "\(file)")
            #expect(asset.meshes.allSatisfy { $0.uvs.count == $0.positions.count }, "\(file)")
            // The box is a unit cube; the node's matrix turns and scales nothing away.
            let (lo, hi) = asset.bounds
            #expect(abs((hi - lo).max() - 1) < 1e-4, "\(file)")
        }
    }

    @Test(
        "Each broken glTF gives an error naming the file, never a crash",
        arguments: [
            "wrongTypes/badArray.gltf", "wrongTypes/badExtension.gltf", "wrongTypes/badNumber.gltf", "wrongTypes/badObject.gltf",
            "wrongTypes/badString.gltf", "wrongTypes/badUint.gltf", "IndexOutOfRange/IndexOutOfRange.gltf",
            "IndexOutOfRange/AllIndicesOutOfRange.gltf", "MissingBin/BoxTextured.gltf", "BoxWithInfinites-glTF-Binary/BoxWithInfinites.glb",
            "SchemaFailures/sceneWrongType.gltf", "IncorrectVertexArrays/Cube.gltf", "RecursiveNodes/RecursiveNodes.gltf",
            "TestNoRootNode/NoScene.gltf", "TestNoRootNode/SceneWithoutNodes.gltf",
        ])
    func broken(_ file: String) {
        let path = "\(models)/\(file)"
        do {
            let asset = try Asset.load(path)
            // Assimp repairs some files (it drops the out-of-range faces): what it gives back
            // must then be whole — every index inside its mesh, every vertex finite.
            for mesh in asset.meshes {
                #expect(mesh.triangles.allSatisfy { $0.max() < UInt32(mesh.positions.count) }, "\(file)")
                #expect(mesh.positions.allSatisfy { $0.x.isFinite && $0.y.isFinite && $0.z.isFinite }, "\(file)")
                #expect(mesh.material < asset.materials.count, "\(file)")
            }
            Issue.record(Comment(rawValue: "\(file) was accepted: \(asset.triangleCount) triangles"))
        } catch {
            #expect(error.file == path)
            #expect(!error.message.isEmpty)
        }
    }

    @Test("A missing file, a directory and bytes that are no model are errors")
    func notModels() {
        let dir = TemporaryDirectory()
        let junk = dir.write("junk.obj", [UInt8](repeating: 0xFF, count: 300))
        for path in [dir.file("none.gltf"), dir.path, junk] {
            #expect(throws: AssetError.self) { try Asset.load(path) }
        }
    }

    @Test("Files that crash Assimp 5.2 itself (found by `make fuzz`) are read in a child first: an error, not a crash")
    func assimpCrashers() throws {
        let dir = TemporaryDirectory()
        // A GLB whose JSON chunk runs into binary, and an OBJ whose last `vt` has one number.
        let glb = dir.write(
            "a.glb",
            Array(
                Data(
                    base64Encoded:
                        "Z2xURgIAAACYtAAAfAQAAEpTT057Iv//dmVydGV4YXJyYXkgKGF0dHJpYj5zmk2/9EG9vu6DhD5EdGS/JfdAvu6HhD6RhnK/XZJMpe6DhD7qRny/r4IAAAA="
                )!))
        _ = dir.write(
            "crate.mtl",
            Array(Data(base64Encoded: "AAAAAAAAGjEKdnQgMCAxCnVzZW10bCB3b28gd29vZApLZCAwIDEgMQpOcyAxMAptYXBfS2QgY3JhdGUucG5nCg==")!))
        let obj = dir.write(
            "a.obj",
            Array(
                Data(
                    base64Encoded:
                        "IyBBIHdvb2RlbiBjcmF0ZSwgMSBtIG9uIGVhY2ggc2lkZSAoU3ludGhTdHVkaW8gc2FtcGxlIGFzc2V0LCBDQzApLgptdGxsaWIgY3JhdGUubXRsCnYgLTAuNSAwIC0wLjUKdiAwLjUgMCAtMC41CnYgMC41IDEgLTAuNQp2IC0wLjUgMSAtMC41CnYgLTAuNSAwIDAgNXYKLjAuNSAwIDAuNQp2IDAuNSAxIDAuNQp2IC0wLjUgMSAwLjUKdnQgMCAwCnZ0IDE="
                )!))
        // The OBJ kills Assimp with SIGSEGV: the child's read says so. The GLB's JSON overflows a
        // stack buffer in Assimp (AddressSanitizer saw it), after which Assimp refuses, crashes
        // or loops from run to run: our own JSON reader refuses it before Assimp sees it.
        // The same JSON framed rightly: the framing passes, the JSON does not.
        var json = Array("{\"".utf8) + [0xFF, 0xFF] + Array("vertexarray (attrib  ".utf8)
        json += [UInt8](repeating: 0x20, count: (4 - json.count % 4) % 4)
        func word(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        let framed = dir.write(
            "b.glb", Array("glTF".utf8) + word(2) + word(20 + json.count) + word(json.count) + Array("JSON".utf8) + json)
        for (path, says) in [
            (obj, "Assimp crashed reading it (signal 11)"), (glb, "the GLB header says 46232 bytes, the file has 89"),
            (framed, "its JSON is not valid"),
        ] {
            do {
                _ = try Asset.load(path)
                Issue.record("\(path) was accepted")
            } catch {
                #expect(error.file == path && error.message.contains(says), "\(error.message)")
            }
        }
        // A good file still reads after them.
        #expect(try Asset.load("\(models)/BoxTextured-glTF-Binary/BoxTextured.glb").triangleCount == 12)
    }

    @Test("A file that makes Assimp loop for ever is refused after ten seconds (a PLY without `end_header`)")
    func assimpHang() throws {
        let dir = TemporaryDirectory()
        let ply = dir.write(
            "hang.ply",
            Array("ply\nformat ascii 1.0\ncomment a unit bu, cew 1.1 1 1\n0 1 1\n4 0 3 2 1\n4 4 5 6 7\n4 0 1 5 4\n".utf8))
        let start = Date()
        do {
            _ = try Asset.load(ply)
            Issue.record("accepted")
        } catch {
            #expect(error.file == ply && error.message.contains("did not finish reading it in 10 s"), "\(error.message)")
        }
        #expect(Date().timeIntervalSince(start) < 60)
    }

    @Test("OBJ + MTL: the node transforms, the material's colour and its texture file")
    func objWithTexture() throws {
        let dir = TemporaryDirectory()
        // A 2 × 2 checker texture: red, green / blue, white.
        let pixels: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]
        try ImageFile.write(Image(width: 2, height: 2, layout: .rgb, pixels: .eight(pixels)), to: dir.file("checker.png"))
        _ = dir.write("quad.mtl", "newmtl paint\nKd 0.5 0.25 1\nmap_Kd checker.png\n")
        _ = dir.write(
            "quad.obj",
            "mtllib quad.mtl\nv 0 0 0\nv 2 0 0\nv 2 0 2\nv 0 0 2\nvt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\nusemtl paint\nf 1/1 2/2 3/3 4/4\n")
        let asset = try Asset.load(dir.file("quad.obj"))
        #expect(asset.triangleCount == 2)
        let material = try #require(asset.materials.first { $0.baseColorTexture != nil })
        #expect(abs(material.baseColor.x - 0.5) < 1e-6 && abs(material.baseColor.y - 0.25) < 1e-6)
        let texture = try #require(material.baseColorTexture)
        // UV (0.25, 0.25) is the top-left texel after the flip to a top-left origin: OBJ's
        // v = 1 is the image's top row.
        let mesh = try #require(asset.meshes.first)
        let top = try #require(zip(mesh.positions, mesh.uvs).first { $0.0 == SIMD3(0, 0, 2) }?.1)
        #expect(top == SIMD2(0, 0))
        let red = texture.sample(SIMD2(0.25, 0.25))
        #expect(red.x > 0.99 && red.y < 0.01 && red.z < 0.01)
    }

    @Test("A model without normals gets them flat across sharp edges and smooth across gentle ones")
    func generatedNormals() throws {
        let dir = TemporaryDirectory()
        // A cube (edges of 90°) and an octagonal prism (45° between neighbouring sides), no normals.
        var obj = "v -1 0 -1\nv 1 0 -1\nv 1 2 -1\nv -1 2 -1\nv -1 0 1\nv 1 0 1\nv 1 2 1\nv -1 2 1\n"
        obj += "f 1 2 3 4\nf 6 5 8 7\nf 5 1 4 8\nf 2 6 7 3\nf 4 3 7 8\nf 5 6 2 1\n"
        _ = dir.write("cube.obj", obj)
        let cube = try Asset.load(dir.file("cube.obj"))
        for mesh in cube.meshes {
            for t in mesh.triangles {
                let (a, b, c) = (mesh.positions[Int(t.x)], mesh.positions[Int(t.y)], mesh.positions[Int(t.z)])
                let face = normalized(cross(b - a, c - a))
                for i in [t.x, t.y, t.z] { #expect(abs(abs((mesh.normals[Int(i)] * face).sum()) - 1) < 1e-4, "a cube's faces are flat") }
            }
        }
        var prism = ""
        for k in 0..<8 {
            let angle = Float(k) * .pi / 4
            prism += "v \(cosf(angle)) 0 \(sinf(angle))\nv \(cosf(angle)) 1 \(sinf(angle))\n"
        }
        for k in 0..<8 { prism += "f \(2 * k + 1) \(2 * ((k + 1) % 8) + 1) \(2 * ((k + 1) % 8) + 2) \(2 * k + 2)\n" }
        _ = dir.write("prism.obj", prism)
        let round = try Asset.load(dir.file("prism.obj"))
        // Smoothed: a corner's normal points out along the corner, not across a face.
        let mesh = try #require(round.meshes.first)
        for (p, n) in zip(mesh.positions, mesh.normals) {
            let radial = normalized(SIMD3(p.x, 0, p.z))
            #expect(abs((n * radial).sum()) > 0.99, "smooth across 45°: \(n) at \(p)")
        }
    }

    @Test("A skinned glTF is posed at a moment of its animation: vertices follow their bones, weighted; time wraps")
    func skinnedPose() throws {
        // glTF's skinning tutorial: a strip from y = 0 to 2 (mesh data x 0…1), its joints at
        // y = 1, the upper one turning about z to +90° at 1 s and back, to −90° at 4 s; rows
        // weighted 1, ¾, ½, ¼, 0 to the lower joint, the rest to the upper. Its inverse bind
        // matrices put the joints at x = 0.5 when bound, so posed the strip spans x −0.5…0.5, as
        // in any glTF viewer.
        let asset = try Asset.load("\(models)/simple_skin/simple_skin.gltf")
        #expect(asset.animationDuration.map { abs($0 - 5.5) < 1e-6 } == true)
        let data = try #require(asset.skeleton?.skins.first?.positions)
        func vertex(_ mesh: AssetMesh, _ p: SIMD3<Float>) -> SIMD3<Float> {
            let i = data.firstIndex { (($0 - p) * ($0 - p)).sum() < 1e-8 }!
            return mesh.positions[i]
        }
        func near(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Bool { ((a - b) * (a - b)).sum() < 1e-5 }
        let rest = try #require(asset.meshes.first)
        #expect(near(vertex(rest, SIMD3(0, 2, 0)), SIMD3(-0.5, 2, 0)) && near(vertex(rest, SIMD3(1, 0, 0)), SIMD3(0.5, 0, 0)))
        let bent = try #require(asset.posed(at: 1).meshes.first)
        #expect(near(vertex(bent, SIMD3(0, 2, 0)), SIMD3(-1, 0.5, 0)), "\(vertex(bent, SIMD3(0, 2, 0)))")
        #expect(near(vertex(bent, SIMD3(1, 2, 0)), SIMD3(-1, 1.5, 0)))
        #expect(near(vertex(bent, SIMD3(1, 1, 0)), SIMD3(0.25, 1.25, 0)), "half on each joint")
        #expect(near(vertex(bent, SIMD3(1, 0, 0)), SIMD3(0.5, 0, 0)), "the lower joint does not move")
        let other = try #require(asset.posed(at: 4).meshes.first)
        #expect(near(vertex(other, SIMD3(0, 2, 0)), SIMD3(1, 1.5, 0)))
        // Between keys the turn is interpolated (45° at 0.5 s); time wraps at the length.
        let top = vertex(try #require(asset.posed(at: 0.5).meshes.first), SIMD3(0, 2, 0))
        #expect(abs(top.x + 1.0607) < 0.01 && abs(top.y - 1.3536) < 0.01, "\(top)")
        #expect(try #require(asset.posed(at: 6.5).meshes.first).positions == bent.positions)
        // A rigid file has nothing to pose.
        let box = try Asset.load("\(models)/BoxTextured-glTF/BoxTextured.gltf")
        #expect(box.animationDuration == nil && box.posed(at: 1).meshes[0].positions == box.meshes[0].positions)
    }
}
