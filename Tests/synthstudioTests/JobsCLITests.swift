import Foundation
import Glibc
import TestSupport
import Testing

@Suite("synthstudio jobs", .serialized)
struct JobsCLITests {
    static let script = "\(CLIRunner.repository)/Tests/EngineTests/Fixtures/external-job.sh"

    static func workspace() -> TemporaryDirectory {
        let dir = TemporaryDirectory("jobs")
        dir.write(
            "studio.yaml", "name: jobs\n# generated data goes below\ndatasets:\n  - name: digits\n    path: real/digits\n    origin: real\n"
        )
        try? FileManager.default.createDirectory(atPath: "\(dir.path)/real/digits/3", withIntermediateDirectories: true)
        try? FileManager.default.copyItem(
            atPath: "\(CLIRunner.repository)/Tests/EngineTests/Fixtures/digit.png", toPath: "\(dir.path)/real/digits/3/a.png")
        return dir
    }

    static func start(
        _ dir: TemporaryDirectory, count: Int, seed: Int = 3, dataset: String = "gen", slow: String? = nil, command: [String]? = nil
    ) throws -> String {
        let result = try CLIRunner.run(
            ["jobs", "start", "external", "--workspace", dir.path, "--dataset", dataset, "--count", "\(count)", "--seed", "\(seed)", "--"]
                + (command ?? ["sh", script]),
            environment: slow.map { ["SLOW": $0] } ?? [:])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func show(_ dir: TemporaryDirectory, _ id: String) throws -> [String: Any] {
        try CLIRunner.json(["jobs", "show", id, "--workspace", dir.path, "--json"])
    }

    /// The visible files of a dataset folder: hidden ones (the writers' `.lock`) are not its content.
    static func files(_ root: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for path in (try? FileManager.default.subpathsOfDirectory(atPath: root)) ?? []
        where !path.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDirectory), !isDirectory.boolValue {
                out[path] = FileManager.default.contents(atPath: "\(root)/\(path)")
            }
        }
        return out
    }

    @Test("a render job renders into the workspace; the coverage matrix counts its images")
    func renderJob() throws {
        let dir = Self.workspace()
        let start = try CLIRunner.run([
            "jobs", "start", "render", "--workspace", dir.path, "--dataset", "street", "--recipe",
            "\(CLIRunner.repository)/sample-data/scenes/street.yaml",
            "--count", "3", "--seed", "4", "--set", "weather=snow",
        ])
        let id = start.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try CLIRunner.run(["jobs", "wait", id, "--workspace", dir.path]).status == 0)
        let coverage = try CLIRunner.json(["coverage", dir.path, "--rows", "category", "--cols", "weather", "--json"])
        let cells = try #require(coverage["cells"] as? [[String: Any]])
        #expect(cells.contains { $0["col"] as? String == "snow" && ($0["synthetic"] as? Int ?? 0) > 0 })
    }

    @Test("an external job runs in the background, commits its units and adds the dataset to studio.yaml")
    func external() throws {
        let dir = Self.workspace()
        let id = try Self.start(dir, count: 6)
        let waited = try CLIRunner.run(["jobs", "wait", id, "--workspace", dir.path])
        #expect(waited.status == 0 && waited.stdout.contains("succeeded"))
        let job = try Self.show(dir, id)
        #expect(
            job["state"] as? String == "succeeded" && job["done"] as? Int == 6 && job["total"] as? Int == 6
                && job["dataset"] as? String == "gen")
        let yaml = try String(contentsOfFile: "\(dir.path)/studio.yaml", encoding: .utf8)
        #expect(yaml.contains("# generated data goes below") && yaml.contains("path: \"synthetic/gen\""))
        let stats = try CLIRunner.json(["stats", dir.path, "--json"])
        let gen = try #require((stats["datasets"] as? [[String: Any]])?.first { $0["name"] as? String == "gen" })
        #expect(gen["origin"] as? String == "synthetic" && gen["images"] as? Int == 6)
        let index = try CLIRunner.run(["index", dir.path])
        #expect(index.stdout.contains("gen: unchanged"))  // the job kept the catalog in step with the files
        #expect(try CLIRunner.run(["validate", "\(dir.path)/synthetic/gen"]).status == 0)
    }

    @Test("killed with SIGKILL at different points, then resumed: the same bytes as an uninterrupted run", arguments: [1, 3, 6])
    func killAndResume(after units: Int) throws {
        let reference = Self.workspace()
        let refID = try Self.start(reference, count: 8, seed: 11)
        _ = try CLIRunner.run(["jobs", "wait", refID, "--workspace", reference.path])

        let dir = Self.workspace()
        let id = try Self.start(dir, count: 8, seed: 11, slow: "0.15")
        // Wait until the worker has made `units` units, then kill it without warning.
        var pid: Int32?
        for _ in 0..<200 {
            let job = try Self.show(dir, id)
            let stderr = (try? String(contentsOfFile: "\(dir.path)/.studio/jobs/\(id)/stderr.log", encoding: .utf8)) ?? ""
            if let p = job["pid"] as? Int, stderr.split(separator: "\n").count >= units {
                pid = Int32(p)
                break
            }
            usleep(20_000)
        }
        let victim = try #require(pid)
        // The worker is `sh` (exec'd by synthstudio worker): kill it the hard way.
        kill(victim, SIGKILL)
        _ = try CLIRunner.run(["jobs", "wait", id, "--workspace", dir.path])
        let killed = try Self.show(dir, id)
        #expect(["failed", "interrupted"].contains(killed["state"] as? String ?? ""))
        // Whatever was committed is a valid dataset.
        if FileManager.default.fileExists(atPath: "\(dir.path)/synthetic/gen/annotations.json") {
            #expect(try CLIRunner.run(["validate", "\(dir.path)/synthetic/gen", "--headers-only"]).status == 0)
        }
        let resumed = try CLIRunner.run(["jobs", "resume", id, "--workspace", dir.path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let waited = try CLIRunner.run(["jobs", "wait", id, "--workspace", dir.path])
        let log = try CLIRunner.run(["jobs", "log", id, "--workspace", dir.path]).stdout
        #expect(waited.stdout.contains("succeeded"), "\(log)")
        let resumedFiles = try Self.files("\(dir.path)/synthetic/gen")
        let referenceFiles = try Self.files("\(reference.path)/synthetic/gen")
        #expect(resumedFiles == referenceFiles)
        #expect(try CLIRunner.run(["index", dir.path]).stdout.contains("gen: unchanged"))
    }

    @Test("cancel stops the worker and keeps its finished units; resume completes the job")
    func cancel() throws {
        let dir = Self.workspace()
        let id = try Self.start(dir, count: 30, slow: "0.1")
        for _ in 0..<100 {
            if try Self.show(dir, id)["pid"] is Int { break }
            usleep(20_000)
        }
        usleep(300_000)
        let cancelled = try CLIRunner.run(["jobs", "cancel", id, "--workspace", dir.path, "--grace", "1"])
        #expect(cancelled.status == 0)
        _ = try CLIRunner.run(["jobs", "wait", id, "--workspace", dir.path])
        let job = try Self.show(dir, id)
        #expect(job["state"] as? String == "cancelled")
        #expect((job["done"] as? Int ?? 99) < 30)
        _ = try CLIRunner.run(["jobs", "resume", id, "--workspace", dir.path])
        #expect(try CLIRunner.run(["jobs", "wait", id, "--workspace", dir.path]).status == 0)
        #expect(try Self.show(dir, id)["done"] as? Int == 30)
    }

    @Test("a worker that prints garbage or crashes is failed, with its stderr tail in the log")
    func badWorkers() throws {
        let dir = Self.workspace()
        let garbage = try Self.start(dir, count: 2, command: ["sh", "-c", "echo 'I am not JSON'; echo 'trouble ahead' >&2"])
        #expect(try CLIRunner.run(["jobs", "wait", garbage, "--workspace", dir.path]).status == 1)
        let log = try CLIRunner.run(["jobs", "log", garbage, "--workspace", dir.path]).stdout
        #expect(log.contains("not a JSON object") && log.contains("trouble ahead"))
        let crash = try Self.start(
            dir, count: 2, dataset: "other",
            command: ["sh", "-c", "echo '{\"event\":\"started\",\"total\":2}'; echo 'segfault, sort of' >&2; exit 3"])
        #expect(try CLIRunner.run(["jobs", "wait", crash, "--workspace", dir.path]).status == 1)
        #expect(try Self.show(dir, crash)["exit_status"] as? Int == 3)
        #expect(try CLIRunner.run(["jobs", "log", crash, "--workspace", dir.path]).stdout.contains("segfault, sort of"))
    }

    @Test("bad requests: a real dataset, an unknown kind, a missing recipe, a GAN job without a run or with a missing one")
    func refusals() throws {
        let dir = Self.workspace()
        let real = try CLIRunner.run([
            "jobs", "start", "external", "--workspace", dir.path, "--dataset", "digits", "--count", "2", "--", "true",
        ])
        #expect(real.status == 1 && real.stderr.contains("is real"))
        #expect(try CLIRunner.run(["jobs", "start", "paint", "--workspace", dir.path, "--dataset", "x"]).status == 1)
        let missing = try CLIRunner.run([
            "jobs", "start", "render", "--workspace", dir.path, "--dataset", "street", "--recipe", "nope/street.yaml", "--count", "2",
        ])
        #expect(missing.status == 1 && missing.stderr.contains("no recipe"))
        let runless = try CLIRunner.run(["jobs", "start", "gan-sample", "--workspace", dir.path, "--dataset", "sevens", "--count", "2"])
        #expect(runless.status == 1 && runless.stderr.contains("--set run="))
        let gan = try CLIRunner.run([
            "jobs", "start", "gan-sample", "--workspace", dir.path, "--dataset", "sevens", "--count", "2", "--set", "run=models/none",
            "--set", "class=7",
        ])
        #expect(gan.status == 0)
        let id = gan.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try CLIRunner.run(["jobs", "wait", id, "--workspace", dir.path]).status == 1)
        #expect(try CLIRunner.run(["jobs", "log", id, "--workspace", dir.path]).stdout.contains("is not a GAN run"))
    }

    @Test("with --max-jobs 2, jobs on two datasets run at the same time; a third waits its turn")
    func concurrency() throws {
        let dir = Self.workspace()
        var ids: [String] = []
        for name in ["a", "b", "c"] {
            let result = try CLIRunner.run(
                [
                    "jobs", "start", "external", "--workspace", dir.path, "--dataset", name, "--count", "8", "--max-jobs", "2", "--", "sh",
                    Self.script,
                ],
                environment: ["SLOW": "0.1"])
            ids.append(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        // `jobs list` reads every job in one query, so a sample is one instant.
        var mostRunning = 0
        for _ in 0..<150 {
            let lines = try CLIRunner.run(["jobs", "list", "--workspace", dir.path]).stdout.split(separator: "\n")
            mostRunning = max(mostRunning, lines.filter { $0.contains(" running ") }.count)
            if lines.count == 3 && lines.allSatisfy({ $0.contains(" succeeded ") }) { break }
            usleep(30_000)
        }
        #expect(mostRunning == 2)
        for id in ids { #expect(try CLIRunner.run(["jobs", "wait", id, "--workspace", dir.path]).status == 0) }
    }

    @Test("two jobs on one dataset run one after the other and both land")
    func serialized() throws {
        let dir = Self.workspace()
        let first = try Self.start(dir, count: 3, seed: 1, slow: "0.05")
        let second = try Self.start(dir, count: 3, seed: 2, slow: "0.05")
        #expect(try CLIRunner.run(["jobs", "wait", second, "--workspace", dir.path]).status == 0)
        #expect(try CLIRunner.run(["jobs", "wait", first, "--workspace", dir.path]).status == 0)
        let stats = try CLIRunner.json(["stats", "\(dir.path)/synthetic/gen", "--json"])
        #expect((stats["datasets"] as? [[String: Any]])?.first?["images"] as? Int == 6)
        let list = try CLIRunner.run(["jobs", "list", "--workspace", dir.path]).stdout
        #expect(list.split(separator: "\n").count == 2 && list.contains("succeeded"))
        // Newest first, as the studio's Jobs screen lists them.
        #expect(list.split(separator: "\n").map { String($0.prefix(while: { $0 != " " })) } == [second, first])
    }
}

@Suite("synthstudio dataset merge", .serialized)
struct MergeCLITests {
    @Test("shards k/n of a job, merged, equal one run of the whole job, byte for byte")
    func shardsEqualOneRun() throws {
        let whole = JobsCLITests.workspace()
        let id = try JobsCLITests.start(whole, count: 9, seed: 5)
        #expect(try CLIRunner.run(["jobs", "wait", id, "--workspace", whole.path]).status == 0)
        var shardFolders: [String] = []
        var workspaces: [TemporaryDirectory] = []
        for k in 0..<3 {
            let ws = JobsCLITests.workspace()
            let result = try CLIRunner.run([
                "jobs", "start", "external", "--workspace", ws.path, "--dataset", "gen", "--count", "9", "--seed", "5", "--shard", "\(k)/3",
                "--",
                "sh", JobsCLITests.script,
            ])
            let shardID = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try CLIRunner.run(["jobs", "wait", shardID, "--workspace", ws.path]).status == 0)
            #expect(
                try CLIRunner.json(["stats", "\(ws.path)/synthetic/gen", "--json"])["datasets"].map {
                    ($0 as? [[String: Any]])?.first?["images"] as? Int
                } == 3)
            workspaces.append(ws)
            shardFolders.append("\(ws.path)/synthetic/gen")
        }
        let out = TemporaryDirectory("merged")
        let merged = try CLIRunner.run(["dataset", "merge", "--out", "\(out.path)/gen"] + shardFolders)
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try JobsCLITests.files("\(out.path)/gen") == JobsCLITests.files("\(whole.path)/synthetic/gen"))
        let again = try CLIRunner.run(["dataset", "merge", "--out", "\(out.path)/gen"] + shardFolders)
        #expect(again.status == 1 && again.stderr.contains("not empty"))
        let overlap = try CLIRunner.run(["dataset", "merge", "--out", "\(out.path)/x", shardFolders[0], shardFolders[0]])
        #expect(overlap.status == 1 && overlap.stderr.contains("never overlap"))
        #expect(workspaces.count == 3)
    }
}

