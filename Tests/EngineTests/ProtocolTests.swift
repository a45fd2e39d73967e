import Datasets
import Engine
import Foundation
import TestSupport
import Testing

@Suite("Job specs and the event protocol")
struct ProtocolTests {
    static let specs: [JobSpec] = [
        .render(
            RenderSpec(
                id: "j-1",
                units: UnitPlan(
                    dataset: "street", count: 200, seed: 18_446_744_073_709_551_615, shard: try! Shard.parse("2/4"),
                    goal: Goal(view: "street", row: "cyclist", column: "snow", target: 20)),
                recipe: "/w/scenes/street.yaml", pins: ["weather": "snow"], size: PixelSize(width: 96, height: 72), samplesPerPixel: 2,
                labels: ["pedestrian": "person"], classes: ["person", "car"])),
        .ganSample(
            GANSampleSpec(id: "j-2", units: UnitPlan(dataset: "digits-gan", count: 85, seed: 3), run: "/w/models/digits", className: "7")),
        .ganTrain(
            GANTrainSpec(id: "j-3", data: "/w/real/digits", run: "/w/models/d", steps: 3000, seed: 1, resolution: 16, ngf: 32, ndf: 32)),
        .ganTrain(
            GANTrainSpec(
                id: "j-7", data: "/w/real/digits", run: "/w/models/r", steps: 10, seed: 2, architecture: "resnet", loss: "bce",
                augment: "ada")),
        .evaluate(EvaluateSpec(id: "j-4", real: "/a", synthetic: "/b", holdout: "/c", seed: 9)),
        .evaluate(EvaluateSpec(id: "j-6", real: "/a", synthetic: "/b", holdout: "/c", seed: 2, task: .detect, steps: 40, size: "128x96")),
        .external(
            ExternalSpec(
                id: "j-5", units: UnitPlan(dataset: "gen", count: 6, seed: 2), command: ["sh", "x.sh"], parameters: ["k": "v"],
                classes: ["digit"])),
    ]

    @Test("every kind of spec round-trips through its JSON")
    func specRoundTrip() throws {
        for spec in Self.specs {
            let parsed = try JobSpec.parse(Array(spec.json().utf8), file: "spec.json")
            #expect(parsed == spec, "\(spec.kind)")
            #expect(parsed.json() == spec.json())
        }
        #expect(Array(try Shard.parse("2/4").indices(of: 11)) == [2, 6, 10])
    }

