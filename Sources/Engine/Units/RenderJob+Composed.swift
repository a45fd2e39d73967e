internal import Foundation
package import Rendering
internal import StudioCore

extension RenderJob {
    /// Image `index`'s composed scene and the renderer that draws it, for the bench; nil for the
    /// street.
    package func composedScene(_ index: Int) throws(EngineError) -> (ComposedScene, AssetRenderer)? {
        try composed(index).map {
            ($0.scene, AssetRenderer(width: recipe.width, height: recipe.height, samplesPerPixel: recipe.samplesPerPixel))
        }
    }

    /// Image `index`'s composed scene, its attributes and the values drawn for it: what the
    /// render draws, drawn the same way; nil for the street.
    func composed(_ index: Int) throws(EngineError) -> (scene: ComposedScene, attributes: [String: String], values: [String: String])? {
        guard let composition = recipe.composition, let files else { return nil }
        let stream = RandomStream(seed: spec.units.seed).derived(UInt64(index))
        var drawing = stream.derived(0)
        let values = try recipe.drawValues(&drawing, pinned: spec.pins)
        var placing = stream.derived(1)
        let (scene, attributes) = try files.scene(composition, values: values, random: &placing)
        return (scene, attributes, values)
    }

    /// Image `index`'s composed scene as plain JSON values — asset files, placements (position,
    /// yaw, scale, tint, roughness factor), the ground, the camera, the environment map with its
    /// turn and strength, size, samples and bounces — drawn exactly as the render draws it, so
    /// another renderer (the Cycles peer in `make bench`) can build the same scene. Nil for the
    /// street, whose scene is built in Rendering, for scenes with posed (animated) assets, for
    /// a patterned or wet ground and for objects wearing a `textures:` picture.
    package func composedDescription(_ index: Int) throws(EngineError) -> [String: Any]? {
        guard let composition = recipe.composition, let (scene, _, values) = try composed(index) else { return nil }
        func array(_ v: SIMD3<Float>) -> [Double] { [Double(v.x), Double(v.y), Double(v.z)] }
        // The recipe's assets come first, then the ground; assets posed per placement (an
        // animation time) follow it and are not described: the peer reads files, not poses.
        let ground = composition.assets.reduce(0) { $0 + $1.files.count }
        // Nor a patterned or wet ground, which the peer does not model.
        guard scene.placements.allSatisfy({ $0.asset <= ground && $0.texture == nil }), scene.ground == nil else { return nil }
        let placements: [[String: Any]] = scene.placements.map { p in
            [
                "asset": p.asset == ground ? -1 : p.asset, "position": array(p.position), "yaw": Double(p.yaw), "scale": Double(p.scale),
                "tint": array(p.tint), "roughness": Double(p.roughness),
            ]
        }
        let groundMesh = scene.assets[ground].meshes[0]
        // Typed here: inside the `Any` literal, `Double(…) ?? 0` became an optional wrapped in `Any`.
        let rotation: Double = Double(values["environment_rotation"] ?? "0") ?? 0
        let strength: Double = Double(values["environment_strength"] ?? "1") ?? 1
        return [
            "assets": composition.assets.flatMap(\.files),
            "ground": ["color": array(composition.ground), "half_side": Double(groundMesh.positions[1].x)],
            "placements": placements,
            "camera": [
                "position": array(scene.camera.position), "target": array(scene.camera.target), "fov": Double(scene.camera.fieldOfView),
                "f_number": Double(scene.lens.fNumber), "focus_distance": Double(scene.lens.focusDistance),
                "sensor_height": Double(scene.lens.sensorHeight),
            ],
            "environment": [
                "file": values["environment"] ?? composition.environmentFiles[0],
                "rotation": rotation, "strength": strength,
            ],
            "width": recipe.width, "height": recipe.height, "samples_per_pixel": recipe.samplesPerPixel,
            "bounces": AssetRenderer.defaultBounces,
        ]
    }
}