@Suite("jobs on a full disk", .serialized)
struct FullDiskTests {
    /// Mounts a 4 MiB tmpfs (root only); nil where that is not allowed.
    static func smallDisk() -> String? {
        guard getuid() == 0 else { return nil }
        let path = "/tmp/synthstudio-full-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard system("mount -t tmpfs -o size=4m tmpfs \(path) 2>/dev/null") == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            return nil
        }
        return path
    }

    static let canMount: Bool = {
        guard let disk = smallDisk() else { return false }
        _ = system("umount \(disk)")
        try? FileManager.default.removeItem(atPath: disk)
        return true
    }()

    @Test(
        "a full disk fails the job clearly, corrupts nothing, and resume finishes it once there is space",
        .enabled(if: FullDiskTests.canMount))
    func fullDisk() throws {
        let disk = try #require(Self.smallDisk())
        defer {
            _ = system("fuser -k -m \(disk) >/dev/null 2>&1; umount -l \(disk) 2>/dev/null")
            try? FileManager.default.removeItem(atPath: disk)
        }
        let root = "\(disk)/ws"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "name: full\ndatasets: []\n".write(toFile: "\(root)/studio.yaml", atomically: true, encoding: .utf8)
        let start = try CLIRunner.run(
            [
                "jobs", "start", "external", "--workspace", root, "--dataset", "gen", "--count", "60", "--seed", "1", "--", "sh",
                JobsCLITests.script,
            ],
            environment: ["SLOW": "0.02"])
        #expect(start.status == 0, "\(start.stderr)")
        let id = start.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        usleep(150_000)
        // Take all the space but 4 KiB while the job runs.
        _ = system("dd if=/dev/zero of=\(disk)/filler bs=1k count=$(( $(df --output=avail -k \(disk) | tail -1) - 4 )) 2>/dev/null")
        let waited = try CLIRunner.run(["jobs", "wait", id, "--workspace", root])
        #expect(waited.status == 1)
        #expect(waited.stdout.contains("failed") || waited.stdout.contains("interrupted"), "\(waited.stdout) \(waited.stderr)")
        // Still full: the read-only commands work and say why the job stopped.
        let show = try CLIRunner.run(["jobs", "show", id, "--workspace", root, "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(try CLIRunner.run(["jobs", "list", "--workspace", root]).status == 0)
        let log = try CLIRunner.run(["jobs", "log", id, "--workspace", root])
        #expect(log.status == 0 && log.stdout.contains("disk is full"), "\(log.stdout) \(log.stderr)")
        // Whatever landed is a valid dataset; an image moved but not recorded is reported, not hidden.
        if FileManager.default.fileExists(atPath: "\(root)/synthetic/gen/annotations.json") {
            let validate = try CLIRunner.run(["validate", "\(root)/synthetic/gen", "--format", "coco", "--headers-only", "--json"])
            let kinds =
                ((try? JSONSerialization.jsonObject(with: Data(validate.stdout.utf8)) as? [String: Any])?["counts"] as? [String: Int])?.keys
            #expect(
                Set(kinds.map(Array.init) ?? []).isSubset(of: ["orphan-image", "pending-journal", "empty-class"]), "\(validate.stdout)")
        }
        try FileManager.default.removeItem(atPath: "\(disk)/filler")
        let state = try CLIRunner.json(["jobs", "show", id, "--workspace", root, "--json"])["state"] as? String
        #expect(["failed", "interrupted", "queued"].contains(state ?? ""), "\(String(describing: state))")
        if state != "queued" { #expect(try CLIRunner.run(["jobs", "resume", id, "--workspace", root]).status == 0) }
        let finished = try CLIRunner.run(["jobs", "wait", id, "--workspace", root])
        #expect(finished.status == 0, "\(finished.stdout) \(finished.stderr)")
        let images = try CLIRunner.json(["stats", "\(root)/synthetic/gen", "--json"])["datasets"].flatMap {
            ($0 as? [[String: Any]])?.first?["images"] as? Int
        }
        #expect(images == 60)
        #expect(try CLIRunner.run(["validate", "\(root)/synthetic/gen"]).status == 0)
    }
}

@Suite("jobs after the catalog is lost", .serialized)
struct JobHistoryTests {
    @Test("a corrupted catalog is rebuilt and the jobs are restored from .studio/jobs")
    func restore() throws {
        let dir = JobsCLITests.workspace()
        let id = try JobsCLITests.start(dir, count: 4)
        #expect(try CLIRunner.run(["jobs", "wait", id, "--workspace", dir.path]).status == 0)
        let catalog = "\(dir.path)/.studio/catalog.sqlite"
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: catalog + suffix) }
        try Data(repeating: 7, count: 4096).write(to: URL(fileURLWithPath: catalog))
        let list = try CLIRunner.run(["jobs", "list", "--workspace", dir.path])
        #expect(list.stderr.contains("1 job(s) restored"))
        #expect(list.stdout.contains(id) && list.stdout.contains("succeeded"))
        let job = try JobsCLITests.show(dir, id)
        #expect(job["done"] as? Int == 4)
    }
}

