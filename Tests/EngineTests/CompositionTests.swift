import Datasets
import Foundation
import ImageIO
import Rendering
import StudioCore
import TestSupport
import Testing

@testable import Engine

/// The sample workspace's composed recipe, as `make run` ships it.
private let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../sample-data").standardized
    .path

@Suite("Composed scenes: recipes of the user's assets")
struct CompositionTests {
    static func job(_ recipe: String, pins: [String: String] = [:]) throws -> RenderJob {
        try RenderJob(
            RenderSpec(
                id: "x", units: UnitPlan(dataset: "d", count: 2, seed: 3, shard: try Shard.parse("0/1")), recipe: recipe, pins: pins,
                size: PixelSize(width: 64, height: 48), samplesPerPixel: 1))
    }

    @Test("The sample yard recipe labels its assets' classes, with the environment as an attribute")
    func sampleYard() throws {
        let job = try Self.job("\(sample)/scenes/yard.yaml", pins: ["environment": "sunset", "camera_distance": "4"])
        #expect(job.classes == ["crate", "traffic_cone", "ball"])
        let (attributes, annotations) = try job.labelled(0)
        #expect(attributes["environment"] == "sunset")
        #expect(!annotations.isEmpty)
        #expect(annotations.allSatisfy { job.classes.contains($0.category) })
    }

    @Test("count_<class> pins how many of each of that class's assets are placed; a bad count or an unknown class is an error")
    func countPins() throws {
        let recipe = "\(sample)/scenes/yard.yaml"
        for (crates, balls) in [(5, 0), (0, 2)] {
            let job = try Self.job(recipe, pins: ["count_crate": "\(crates)", "count_ball": "\(balls)"])
            for i in 0..<2 {
                let (scene, _, values) = try #require(try job.composed(i))
                #expect(scene.placements.filter { $0.label == "crate" }.count == crates)
                #expect(scene.placements.filter { $0.label == "ball" }.count == balls)
                #expect(values["count_crate"] == "\(crates)")
            }
        }
        // Unpinned, the recipe's own draws (0…3 crates) and the planner's plenty.
        let free = try Self.job(recipe)
        let drawn = try (0..<2).map { try #require(try free.composed($0)).scene.placements.filter { $0.label == "crate" }.count }
        #expect(drawn.allSatisfy { (0...3).contains($0) })
        let composition = try #require(free.recipe.composition)
        #expect(
            composition.plentiful("crate")! == ("count_crate", "3") && composition.plentiful("traffic_cone")! == ("count_traffic_cone", "4")
        )
        #expect(composition.plentiful("chair") == nil)
        #expect(throws: EngineError.self) { try Self.job(recipe, pins: ["count_crate": "many"]).labelled(0) }
        #expect(throws: EngineError.self) { try Self.job(recipe, pins: ["count_chair": "2"]).labelled(0) }
    }