    @Test(
        "bad specs are clear errors",
        arguments: [
            (#"{"id": "a", "kind": "paint", "count": 1, "seed": "1", "dataset": "d"}"#, "unknown kind \"paint\""),
            (
                #"{"id": "a", "kind": "external", "count": 1, "seed": "1", "dataset": "d", "command": ["x"], "colour": "red"}"#,
                "unknown field \"colour\""
            ),
            (#"{"id": "a", "kind": "external", "count": 0, "seed": "1", "dataset": "d", "command": ["x"]}"#, "count must be at least 1"),
            (#"{"id": "a", "kind": "external", "count": 2, "seed": "1", "dataset": "d"}"#, "missing command"),
            (#"{"id": "a", "kind": "render", "count": 2, "seed": "1", "dataset": "../real", "recipe": "r"}"#, "needs a dataset name"),
            (#"{"id": "a", "kind": "render", "count": 2, "seed": "1", "dataset": "d"}"#, "missing recipe"),
            (#"{"id": "a", "kind": "external", "count": 2, "seed": "-1", "dataset": "d", "command": ["x"]}"#, "seed must be"),
            (
                #"{"id": "a", "kind": "external", "count": 2, "seed": "1", "dataset": "d", "command": ["x"], "shard": "4/4"}"#,
                "shard 4/4 is impossible"
            ),
            (
                #"{"id": "a", "kind": "gan-sample", "count": 2, "seed": "1", "dataset": "d", "run": "r", "recipe": "x"}"#,
                "unknown field \"recipe\""
            ),
            (#"{"id": "a", "kind": "gan-train", "data": "d", "run": "r", "steps": true, "seed": "1"}"#, "steps must be an integer"),
            (
                #"{"id": "a", "kind": "gan-train", "data": "d", "run": "r", "steps": 5, "seed": "1", "architecture": "biggan"}"#,
                "expected dcgan or resnet"
            ),
            (
                #"{"id": "a", "kind": "evaluate", "real": "r", "synthetic": "s", "holdout": "h", "seed": "1", "task": "segment"}"#,
                "task must be classify or detect"
            ),
            (#"{"id": "a", "kind": "render", "count": 2, "seed": "1", "dataset": "d", "recipe": "r", "size": "2x2"}"#, "8…4096"),
            ("[1]", "a job spec is a JSON object"),
        ])
    func badSpec(text: String, message: String) {
        let error = #expect(throws: EngineError.self) { try JobSpec.parse(Array(text.utf8), file: "spec.json") }
        #expect(error?.code == .invalidSpec)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test("specs from the command line: paths resolved against the workspace, unknown settings refused")
    func fromSettings() throws {
        let dir = TemporaryDirectory()
        dir.write("studio.yaml", "datasets:\n  - name: digits\n    path: real/digits\n    origin: real\n")
        dir.write("scenes/street.yaml", "size: [64, 48]\n")
        let ws = try Workspace.load(dir.path)
        let train = try JobSpec.make(
            kind: .ganTrain, id: "t", dataset: nil, count: 100, seed: 1,
            settings: ["data": "digits", "run": "models/d", "resolution": "16"],
            in: ws)
        guard case .ganTrain(let t) = train else { Issue.record("\(train)"); return }
        #expect(t.data == "\(dir.path)/real/digits" && t.run == "\(dir.path)/models/d" && t.resolution == 16 && t.steps == 100)
        let render = try JobSpec.make(
            kind: .render, id: "r", dataset: "street", count: 3, seed: 5, settings: ["weather": "snow", "size": "96x72"],
            recipe: "\(dir.path)/scenes/street.yaml", in: ws)
        guard case .render(let r) = render else { Issue.record("\(render)"); return }
        #expect(r.pins == ["weather": "snow"] && r.size == PixelSize(width: 96, height: 72))
        for (kind, settings, message) in [
            (JobSpec.Kind.ganSample, ["class": "7"], "--set run="),
            (.ganSample, ["run": "models/d", "class": "7", "colour": "red"], "--set colour"),
            (.ganTrain, ["data": "d", "run": "r", "batch": "many"], "expected an integer"),
        ] {
            let error = #expect(throws: EngineError.self) {
                try JobSpec.make(kind: kind, id: "x", dataset: "d", count: 1, seed: 1, settings: settings, in: ws)
            }
            #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        }
    }

    @Test("every event survives a round trip through one line")
    func events() throws {
        let events: [JobEvent] = [
            .started(total: 9), .progress(done: 3, total: 9, rate: 1.25), .artifact(index: 2, unit: "2"), .log("snow \u{1B}[31m"),
            .finished, .failed("out of disk"),
        ]
        for event in events {
            let line = event.line()
            #expect(line.hasSuffix("\n") && !line.dropLast().contains("\n"))
            #expect(!line.unicodeScalars.contains("\u{1B}"))
            #expect(try JobEvent.parse(line.dropLast()) == event)
        }
    }

    @Test(
        "garbage from a worker is a protocol violation",
        arguments: [
            "hello", "{}", #"{"event": "explode"}"#, #"{"event": "progress", "done": -1, "total": 3, "rate": 1}"#,
            #"{"event": "artifact", "index": 1, "unit": "../../etc"}"#, #"{"event": "started"}"#, "[1, 2]",
        ])
    func garbage(line: String) {
        #expect((#expect(throws: EngineError.self) { try JobEvent.parse(line) })?.code == .protocolViolation)
    }
}

@Suite("Unit names")
struct UnitKeyTests {
    static let recipe = "size: [32, 24]\nsamples_per_pixel: 1\nparameters:\n  weather: {choice: {sunny: 1, snow: 1}}\n"

    static func key(
        _ dir: TemporaryDirectory, pins: [String: String] = [:], seed: UInt64 = 5, count: Int = 3, shard: String = "0/1",
        recipe: String = recipe
    ) throws -> UnitKey {
        let file = dir.write("scenes/street.yaml", recipe)
        return try RenderJob(
            RenderSpec(
                id: "x", units: UnitPlan(dataset: "d", count: count, seed: seed, shard: try Shard.parse(shard)), recipe: file, pins: pins)
        ).key
    }

    @Test("a name changes with every input the image depends on, and not with the count or the shard")
    func everyInputCounts() throws {
        let dir = TemporaryDirectory()
        let base = try Self.key(dir, pins: ["weather": "snow"])
        #expect(base.name(7) == "street-\(base.key)-000007.png" && base.key.count == 12)
        #expect(base.index(of: base.name(7)) == 7 && base.index(of: "street-000000000000-000007.png") == nil)
        #expect(try Self.key(dir, pins: ["weather": "rain"]) != base, "another pin")
        #expect(try Self.key(dir, pins: ["weather": "snow"], seed: 6) != base, "another seed")
        #expect(try Self.key(dir, pins: [:]) != base, "no pin")
        #expect(try Self.key(dir, pins: ["weather": "snow"], recipe: Self.recipe + "min_area: 10\n") != base, "another recipe")
        #expect(try Self.key(dir, pins: ["weather": "snow"], count: 300) == base, "the count")
        #expect(try Self.key(dir, pins: ["weather": "snow"], count: 300, shard: "1/4") == base, "the shard")
    }
}
