import Datasets
import Foundation
import ImageIO
import Rendering
import StudioCore
import TestSupport
import Testing

@testable import Engine

/// The sample workspace, as `make run` ships it.
private let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../sample-data").standardized
    .path

@Suite("Street recipes place the user's own models")
struct StreetAssetsTests {
    static func job(_ recipe: String, pins: [String: String] = [:], size: PixelSize = PixelSize(width: 160, height: 120)) throws
        -> RenderJob
    {
        try RenderJob(
            RenderSpec(
                id: "x", units: UnitPlan(dataset: "d", count: 3, seed: 5, shard: try Shard.parse("0/1")), recipe: recipe, pins: pins,
                size: size, samplesPerPixel: 1))
    }

    /// A workspace with the sample's rigged person and static cone, and a street recipe of
    /// `text` (its `people:` when it is a list's items).
    static func workspace(_ text: String) -> (TemporaryDirectory, String) {
        let dir = TemporaryDirectory()
        _ = dir.write("studio.yaml", "datasets: []\n")
        _ = dir.write("assets/people/jumper.glb", (try? FileIO.read("\(sample)/assets/people/jumper.glb")) ?? [])
        _ = dir.write("assets/cone.gltf", (try? FileIO.read("\(sample)/assets/cone.gltf")) ?? [])
        _ = dir.write("assets/cone.bin", (try? FileIO.read("\(sample)/assets/cone.bin")) ?? [])
        _ = dir.write("assets/cone.png", (try? FileIO.read("\(sample)/assets/cone.png")) ?? [])
        return (dir, dir.write("scenes/street.yaml", text.hasPrefix("  -") ? "people:\n\(text)\n" : text))
    }

    @Test("Every pedestrian from a share of 1 is the asset: upright, its height and animation time drawn within the recipe's")
    func placed() throws {
        let (dir, recipe) = Self.workspace(
            "  - {file: assets/people/jumper.glb, share: 1, height: {uniform: [1.6, 1.8]}, animation_time: {uniform: [0, 0.3]}}")
        let job = try Self.job(recipe, pins: ["rig": "eye_level", "pedestrians": "14", "time_of_day": "day", "weather": "sunny"])
        var people: [Annotation] = []
        for i in 0..<3 {
            people += try job.labelled(i).annotations.filter { $0.category == "pedestrian" }.map(\.annotation)
        }
        #expect(!people.isEmpty)
        for person in people {
            let a = person.attributes
            #expect(a["asset"] == "jumper" && a["pose"] == "animated", "\(a)")
            #expect(Double(a["animation_time_s"] ?? "").map { (0...0.3).contains($0) } == true)
            #expect(Double(a["height_m"] ?? "").map { (1.59...1.8).contains($0) } == true)
        }
        // Standing up: a person seen whole and large enough is taller than wide in the image.
        let whole = people.filter { !$0.isCrowd && $0.attributes["truncation"] == "0.0" && ($0.box?.height ?? 0) >= 20 }
        #expect(!whole.isEmpty)
        for person in whole {
            let box = try #require(person.box)
            #expect(box.height > box.width * 1.2, "\(box)")
        }
        _ = dir
    }

    @Test("The sample's street-assets recipe mixes its rigged figure with the street's own people, and labels cones and crates")
    func sampleRecipe() throws {
        let job = try Self.job(
            "\(sample)/scenes/street-assets.yaml",
            pins: ["pedestrians": "40", "rig": "cctv", "count_traffic_cone": "5", "count_crate": "3"])
        #expect(job.classes == StreetRenderer.classes + ["traffic_cone", "crate"])
        let annotations = try (0..<2).flatMap { try job.labelled($0).annotations }
        let people = annotations.filter { $0.category == "pedestrian" }
        let assets = people.filter { $0.annotation.attributes["asset"] == "jumper" }.count
        #expect(assets > 0 && assets < people.count, "\(assets) of \(people.count)")
        #expect(annotations.contains { $0.category == "traffic_cone" } && annotations.contains { $0.category == "crate" })
    }