    @Test("A ground pattern and a drawn wetness reach the scene; wetness is an attribute; an unknown pattern names the line")
    func groundLook() throws {
        let dir = TemporaryDirectory()
        _ = dir.write("studio.yaml", "datasets: []\n")
        for part in ["environments/city.exr", "assets/crate.obj", "assets/crate.mtl", "assets/crate.png"] {
            _ = dir.write(part, try FileIO.read("\(sample)/\(part)"))
        }
        let recipe = dir.write(
            "scenes/wet.yaml",
            "scene: assets\nenvironment: environments/city.exr\nground: {pattern: paving}\n"
                + "assets:\n  - {file: assets/crate.obj, class: crate}\nparameters:\n  wetness: {uniform: [0.4, 0.9]}\n")
        let job = try Self.job(recipe)
        let (scene, attributes, _) = try #require(try job.composed(0))
        let look = try #require(scene.ground)
        #expect(look.placement == 0 && (0.4...0.9).contains(look.wetness))
        #expect(attributes["wetness"].flatMap(Double.init).map { (0.4...0.9).contains($0) } == true, "\(attributes)")
        // Without either, the plain ground of before.
        #expect(try #require(try Self.job("\(sample)/scenes/yard.yaml").composed(0)).scene.ground == nil)
        let bad = dir.write(
            "scenes/bad.yaml",
            "scene: assets\nenvironment: environments/city.exr\nground: {pattern: gravel}\nassets:\n  - {file: assets/crate.obj, class: crate}\n"
        )
        let error = #expect(throws: EngineError.self) { try Self.job(bad) }
        #expect(
            error?.description.contains("gravel") == true && error?.description.contains("asphalt") == true, "\(String(describing: error))")
    }

    /// A workspace with the sample's city environment and `files` from the sample's assets
    /// (by their path under the new workspace).
    static func workspace(_ files: [String: String]) throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        _ = dir.write("studio.yaml", "datasets: []\n")
        _ = dir.write("environments/city.exr", try FileIO.read("\(sample)/environments/city.exr"))
        for (target, source) in files { _ = dir.write(target, try FileIO.read("\(sample)/\(source)")) }
        return dir
    }

    @Test("An asset folder: each placement one of its model files at random, named on its annotation; an empty folder is refused")
    func folders() throws {
        let dir = try Self.workspace([
            "props/crate.obj": "assets/crate.obj", "props/crate.mtl": "assets/crate.mtl", "props/crate.png": "assets/crate.png",
            "props/cone.gltf": "assets/cone.gltf", "props/cone.bin": "assets/cone.bin", "props/cone.png": "assets/cone.png",
        ])
        _ = dir.write("props/README.txt", "not a model\n")
        let recipe = dir.write(
            "scenes/props.yaml",
            "scene: assets\nenvironment: environments/city.exr\nassets:\n  - {file: props, class: prop, count: 6}\n")
        let job = try Self.job(recipe)
        let composition = try #require(job.recipe.composition)
        #expect(composition.assets[0].files.map { FileIO.lastComponent(of: $0) } == ["cone.gltf", "crate.obj"])
        var seen: Set<String> = []
        for i in 0..<2 {
            let (scene, _, _) = try #require(try job.composed(i))
            let props = scene.placements.filter { $0.label == "prop" }
            #expect(props.count == 6)
            for placement in props {
                let name = try #require(placement.attributes["asset"])
                seen.insert(name)
                // The placement's asset is the model its annotation names.
                #expect(scene.assets[placement.asset].file.hasSuffix("/\(name).\(name == "cone" ? "gltf" : "obj")"))
            }
        }
        #expect(seen == ["cone", "crate"])
        let (_, annotations) = try job.labelled(0)
        #expect(!annotations.isEmpty && annotations.allSatisfy { ["cone", "crate"].contains($0.annotation.attributes["asset"] ?? "") })
        // The Cycles peer's description lists both files; placements index them.
        let description = try #require(try job.composedDescription(0))
        #expect((description["assets"] as? [String])?.count == 2)
        _ = dir.write("empty/notes.txt", "nothing\n")
        let empty = dir.write(
            "scenes/empty.yaml", "scene: assets\nenvironment: environments/city.exr\nassets:\n  - {file: empty, class: prop}\n")
        let error = #expect(throws: EngineError.self) { try Self.job(empty) }
        #expect(error?.description.contains("no model files") == true, "\(String(describing: error))")
    }

    /// `check` given a render job of `count` tiny images of a recipe of the sample crate under the
    /// city sky (`body` after the scene and environment lines), while its workspace exists.
    static func crates(_ body: String, count: Int, seed: UInt64, _ check: (RenderJob) throws -> Void) throws {
        let dir = try Self.workspace(["crate.obj": "assets/crate.obj", "crate.mtl": "assets/crate.mtl", "crate.png": "assets/crate.png"])
        let recipe = dir.write("scenes/crates.yaml", "scene: assets\nenvironment: environments/city.exr\n" + body)
        let job = try RenderJob(
            RenderSpec(
                id: "x", units: UnitPlan(dataset: "d", count: count, seed: seed, shard: try Shard.parse("0/1")), recipe: recipe,
                pins: [:], size: PixelSize(width: 32, height: 24), samplesPerPixel: 1))
        try withExtendedLifetime(dir) { try check(job) }
    }

    @Test("No object stands over the camera: a camera among the objects is never inside one (it rendered a black frame labelled whole)")
    func clearOfTheCamera() throws {
        // Twelve crates on 1.5 m around the middle, the camera 1 m from it: before, many
        // images put a crate over the camera.
        var placed = 0
        try Self.crates(
            "ground: {area: 1.5}\nassets:\n  - {file: crate.obj, class: crate, count: 12, scale: 0.6}\n"
                + "parameters:\n  camera_distance: 1\n  camera_height: 0.3\n  camera_yaw: {uniform: [0, 360]}\n", count: 20, seed: 3
        ) { job in
            for i in 0..<20 {
                let scene = try #require(try job.composed(i)).scene
                let eye = SIMD2(scene.camera.position.x, scene.camera.position.z)
                for placement in scene.placements where placement.label == "crate" {
                    placed += 1
                    // The crate is 1 m wide: at scale 0.6 its corners are 0.43 m from its centre.
                    let centre = SIMD2(placement.position.x, placement.position.z)
                    #expect(((centre - eye) * (centre - eye)).sum().squareRoot() > 0.43, "image \(i): a crate over the camera")
                }
            }
        }
        // Most are placed; the few whose every spot fell over the camera are left out.
        #expect(placed > 200, "\(placed) crates placed")
    }

    @Test("Objects rest a hair above the ground, not in its plane: a glass base then mirrors its surroundings (Cycles and we agree)")
    func restingAboveTheGround() throws {
        var placed = 0
        try Self.crates(
            "ground: {area: 3}\nassets:\n  - {file: crate.obj, class: crate, count: 3, scale: {uniform: [0.5, 1.5]}}\n", count: 4, seed: 5
        ) { job in
            for i in 0..<4 {
                let scene = try #require(try job.composed(i)).scene
                for placement in scene.placements where placement.label == "crate" {
                    placed += 1
                    let lowest = placement.position.y + scene.assets[placement.asset].bounds.min.y * placement.scale
                    // Above the renderer's 1 mm ray offset (a ray leaving the base must start above
                    // the ground), well under a pixel.
                    #expect(abs(lowest - 0.002) < 1e-5, "image \(i): lowest point at \(lowest) m")
                }
            }
        }
        #expect(placed == 12)
    }

    @Test("textures: a share of objects wear one of a folder's pictures, named on the annotation; the placements stay as drawn")
    func randomTextures() throws {
        let dir = try Self.workspace([
            "crate.obj": "assets/crate.obj", "crate.mtl": "assets/crate.mtl", "crate.png": "assets/crate.png",
            "pictures/a.png": "textures/stripes.png", "pictures/b.png": "textures/checks.png",
        ])
        _ = dir.write("pictures/notes.txt", "not a picture\n")
        func job(_ textures: String) throws -> RenderJob {
            let recipe = dir.write(
                "scenes/worn.yaml",
                "scene: assets\nenvironment: environments/city.exr\n\(textures)assets:\n  - {file: crate.obj, class: crate, count: 8}\n")
            return try Self.job(recipe)
        }
        let plain = try job(""), all = try job("textures: {folder: pictures, share: 1}\n")
        let none = try job("textures: {folder: pictures, share: 0}\n")
        #expect(try #require(all.recipe.composition?.textures).files.map { FileIO.lastComponent(of: $0) } == ["a.png", "b.png"])
        var worn: Set<String> = []
        for i in 0..<2 {
            let (scene, _, _) = try #require(try all.composed(i))
            let crates = scene.placements.filter { $0.label == "crate" }
            #expect(crates.count == 8 && crates.allSatisfy { $0.texture != nil } && scene.textures.count == 2)
            worn.formUnion(crates.compactMap { $0.attributes["texture"] })
            // The ground wears nothing; the placements are those drawn without pictures.
            #expect(scene.placements.filter { $0.label == nil }.allSatisfy { $0.texture == nil })
            let before = try #require(try plain.composed(i)).scene.placements
            #expect(before.map(\.position) == scene.placements.map(\.position) && before.map(\.yaw) == scene.placements.map(\.yaw))
            #expect(try #require(try none.composed(i)).scene.placements.allSatisfy { $0.texture == nil })
        }
        #expect(worn == ["a", "b"])
        let (_, annotations) = try all.labelled(0)
        #expect(!annotations.isEmpty && annotations.allSatisfy { ["a", "b"].contains($0.annotation.attributes["texture"] ?? "") })
        // An object all of glass wears nothing, and its annotation names no picture.
        _ = dir.write("bottle.glb", try FileIO.read("\(sample)/assets/bottle.glb"))
        let glassy = try Self.job(
            dir.write(
                "scenes/glassy.yaml",
                "scene: assets\nenvironment: environments/city.exr\ntextures: {folder: pictures, share: 1}\nassets:\n"
                    + "  - {file: bottle.glb, class: bottle, count: 3}\n  - {file: crate.obj, class: crate, count: 3}\n"))
        let scene = try #require(try glassy.composed(0)).scene
        let bottles = scene.placements.filter { $0.label == "bottle" }, crates = scene.placements.filter { $0.label == "crate" }
        #expect(bottles.count == 3 && bottles.allSatisfy { $0.texture == nil && $0.attributes["texture"] == nil })
        #expect(crates.count == 3 && crates.allSatisfy { $0.texture != nil && $0.attributes["texture"] != nil })
        // A wearing scene is not described to the Cycles peer, which has no pictures to put on.
        #expect(try all.composedDescription(0) == nil && plain.composedDescription(0) != nil)
        // Errors name what is wrong.
        for (textures, message) in [
            ("textures: {folder: missing}\n", "no such folder"), ("textures: {folder: crate.obj}\n", "no such folder"),
            ("textures: {share: 0.5}\n", "needs folder"), ("textures: {folder: pictures, share: 2}\n", "share must be 0…1"),
            ("textures: {folder: pictures, size: 2}\n", "size"),
        ] {
            let error = #expect(throws: EngineError.self) { try job(textures) }
            #expect(error?.description.contains(message) == true, "\(textures): \(String(describing: error))")
        }
        _ = dir.write("empty/notes.txt", "nothing\n")
        let empty = #expect(throws: EngineError.self) { try job("textures: {folder: empty}\n") }
        #expect(empty?.description.contains("no PNG or JPEG") == true)
        // A street has no textures: key.
        let street = dir.write("scenes/street.yaml", "textures: {folder: pictures}\n")
        #expect(throws: EngineError.self) { try Self.job(street) }
    }

    @Test("Placed along a path: every object within its spread of the line, facing along it; a bad path is an error at its line")
    func alongAPath() throws {
        let dir = try Self.workspace([
            "assets/crate.obj": "assets/crate.obj", "assets/crate.mtl": "assets/crate.mtl", "assets/crate.png": "assets/crate.png",
        ])
        let recipe = dir.write(
            "scenes/walk.yaml",
            """
            scene: assets
            environment: environments/city.exr
            paths:
              walk: [[-4, 0], [4, 0], [4, 6]]
            assets:
              - {file: assets/crate.obj, class: crate, count: 8, scale: 0.3, along: walk, spread: 0.25}
            """)
        let job = try Self.job(recipe)
        for i in 0..<2 {
            let (scene, _, _) = try #require(try job.composed(i))
            let crates = scene.placements.filter { $0.label == "crate" }
            #expect(crates.count == 8)
            for crate in crates {
                let (x, z) = (crate.position.x, crate.position.z)
                // Distance to the first leg (z = 0, −4…4) or to the second (x = 4, 0…6).
                let first = abs(z) + max(0, abs(x) - 4), second = abs(x - 4) + max(0, -z, z - 6)
                #expect(min(first, second) <= 0.26, "(\(x), \(z))")
                // Facing along the leg it is on, either way, within ±10° (near the corner either
                // leg's way).
                guard abs(x - 4) + abs(z) > 0.6 else { continue }
                let along: Float = first <= second ? .pi / 2 : 0
                var off = (crate.yaw - along).truncatingRemainder(dividingBy: .pi)
                if off > .pi / 2 { off -= .pi } else if off < -.pi / 2 { off += .pi }
                #expect(abs(off) < 0.18, "yaw \(crate.yaw) on a leg at \(along)")
            }
        }
        for (name, text) in [
            ("unknown", "paths:\n  walk: [[0, 0], [1, 0]]\nassets:\n  - {file: assets/crate.obj, class: crate, along: road}\n"),
            ("short", "paths:\n  walk: [[0, 0]]\nassets:\n  - {file: assets/crate.obj, class: crate, along: walk}\n"),
            ("points", "paths:\n  walk: [[0, 0, 1], [1, 0]]\nassets:\n  - {file: assets/crate.obj, class: crate, along: walk}\n"),
        ] {
            let bad = dir.write("scenes/\(name).yaml", "scene: assets\nenvironment: environments/city.exr\n" + text)
            let error = #expect(throws: EngineError.self, "\(name)") { try Self.job(bad) }
            #expect(error?.description.contains("\(name).yaml:") == true, "\(name): \(String(describing: error))")
        }
    }

    @Test("A missing asset, an unknown key, a street key in a composed scene: errors before rendering")
    func broken() throws {
        let dir = TemporaryDirectory()
        _ = dir.write("studio.yaml", "datasets: []\n")
        let env = try FileIO.read("\(sample)/environments/sunset.exr")
        _ = dir.write("environments/sky.exr", env)
        let good = "scene: assets\nenvironment: environments/sky.exr\nassets:\n  - {file: assets/none.gltf, class: box}\n"
        let cases = [
            good,
            "scene: assets\nenvironment: environments/none.exr\nassets: []\n",
            "scene: assets\nenvironment: environments/sky.exr\nassets:\n  - {file: environments/sky.exr, class: box, colour: red}\n",
            "scene: assets\nenvironment: environments/sky.exr\nassets:\n  - {file: environments/sky.exr, class: box}\nparameters:\n  weather: snow\n",
            "scene: garden\n",
            "environment: environments/sky.exr\n",
        ]
        for (i, text) in cases.enumerated() {
            let recipe = dir.write("scenes/r\(i).yaml", text)
            #expect(throws: EngineError.self, "case \(i)") { try Self.job(recipe) }
        }
        // A file that is no model: refused when the job is made, naming it.
        let recipe = dir.write(
            "scenes/junk.yaml", "scene: assets\nenvironment: environments/sky.exr\nassets:\n  - {file: environments/sky.exr, class: box}\n")
        let error = #expect(throws: EngineError.self) { try Self.job(recipe) }
        #expect(error?.description.contains("sky.exr") == true)
    }

    @Test("A skinned asset is posed per placement at a drawn animation time, recorded on its annotation")
    func animatedAssets() throws {
        let dir = TemporaryDirectory()
        _ = dir.write("studio.yaml", "datasets: []\n")
        _ = dir.write("environments/sky.exr", try FileIO.read("\(sample)/environments/sunset.exr"))
        _ = dir.write("assets/strip.gltf", try FileIO.read("/usr/share/assimp/models/glTF2/simple_skin/simple_skin.gltf"))
        let recipe = dir.write(
            "scenes/strips.yaml",
            """
            scene: assets
            environment: environments/sky.exr
            assets:
              - {file: assets/strip.gltf, class: strip, count: 3, animation_time: {uniform: [0, 5.5]}}
            parameters:
              camera_distance: 6
            """)
        let job = try Self.job(recipe)
        let (_, annotations) = try job.labelled(0)
        let times = annotations.compactMap { $0.annotation.attributes["animation_time_s"] }
        #expect(!times.isEmpty && times.allSatisfy { Double($0).map { (0...5.5).contains($0) } == true }, "\(times)")
        #expect(Set(times).count > 1, "each placement its own moment")
        // Not a number of seconds: an error naming the class.
        let bad = dir.write(
            "scenes/bad.yaml",
            "scene: assets\nenvironment: environments/sky.exr\nassets:\n  - {file: assets/strip.gltf, class: strip, animation_time: soon}\n"
        )
        let error = #expect(throws: EngineError.self) { try Self.job(bad).labelled(0) }
        #expect(error?.description.contains("animation_time of strip") == true)
    }
}
