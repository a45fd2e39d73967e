import Foundation
import ImageIO
import StudioCore
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

    @Test("Furnace: a white diffuse floor under a uniform sky of 0.5 shows about 0.5 × its albedo")
    func furnace() {
        var material = SurfaceMaterial()
        material.baseColor = SIMD4(0.8, 0.8, 0.8, 1)
        material.roughness = 1
        let floor = AssetMesh(
            positions: [SIMD3(-50, 0, -50), SIMD3(50, 0, -50), SIMD3(50, 0, 50), SIMD3(-50, 0, 50)],
            normals: Array(repeating: SIMD3(0, 1, 0), count: 4), uvs: [], tangents: [], triangles: [SIMD3(0, 2, 1), SIMD3(0, 3, 2)],
            material: 0)
        let scene = ComposedScene(
            assets: [Asset(file: "floor", meshes: [floor], materials: [material])],
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
}
