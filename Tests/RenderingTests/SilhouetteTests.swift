import StudioCore
import Testing

@testable import Rendering

@Suite("Silhouettes for visibility")
struct SilhouetteTests {
    @Test("filling an object's projected triangles finds the pixels a centre ray per pixel finds", arguments: 0..<4)
    func rasterMatchesRays(seed: Int) {
        let renderer = StreetRenderer(width: 160, height: 120, samplesPerPixel: 1)
        let p = SceneParameters(pedestrians: 8, cars: 5, cyclists: 3)
        var placement = RandomStream(seed: UInt64(seed)).derived(1)
        let scene = StreetScene(p, random: &placement)
        let camera = Camera(p, width: renderer.width, height: renderer.height)
        var compared = 0
        for object in scene.objects where object.label != nil {
            guard let box = camera.project(object.mesh.bounds) else { continue }
            let alone = EmbreeScene(meshes: [object.mesh])
            var traced = 0
            for y in Int(box.y)..<min(renderer.height, Int(box.maxY.rounded(.up))) {
                for x in Int(box.x)..<min(renderer.width, Int(box.maxX.rounded(.up))) {
                    let ray = camera.ray(x: Float(x) + 0.5, y: Float(y) + 0.5)
                    if alone.occluded(ray.origin, ray.direction) { traced += 1 }
                }
            }
            let filled = renderer.silhouette(of: object.mesh, in: box, camera)
            // Pixel centres exactly on an edge may go either way.
            #expect(abs(filled - traced) <= max(2, traced / 50), "\(object.label!): \(filled) filled, \(traced) traced")
            compared += 1
        }
        #expect(compared >= 10)
    }
}
