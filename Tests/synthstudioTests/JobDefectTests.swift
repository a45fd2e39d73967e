import Foundation
import Glibc
import TestSupport
import Testing

/// The generation loop as a new user meets it: each test here failed before its fix.
@Suite("jobs: no lost images, right progress, prompt cancel, damage survived", .serialized)
struct JobDefectTests {
    static let recipe = "\(CLIRunner.repository)/sample-data/scenes/street.yaml"

    static func images(_ root: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/images")) ?? []).sorted()
    }

    static func renderJob(_ dir: TemporaryDirectory, dataset: String = "x", count: Int, seed: Int, pins: [String]) throws -> String {
        let result = try CLIRunner.run(
            [
                "jobs", "start", "render", "--workspace", dir.path, "--dataset", dataset, "--recipe", recipe, "--count", "\(count)",
                "--seed", "\(seed)",
                "--set", "size=64x48", "--set", "spp=1",
            ] + pins.flatMap { ["--set", $0] })
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("two render jobs with one seed and other pins keep both sets of images; render --out with a new --set adds")
    func noOverwrite() throws {
        let dir = JobsCLITests.workspace()
        for weather in ["snow", "rain"] {
            let id = try Self.renderJob(dir, count: 3, seed: 5, pins: ["weather=\(weather)"])
            #expect(try CLIRunner.run(["jobs", "wait", id, "--workspace", dir.path]).status == 0)
        }
        let root = "\(dir.path)/synthetic/x"
        #expect(Self.images(root).count == 6)
        let coverage = try CLIRunner.json(["coverage", dir.path, "--rows", "weather", "--json"])
        let byWeather = Dictionary(
            ((coverage["cells"] as? [[String: Any]]) ?? []).map { ($0["row"] as? String ?? "", $0["synthetic"] as? Int ?? 0) },
            uniquingKeysWith: +)
        #expect((byWeather["snow"] ?? 0) > 0 && (byWeather["rain"] ?? 0) > 0, "\(byWeather)")
        let provenance = try String(contentsOfFile: "\(root)/provenance.jsonl", encoding: .utf8)
        #expect(provenance.components(separatedBy: "\"weather\":\"snow\"").count == 4)
        #expect(provenance.components(separatedBy: "\"weather\":\"rain\"").count == 4)

        let out = "\(dir.path)/direct"
        for weather in ["snow", "rain", "snow"] {
            let result = try CLIRunner.run([
                "render", "--recipe", Self.recipe, "--out", out, "--count", "2", "--seed", "5", "--size", "64x48", "--spp", "1", "--set",
                "weather=\(weather)",
            ])
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(Self.images(out).count == 4, "the third run continues the first, it adds nothing")
    }

    @Test("two fills of one cell in the same second get other seeds, so other images")
    func fillsDoNotCollide() throws {
        let dir = TemporaryDirectory("fill")
        for part in ["studio.yaml", "scenes", "synthetic/street"] {
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: dir.file(part)).deletingLastPathComponent().path, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(CLIRunner.repository)/sample-data/\(part)", toPath: dir.file(part))
        }
        // The workspace without its digits: the street view only.
        try
            "name: fill\ndatasets:\n  - name: street\n    path: synthetic/street\n    format: coco\n    origin: synthetic\ncoverage:\n  - name: street\n    datasets: [street]\n    rows: category\n    cols: weather\n    values:\n      weather: [sunny, cloudy, hazy, rain, snow]\n    target: 20\n"
            .write(toFile: dir.file("studio.yaml"), atomically: true, encoding: .utf8)
        var seeds: [String] = []
        for _ in 0..<2 {
            let plan = try CLIRunner.json(["fill", dir.path, "--cell", "cyclist/snow", "--json"])
            let job = try #require((plan["jobs"] as? [[String: Any]])?.first)
            seeds.append(job["seed"] as? String ?? "")
        }
        #expect(Set(seeds).count == 2, "\(seeds)")
    }

    @Test("a gan-train job shows its steps as they go, and ends at total/total")
    func trainingProgress() throws {
        let dir = JobsCLITests.workspace()
        for (cls, n) in [("3", 4), ("5", 4)] {
            for i in 0..<n {
                try? FileManager.default.createDirectory(atPath: "\(dir.path)/real/digits/\(cls)", withIntermediateDirectories: true)
                try? FileManager.default.copyItem(
                    atPath: "\(CLIRunner.repository)/Tests/EngineTests/Fixtures/digit.png",
                    toPath: "\(dir.path)/real/digits/\(cls)/\(i).png")
            }
        }
        let start = try CLIRunner.run([
            "jobs", "start", "gan-train", "--workspace", dir.path, "--count", "600", "--set", "data=digits", "--set", "run=models/d",
            "--set",
            "resolution=16", "--set", "batch=8", "--set", "ngf=8", "--set", "ndf=8",
        ])
        #expect(start.status == 0, "\(start.stderr)")
        let id = start.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var seenMidway = false
        for _ in 0..<400 {
            let job = try JobsCLITests.show(dir, id)
            if job["state"] as? String == "running", let done = job["done"] as? Int, done > 0, done < 600 { seenMidway = true }
            if ["succeeded", "failed"].contains(job["state"] as? String ?? "") { break }
            usleep(25_000)
        }
        #expect(try CLIRunner.run(["jobs", "wait", id, "--workspace", dir.path]).status == 0)
        let job = try JobsCLITests.show(dir, id)
        #expect(job["done"] as? Int == 600 && job["total"] as? Int == 600, "\(job)")
        #expect(seenMidway, "progress between 0 and 600 was shown while it ran")
        #expect(try CLIRunner.run(["jobs", "list", "--workspace", dir.path]).stdout.contains("600/600"))
        // The residual networks, with their own defaults (hinge loss, Adam 4e-4).
        let resnet = try CLIRunner.run([
            "jobs", "start", "gan-train", "--workspace", dir.path, "--count", "2", "--set", "data=digits", "--set", "run=models/r",
            "--set", "resolution=16", "--set", "batch=8", "--set", "ngf=8", "--set", "ndf=8", "--set", "architecture=resnet",
        ])
        #expect(resnet.status == 0, "\(resnet.stderr)")
        let resnetID = resnet.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try CLIRunner.run(["jobs", "wait", resnetID, "--workspace", dir.path]).status == 0)
        let info = try String(contentsOfFile: "\(dir.path)/models/r/run.json", encoding: .utf8)
        #expect(info.contains("conditional-resnet") && info.contains(#""loss": "hinge""#) && info.contains("0.0004"), "\(info)")
    }