@Suite("synthstudio render", .serialized)
struct RenderCLITests {
    static let recipe = "sample-data/scenes/street.yaml"

    static func render(_ out: String, _ extra: [String]) throws -> CLIRunner.Result {
        try CLIRunner.run(["render", "--recipe", recipe, "--out", out, "--size", "80x60", "--spp", "1"] + extra)
    }

    @Test("a small render: COCO with RLE masks whose boxes are their masks' bounds, YOLO, 16-bit masks and depth, provenance")
    func dataset() throws {
        let dir = TemporaryDirectory()
        let result = try Self.render("\(dir.path)/street", ["--count", "4", "--seed", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        let coco =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/street/annotations.json")))
            as! [String: Any]
        let annotations = coco["annotations"] as! [[String: Any]]
        #expect(!annotations.isEmpty)
        let stats = try CLIRunner.json(["stats", "\(dir.path)/street", "--json"])
        #expect((stats["datasets"] as? [[String: Any]])?.first?["origin"] as? String == "synthetic")
        #expect(try CLIRunner.run(["validate", "\(dir.path)/street"]).status == 0)
        for sub in ["masks", "depth", "labels"] {
            #expect((try? FileManager.default.contentsOfDirectory(atPath: "\(dir.path)/street/\(sub)"))?.count == 4)
        }
        let provenance = try String(contentsOfFile: "\(dir.path)/street/provenance.jsonl", encoding: .utf8)
        #expect(provenance.split(separator: "\n").count == 4 && provenance.contains("\"weather\""))
        #expect(provenance.contains("\"cyclists\""), "the sample recipe draws a cyclist count")
    }

    @Test("shards merged equal one run; an interrupted run continues to the same bytes")
    func shardsAndResume() throws {
        // Every dataset folder is called "street" (its name is in annotations.json).
        let whole = TemporaryDirectory(), a = TemporaryDirectory(), b = TemporaryDirectory(), merged = TemporaryDirectory(),
            resumed = TemporaryDirectory()
        #expect(try Self.render("\(whole.path)/street", ["--count", "5", "--seed", "8"]).status == 0)
        #expect(try Self.render("\(a.path)/street", ["--count", "5", "--seed", "8", "--shard", "0/2"]).status == 0)
        #expect(try Self.render("\(b.path)/street", ["--count", "5", "--seed", "8", "--shard", "1/2"]).status == 0)
        #expect(
            try CLIRunner.run(["dataset", "merge", "--out", "\(merged.path)/street", "\(a.path)/street", "\(b.path)/street"]).status == 0)
        #expect(try JobsCLITests.files("\(merged.path)/street") == JobsCLITests.files("\(whole.path)/street"))
        #expect(try Self.render("\(resumed.path)/street", ["--count", "2", "--seed", "8"]).status == 0)
        #expect(try Self.render("\(resumed.path)/street", ["--count", "5", "--seed", "8"]).status == 0)
        #expect(try JobsCLITests.files("\(resumed.path)/street") == JobsCLITests.files("\(whole.path)/street"))
        let pinned = try Self.render("\(whole.path)/snow", ["--count", "2", "--seed", "8", "--set", "weather=snow"])
        #expect(pinned.status == 0)
        #expect(
            try String(contentsOfFile: "\(whole.path)/snow/provenance.jsonl", encoding: .utf8).components(
                separatedBy: "\"weather\":\"snow\""
            ).count == 3)
    }