    @Test("Bad people: entries are errors naming what is wrong, before the first image")
    func refused() throws {
        let cases: [(String, String)] = [
            ("  - {file: assets/people/jumper.glb, share: 0.7}\n  - {file: assets/people/jumper.glb, share: 0.5}", "more than 1"),
            ("  - {file: assets/people/jumper.glb}", "file and share"),
            ("  - {file: assets/people/none.glb, share: 0.5}", "no such file"),
            ("  - {file: assets/people/jumper.glb, share: 0.5, up: w}", "up is one of"),
            ("  - {file: assets/people/jumper.glb, share: 0.5, facing: left}", "facing is one of"),
            ("  - {file: assets/people/jumper.glb, share: 0.5, height: 12}", "height must be within"),
            ("  - {file: assets/people/jumper.glb, share: 0.5, height: {normal: {mean: 1.7, std: 0.1}}}", "uniform"),
            ("  - {file: assets/people/jumper.glb, share: 0.5, size: 2}", "size"),
            ("  - {file: assets/cone.gltf, share: 0.5, animation_time: 1}", "no skinned animation"),
            ("assets:\n  - {file: assets/cone.gltf}\n", "file and class"),
            ("assets:\n  - {file: assets/cone.gltf, class: cone, on: roof}\n", "on is one of road, sidewalk"),
            ("assets:\n  - {file: assets/cone.gltf, class: cone, count: 900}\n", "count must be within"),
            ("assets:\n  - {file: assets/cone.gltf, class: pedestrian_reflection}\n", "cannot be placed"),
            ("assets:\n  - {file: assets/cone.gltf, class: cone, share: 1}\n", "share"),
            ("environment: assets/cone.png\n", "belongs to a composed scene"),
            ("assets:\n  - {file: assets/cone.gltf, class: cone, color_variation: 2}\n", "a share must be 0…1"),
        ]
        for (people, message) in cases {
            let (dir, recipe) = Self.workspace(people)
            let error = #expect(throws: EngineError.self, "\(people)") { try Self.job(recipe) }
            #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
            _ = dir
        }
        // People belong to streets.
        let (dir, _) = Self.workspace("")
        let composed = dir.write(
            "scenes/yard.yaml",
            "scene: assets\nenvironment: assets/cone.png\nassets:\n  - {file: assets/cone.gltf, class: cone}\n"
                + "people:\n  - {file: assets/people/jumper.glb, share: 1}\n")
        let error = #expect(throws: EngineError.self) { try Self.job(composed) }
        #expect(error?.description.contains("people belongs to a street scene") == true, "\(error?.description ?? "")")
    }

    @Test("A street recipe's assets: are labelled under their classes after the street's, counted as drawn or pinned")
    func props() throws {
        let (dir, recipe) = Self.workspace(
            "assets:\n  - {file: assets/cone.gltf, class: cone, count: {uniform: [2, 3]}, scale: 2, on: sidewalk}\n"
                + "  - {file: assets/cone.gltf, class: car, count: 2, on: road}\n")
        let pins = ["rig": "eye_level", "time_of_day": "day", "weather": "sunny"]
        let job = try Self.job(recipe, pins: pins)
        #expect(job.classes == StreetRenderer.classes + ["cone"])
        #expect(job.recipe.plenty("cone")! == ("count_cone", "3"))
        #expect(job.recipe.plenty("car")! == ("cars", "7"), "the street's own parameter first")
        var cones = 0
        for i in 0..<3 {
            let annotations = try job.labelled(i).annotations
            let mine = annotations.filter { $0.category == "cone" }
            cones += mine.count
            #expect(mine.allSatisfy { $0.annotation.attributes["asset"] == "cone" && $0.annotation.attributes["scale"] == "2.0" })
        }
        #expect(cones > 0)
        // Pinned: none, or many.
        let none = try Self.job(recipe, pins: pins.merging(["count_cone": "0"]) { a, _ in a })
        #expect(try (0..<3).allSatisfy { try none.labelled($0).annotations.allSatisfy { $0.category != "cone" } })
        let bad = try Self.job(recipe, pins: ["count_cone": "lots"])
        #expect(throws: EngineError.self) { try bad.labelled(0) }
        _ = dir
    }

    @Test("jobs start render --set labels= maps the recipe's own classes, its assets' included")
    func labelPairs() throws {
        let (dir, recipe) = Self.workspace("assets:\n  - {file: assets/cone.gltf, class: cone}\n")
        let ws = try Workspace.load(dir.path)
        func make(_ labels: String) throws -> JobSpec {
            try JobSpec.make(kind: .render, id: "r", dataset: "s", count: 1, seed: 1, settings: ["labels": labels], recipe: recipe, in: ws)
        }
        guard case .render(let spec) = try make("cone:traffic_cone,pedestrian:person") else { Issue.record("not a render"); return }
        #expect(spec.labels == ["cone": "traffic_cone", "pedestrian": "person"])
        let error = #expect(throws: EngineError.self) { try make("crate:box") }
        #expect(error?.message.contains("cone") == true, "\(String(describing: error))")
    }
}
