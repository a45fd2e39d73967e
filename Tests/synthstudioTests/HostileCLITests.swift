import Foundation
import TestSupport
import Testing

@Suite("hostile input through the binary", .serialized)
struct HostileCLITests {
    @Test("gan sample on a run that lies about its sample size fails at once and leaves no --out behind")
    func lyingRun() throws {
        let dir = TemporaryDirectory()
        let run = "\(dir.path)/run"
        try FileManager.default.copyItem(atPath: "\(CLIRunner.repository)/sample-data/models/digits", toPath: run)
        let info = try String(contentsOfFile: "\(run)/run.json", encoding: .utf8)
        for lie in ["-8", "100000"] {
            let patched = info.replacingOccurrences(of: #""native_width": 8"#, with: "\"native_width\": \(lie)")
            #expect(patched != info)
            try patched.write(toFile: "\(run)/run.json", atomically: true, encoding: .utf8)
            let result = try CLIRunner.run(["gan", "sample", "--run", run, "--class", "7", "--count", "2", "--out", "\(dir.path)/out"])
            #expect(result.status == 1 && result.stderr.contains("impossible"), "\(lie): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: "\(dir.path)/out"))
        }
    }

    @Test("a recipe count past its maximum is an error naming it, not a scene that eats the memory")
    func unboundedCounts() throws {
        let dir = TemporaryDirectory()
        for pin in ["pedestrians=1e9", "cars=101", "camera_height=1e6"] {
            let result = try CLIRunner.run([
                "render", "--recipe", "sample-data/scenes/street.yaml", "--out", "\(dir.path)/out", "--count", "1", "--size", "32x24",
                "--set", pin,
            ])
            #expect(result.status == 1 && result.stderr.contains("out of range"), "\(pin): \(result.stderr)")
        }
        let recipe = dir.write("r.yaml", "parameters:\n  pedestrians: {uniform: [100000, 200000]}\n")
        let result = try CLIRunner.run(["render", "--recipe", recipe, "--out", "\(dir.path)/out2", "--count", "1", "--size", "32x24"])
        #expect(result.status == 1 && result.stderr.contains("pedestrians") && result.stderr.contains("0…200"), "\(result.stderr)")
    }

    @Test("a job whose spec.json is damaged is named, not silently dropped, when the catalog is rebuilt")
    func damagedSpec() throws {
        let dir = JobsCLITests.workspace()
        let id = try JobsCLITests.start(dir, count: 2)
        #expect(try CLIRunner.run(["jobs", "wait", id, "--workspace", dir.path]).status == 0)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: "\(dir.path)/.studio/catalog.sqlite\(suffix)") }
        try "{ not json".write(toFile: "\(dir.path)/.studio/jobs/\(id)/spec.json", atomically: true, encoding: .utf8)
        let list = try CLIRunner.run(["jobs", "list", "--workspace", dir.path])
        #expect(list.stderr.contains("cannot be restored") && list.stderr.contains("\(id)/spec.json"), "\(list.stderr)")
    }
}