    @Test("a recipe with a camera: JPEG images at the drawn quality, maps as PNG, the camera in attributes and provenance")
    func camera() throws {
        let dir = TemporaryDirectory()
        let recipe = dir.write(
            "camera.yaml",
            """
            size: [80, 60]
            parameters:
              jpeg_quality: {uniform: [60, 95]}
              iso: {choice: {800: 1, 6400: 1}}
              white_balance: {uniform: [3000, 8000]}
              exposure: {normal: {mean: 0, std: 0.3}}
              vignetting: 0.4
              distortion_k1: -0.2
              shutter: 0.02
              camera_speed: 10
              f_number: 2.8
              focus_distance: 8
            """)
        let result = try CLIRunner.run(["render", "--recipe", recipe, "--out", "\(dir.path)/street", "--count", "3", "--spp", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        let images = try FileManager.default.contentsOfDirectory(atPath: "\(dir.path)/street/images").sorted()
        #expect(images.count == 3 && images.allSatisfy { $0.hasSuffix(".jpg") })
        for image in images {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/street/images/\(image)"))
            #expect(bytes.starts(with: [0xFF, 0xD8, 0xFF]), "a JPEG by its bytes")
            let map = image.replacingOccurrences(of: ".jpg", with: ".png")
            for folder in ["masks", "depth"] {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/street/\(folder)/\(map)"))
                #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(folder)/\(map) is a PNG")
            }
        }
        let coco =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/street/annotations.json")))
            as! [String: Any]
        let entries = coco["images"] as! [[String: Any]]
        #expect(entries.allSatisfy { ($0["file_name"] as? String)?.hasSuffix(".jpg") == true })
        let attributes = try #require(entries.first?["attributes"] as? [String: Any])
        for key in ["iso", "jpeg_quality", "white_balance_k", "vignetting", "distortion_k1", "shutter_s", "f_number", "focus_m"] {
            #expect(attributes[key] != nil, "image attribute \(key)")
        }
        let provenance = try String(contentsOfFile: "\(dir.path)/street/provenance.jsonl", encoding: .utf8)
        #expect(provenance.contains("\"jpeg_quality\"") && provenance.contains("\"white_balance\""))
        #expect(try CLIRunner.run(["validate", "\(dir.path)/street"]).status == 0)
        // Out of range: an error naming the parameter and its range.
        let bad = try CLIRunner.run([
            "render", "--recipe", recipe, "--out", "\(dir.path)/bad", "--count", "1", "--set", "iso=3", "--spp", "1",
        ])
        #expect(bad.status == 1 && bad.stderr.contains("iso") && bad.stderr.contains("50…102400"), "\(bad.stderr)")
    }

    @Test("bad recipes and arguments are clear errors naming the line")
    func badInput() throws {
        let dir = TemporaryDirectory()
        let cases: [(String, String)] = [
            ("size: [320, 240]\ncolour: red\n", ":2"),
            ("parameters:\n  weather: {choice: {sunny: 1, snow: -2}}\n", ":2"),
            ("size: [320, 0]\n", ":1"),
            ("parameters:\n  wind: 3\n", ":2"),
            ("parameters:\n  fov: {uniform: [60, 40]}\n", ":2"),
        ]
        for (text, line) in cases {
            let path = dir.write("recipe.yaml", text)
            let result = try CLIRunner.run(["render", "--recipe", path, "--out", "\(dir.path)/out", "--count", "1"])
            #expect(result.status == 1 && result.stderr.contains("recipe.yaml\(line)"), "\(text): \(result.stderr)")
        }
        #expect(try CLIRunner.run(["render", "--out", "\(dir.path)/o", "--count", "0"]).status != 0)
        #expect(try CLIRunner.run(["render", "--out", "\(dir.path)/o", "--count", "1", "--size", "5x5"]).status == 1)
        #expect(
            try CLIRunner.run(["render", "--out", "\(dir.path)/o", "--count", "1", "--set", "weather=fog", "--size", "40x30", "--spp", "1"])
                .status == 1)
    }
}
