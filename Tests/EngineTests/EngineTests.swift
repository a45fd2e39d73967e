import Datasets
import Engine
import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@Suite("Job specs and the event protocol")
struct ProtocolTests {
    @Test("a spec round-trips through its JSON")
    func specRoundTrip() throws {
        let spec = try JobSpec(
            id: "j-1", kind: .render, dataset: "street", count: 200, seed: 18_446_744_073_709_551_615, parameters: ["weather": "snow"],
            recipe: "scenes/street.yaml", shard: try JobSpec.parseShard("2/4"))
        let parsed = try JobSpec.parse(Array(spec.json().utf8), file: "spec.json")
        #expect(parsed == spec)
        #expect(Array(spec.shard.indices(of: 11)) == [2, 6, 10])
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
            (#"{"id": "a", "kind": "external", "count": 2, "seed": "1", "dataset": "d"}"#, "needs a command"),
            (#"{"id": "a", "kind": "render", "count": 2, "seed": "1", "dataset": "../real"}"#, "needs a dataset name"),
            (#"{"id": "a", "kind": "external", "count": 2, "seed": "-1", "dataset": "d", "command": ["x"]}"#, "seed must be"),
            (
                #"{"id": "a", "kind": "external", "count": 2, "seed": "1", "dataset": "d", "command": ["x"], "shard": "4/4"}"#,
                "shard 4/4 is impossible"
            ),
            ("[1]", "a job spec is a JSON object"),
        ])
    func badSpec(text: String, message: String) {
        let error = #expect(throws: EngineError.self) { try JobSpec.parse(Array(text.utf8), file: "spec.json") }
        #expect(error?.code == .invalidSpec)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
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

@Suite("Committing units into a synthetic dataset")
struct CommitTests {
    /// Unit `i`: a small image, two annotations with a mask and attributes, provenance.
    static func unit(_ i: Int) -> (GeneratedUnit, Image) {
        let image = TestImages.pattern(width: 24, height: 16, layout: .rgb, seed: UInt64(100 + i))
        var mask = [UInt8](repeating: 0, count: 24 * 16)
        for y in 2..<9 { for x in (i % 5)..<(i % 5 + 6) { mask[y * 24 + x] = 1 } }
        let rle = RunLengthMask(rowMajor: mask, width: 24, height: 16)
        let unit = GeneratedUnit(
            index: i, name: String(format: "s7-%06d.png", i), width: 24, height: 16,
            attributes: ["weather": i % 2 == 0 ? "snow" : "rain"],
            annotations: [
                (
                    "pedestrian",
                    Annotation(categoryID: 0, box: rle.boundingBox, mask: .rle(rle), attributes: ["weather": i % 2 == 0 ? "snow" : "rain"])
                ),
                (
                    i % 3 == 0 ? "car" : "pedestrian_reflection",
                    Annotation(categoryID: 0, box: BoundingBox(x: 10, y: 4, width: 8, height: 6))
                ),
            ],
            provenance: #"{"file_name":"s7-\#(i).png","index":\#(i),"seed":7}"#)
        return (unit, image)
    }

    static func stage(_ indices: some Sequence<Int>, in staging: String) throws -> [String] {
        try indices.map { i in
            let (unit, image) = Self.unit(i)
            let folder = "\(staging)/\(i)"
            try unit.write(image: image, to: folder)
            return folder
        }
    }

    static func files(_ root: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: root).sorted() where !path.hasPrefix(".") {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDirectory), !isDirectory.boolValue {
                out[path] = FileManager.default.contents(atPath: "\(root)/\(path)")
            }
        }
        return out
    }

    @Test("units land whole: a COCO and YOLO dataset that reads back with masks, attributes and provenance")
    func commit() throws {
        let dir = TemporaryDirectory()
        let committer = DatasetCommitter(root: "\(dir.path)/synthetic/street")
        let committed = try committer.commit(units: try Self.stage(0..<5, in: "\(dir.path)/staging"))
        #expect(committed == [0, 1, 2, 3, 4])
        #expect(dir.list("staging").isEmpty)
        let dataset = try DatasetIO.read("\(dir.path)/synthetic/street")
        #expect(dataset.format == .coco && dataset.origin == .synthetic)
        #expect(dataset.samples.count == 5 && dataset.annotationCount == 10)
        #expect(dataset.categories.map(\.name) == ["pedestrian", "car", "pedestrian_reflection"])
        #expect(dataset.samples.allSatisfy { $0.provenance?.contains("\"seed\":7") == true })
        #expect(Validator.validate(dataset).isEmpty)
        let yolo = try DatasetIO.read("\(dir.path)/synthetic/street", format: .yolo)
        #expect(yolo.annotationCount == 10)
        guard case .rle(let rle)? = dataset.samples[0].annotations[0].mask else { Issue.record("mask lost"); return }
        #expect(rle.boundingBox == dataset.samples[0].annotations[0].box)
    }

    @Test("committing in batches, or after a kill between moving images and rewriting labels, equals one commit")
    func resumeEqualsUninterrupted() throws {
        let whole = TemporaryDirectory()
        try DatasetCommitter(root: "\(whole.path)/d").commit(units: try Self.stage(0..<8, in: "\(whole.path)/staging"))

        let pieces = TemporaryDirectory()
        let committer = DatasetCommitter(root: "\(pieces.path)/d")
        try committer.commit(units: try Self.stage(0..<3, in: "\(pieces.path)/staging"))
        // A kill -9 after unit 3's image was moved but before any label file was rewritten:
        let orphan = try Self.stage([3], in: "\(pieces.path)/staging")[0]
        #expect(rename("\(orphan)/image.png", "\(pieces.path)/d/images/s7-000003.png") == 0)
        try FileManager.default.removeItem(atPath: orphan)
        // … the dataset still reads, with the three committed units.
        #expect(try DatasetIO.read("\(pieces.path)/d").samples.count == 3)
        // A half-written unit (no manifest yet) is refused and left alone.
        let partial = "\(pieces.path)/staging/half"
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        #expect((#expect(throws: EngineError.self) { try committer.commit(units: [partial]) })?.code == .badUnit)
        // Resume renders units 3… again with the same seeds and commits them.
        try committer.commit(units: try Self.stage(3..<8, in: "\(pieces.path)/staging"))
        #expect(try Self.files("\(pieces.path)/d") == Self.files("\(whole.path)/d"))
    }
}

@Suite("Interrupted commits")
struct InterruptedCommitTests {
    @Test("a commit that moved the images but died before the labels is finished by the next commit")
    func imagesAlreadyMoved() throws {
        let whole = TemporaryDirectory()
        try DatasetCommitter(root: "\(whole.path)/d").commit(units: try CommitTests.stage(0..<4, in: "\(whole.path)/staging"))

        let dir = TemporaryDirectory()
        let committer = DatasetCommitter(root: "\(dir.path)/d")
        try committer.commit(units: try CommitTests.stage(0..<2, in: "\(dir.path)/staging"))
        // Units 2 and 3 staged; their images moved into the dataset; then the process died
        // (disk full, kill -9) before any label or annotation file was written.
        let staged = try CommitTests.stage(2..<4, in: "\(dir.path)/staging")
        for (i, folder) in zip(2..<4, staged) {
            #expect(rename("\(folder)/image.png", "\(dir.path)/d/images/\(String(format: "s7-%06d.png", i))") == 0)
        }
        #expect(try DatasetIO.read("\(dir.path)/d").samples.count == 2)
        try committer.commit(units: staged)
        #expect(try CommitTests.files("\(dir.path)/d") == CommitTests.files("\(whole.path)/d"))
        // A unit whose image is nowhere is still refused.
        let lost = try CommitTests.stage([9], in: "\(dir.path)/staging")[0]
        try FileManager.default.removeItem(atPath: "\(lost)/image.png")
        #expect((#expect(throws: EngineError.self) { try committer.commit(units: [lost]) })?.code == .badUnit)
    }
}

@Suite("Producing units while the previous one is written")
struct UnitPipelineTests {
    struct Failed: Error, Equatable { let index: Int }

    /// What happened, in order, from both threads.
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [String] = []
        func add(_ entry: String) { lock.withLock { entries.append(entry) } }
        var all: [String] { lock.withLock { entries } }
    }

    @Test("every unit is produced, written and landed, in order; a unit lands only after its write")
    func order() throws {
        let log = Log()
        var landed: [Int] = []
        try UnitPipeline.run(
            [4, 7, 9, 12],
            produce: { index in
                log.add("produce \(index)")
                return { log.add("write \(index)") }
            }
        ) { index in
            #expect(log.all.contains("write \(index)"))
            landed.append(index)
        }
        #expect(landed == [4, 7, 9, 12])
        let all = log.all
        for index in [4, 7, 9, 12] {
            let produced = try #require(all.firstIndex(of: "produce \(index)")),
                written = try #require(all.firstIndex(of: "write \(index)"))
            #expect(produced < written)
        }
    }

    @Test("a failing write stops the run: what was written before lands, nothing more is produced, the error comes out")
    func writeFails() {
        let log = Log()
        var landed: [Int] = []
        #expect(throws: Failed(index: 2)) {
            try UnitPipeline.run(
                Array(0..<6),
                produce: { index in
                    log.add("produce \(index)")
                    return {
                        if index == 2 { throw Failed(index: 2) }
                    }
                }
            ) { landed.append($0) }
        }
        #expect(landed == [0, 1])
        // The unit after the failing one may have been produced while it was written; no later one.
        #expect(!log.all.contains("produce 4"))
    }

    @Test("a failing produce lands the unit being written, then throws")
    func produceFails() {
        var landed: [Int] = []
        #expect(throws: Failed(index: 3)) {
            try UnitPipeline.run(
                Array(0..<6),
                produce: { index in
                    if index == 3 { throw Failed(index: 3) }
                    return {}
                }
            ) { landed.append($0) }
        }
        #expect(landed == [0, 1, 2])
    }
}

@Suite("Supervisor processes")
struct SupervisorProcessTests {
    /// The state letter of `/proc/<pid>/stat` (`Z` for a zombie), nil when the process is gone.
    static func state(_ pid: Int32) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(close, offsetBy: 2)...].first
    }

    @Test("a supervisor this process started and that has ended is reaped, not left a zombie")
    func noZombies() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir.path)/.studio", withIntermediateDirectories: true)
        // `true jobs supervise …` ends at once, as a supervisor does when its queue is empty.
        let pid = try #require(try Supervisor.ensureRunning(workspace: dir.path, executable: "/bin/true", limit: 1))
        var ended = false
        for _ in 0..<100 where !ended {
            ended = Self.state(pid) == "Z"
            if !ended { usleep(20_000) }
        }
        #expect(ended, "the child ended (and, not yet reaped, is a zombie)")
        // What the studio calls every second while it polls jobs.
        #expect(!Supervisor.isRunning(workspace: dir.path))
        #expect(Self.state(pid) == nil, "reaped")
    }
}