    @Test("cancel stops committing at once: what is in the dataset when cancel returns is what stays")
    func cancelStopsCommits() throws {
        let dir = JobsCLITests.workspace()
        let id = try Self.renderJob(dir, count: 400, seed: 2, pins: [])
        let root = "\(dir.path)/synthetic/x"
        for _ in 0..<600 where Self.images(root).count < 8 { usleep(20_000) }
        let cancel = try CLIRunner.run(["jobs", "cancel", id, "--workspace", dir.path, "--grace", "2"])
        #expect(cancel.status == 0)
        let atCancel = Self.images(root).count
        usleep(1_500_000)
        #expect(Self.images(root).count == atCancel, "no image landed after cancel returned")
        let job = try JobsCLITests.show(dir, id)
        #expect(job["state"] as? String == "cancelled" && (job["done"] as? Int ?? -1) == atCancel && atCancel < 400, "\(job)")
        #expect(try CLIRunner.run(["validate", root, "--headers-only"]).status == 0)
    }

    @Test("a malformed staged unit is set aside with a clear message and the job goes on; a killed job resumes past it")
    func malformedUnit() throws {
        let dir = JobsCLITests.workspace()
        // The example worker, except that unit 2's manifest names no category.
        let script = dir.write(
            "bad-unit.sh",
            try String(contentsOfFile: JobsCLITests.script, encoding: .utf8).replacingOccurrences(
                of: "mv \"$unit/unit.json.tmp\" \"$unit/unit.json\"",
                with:
                    "[ \"$i\" = 2 ] && sed -i 's/\"category\":\"digit\",//' \"$unit/unit.json.tmp\"; mv \"$unit/unit.json.tmp\" \"$unit/unit.json\""
            ).replacingOccurrences(of: "here=$(dirname \"$0\")", with: "here=\(CLIRunner.repository)/Tests/EngineTests/Fixtures"))
        let id = try JobsCLITests.start(dir, count: 5, command: ["sh", script])
        #expect(try CLIRunner.run(["jobs", "wait", id, "--workspace", dir.path]).status == 0)
        let job = try JobsCLITests.show(dir, id)
        #expect(job["state"] as? String == "succeeded" && job["done"] as? Int == 4, "\(job)")
        let log = try CLIRunner.run(["jobs", "log", id, "--workspace", dir.path]).stdout
        #expect(log.contains("unit 2 set aside") && log.contains("no category"), "\(log)")
        #expect(FileManager.default.fileExists(atPath: "\(dir.path)/.studio/jobs/\(id)/rejected/2/unit.json"))
        #expect(Self.images("\(dir.path)/synthetic/gen").count == 4)
        // Only a worker that staged nothing valid: no images/ or labels/ folders appear, stats reads the workspace.
        let nothing = try JobsCLITests.start(
            dir, count: 1, dataset: "empty",
            command: [
                "sh", "-c",
                "mkdir -p \"$SYNTHSTUDIO_STAGING/0\"; echo '{}' > \"$SYNTHSTUDIO_STAGING/0/unit.json\"; echo '{\"event\":\"started\",\"total\":1}'; echo '{\"event\":\"artifact\",\"index\":0,\"unit\":\"0\"}'; echo '{\"event\":\"finished\"}'",
            ])
        _ = try CLIRunner.run(["jobs", "wait", nothing, "--workspace", dir.path])
        #expect(
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(dir.path)/synthetic/empty")) ?? []).filter { !$0.hasPrefix(".") }
                .isEmpty)
        let stats = try CLIRunner.run(["stats", dir.path, "--json"])
        #expect(stats.status == 0 && !stats.stdout.contains("\"labels\""), "\(stats.stdout) \(stats.stderr)")
    }

    @Test("index rebuilding a deleted or corrupt catalog restores every job, and a succeeded job stays succeeded")
    func indexRestoresJobs() throws {
        let dir = JobsCLITests.workspace()
        let id = try JobsCLITests.start(dir, count: 6)
        #expect(try CLIRunner.run(["jobs", "wait", id, "--workspace", dir.path]).status == 0)
        let catalog = "\(dir.path)/.studio/catalog.sqlite"
        for damage in ["delete", "corrupt"] {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: catalog + suffix) }
            if damage == "corrupt" { try Data(repeating: 7, count: 4096).write(to: URL(fileURLWithPath: catalog)) }
            let index = try CLIRunner.run(["index", dir.path])
            #expect(index.status == 0, "\(index.stderr)")
            let job = try JobsCLITests.show(dir, id)
            #expect(job["state"] as? String == "succeeded" && job["done"] as? Int == 6 && job["total"] as? Int == 6, "\(damage): \(job)")
            #expect(try CLIRunner.run(["jobs", "log", id, "--workspace", dir.path]).stdout.contains("finished"), "events restored too")
        }
    }
}
