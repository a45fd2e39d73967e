import Foundation
import TestSupport
import Testing

@Suite("read commands through the catalog")
struct CatalogReadTests {
    /// Each command with `WS` where the workspace goes.
    static let commands: [[String]] = [
        ["stats", "WS", "--json"], ["stats", "WS", "--color", "never"], ["coverage", "WS", "--json"],
        ["coverage", "WS", "--view", "street", "--json"], ["coverage", "WS", "--rows", "category", "--cols", "split", "--json"],
        ["WS", "--print", "--color", "never"],
    ]

    static func run(_ ws: String) throws -> [CLIRunner.Result] {
        try commands.map { try CLIRunner.run($0.map { $0 == "WS" ? ws : $0 }) }
    }

    @Test("stats, coverage and --print answer the same from the catalog as from the files; the catalog is made once and follows changes")
    func sameAnswers() throws {
        let dir = TemporaryDirectory()
        let ws = "\(dir.path)/ws"
        try FileManager.default.copyItem(atPath: "\(CLIRunner.repository)/sample-data", toPath: ws)
        try? FileManager.default.removeItem(atPath: "\(ws)/.studio")
        // A file where the catalog's folder goes: the catalog cannot open, so the files are read.
        _ = FileManager.default.createFile(atPath: "\(ws)/.studio", contents: Data())
        let fromFiles = try Self.run(ws)
        for result in fromFiles { #expect(result.status == 0, "\(result.stderr)") }
        #expect(fromFiles[0].stdout.contains("\"digits-holdout\""))

        try FileManager.default.removeItem(atPath: "\(ws)/.studio")
        let made = try Self.run(ws)
        #expect(FileManager.default.fileExists(atPath: "\(ws)/.studio/catalog.sqlite"), "the first read command makes the catalog")
        let reused = try Self.run(ws)
        for i in Self.commands.indices {
            #expect(made[i].stdout == fromFiles[i].stdout, "\(Self.commands[i])")
            #expect(reused[i].stdout == fromFiles[i].stdout, "\(Self.commands[i])")
        }

        // A file removed behind the catalog's back: the next read sees it.
        let seven = "\(ws)/real/digits/7"
        let first = try #require(try FileManager.default.contentsOfDirectory(atPath: seven).sorted().first)
        try FileManager.default.removeItem(atPath: "\(seven)/\(first)")
        let stats = try CLIRunner.json(["stats", ws, "--json"])
        let digits = try #require((stats["datasets"] as? [[String: Any]])?.first)
        #expect((digits["classes"] as? [String: Int])?["7"] == 14)
        #expect(digits["images"] as? Int == 1146)
    }
}

@Suite("validate a workspace")
struct ValidateWorkspaceTests {
    @Test("validate WORKSPACE checks every dataset of studio.yaml, names the one with a problem, and exits 1 for it")
    func everyDataset() throws {
        let dir = TemporaryDirectory()
        let ws = "\(dir.path)/ws"
        try FileManager.default.copyItem(atPath: "\(CLIRunner.repository)/sample-data", toPath: ws)
        let clean = try CLIRunner.run(["validate", ws, "--headers-only", "--json"])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(clean.stdout.utf8)) as? [String: Any])
        let datasets = try #require(report["datasets"] as? [[String: Any]])
        #expect(datasets.map { $0["name"] as? String } == ["digits", "digits-holdout", "street", "yard"])
        #expect(datasets.allSatisfy { $0["valid"] as? Bool == true })

        // One truncated image in the holdout, and the street dataset's annotation file cut short.
        let holdout = "\(ws)/real/digits-holdout/3"
        let image = try #require(try FileManager.default.contentsOfDirectory(atPath: holdout).sorted().first)
        try Data([0x89, 0x50, 0x4E, 0x47]).write(to: URL(fileURLWithPath: "\(holdout)/\(image)"))
        try Data("{\"images\": [".utf8).write(to: URL(fileURLWithPath: "\(ws)/synthetic/street/annotations.json"))
        let broken = try CLIRunner.run(["validate", ws, "--headers-only", "--json"])
        #expect(broken.status == 1)
        let again = try #require(try JSONSerialization.jsonObject(with: Data(broken.stdout.utf8)) as? [String: Any])
        let results = try #require(again["datasets"] as? [[String: Any]])
        #expect(results.map { $0["valid"] as? Bool } == [true, false, false, true])
        #expect((results[1]["issues"] as? [[String: Any]])?.first?["path"] as? String == "\(holdout)/\(image)")
        #expect((results[2]["counts"] as? [String: Int])?["read-problem"] == 1)
        let text = try CLIRunner.run(["validate", ws, "--headers-only", "--color", "never"])
        #expect(text.stdout.contains("street\nread-problem: 1"), "\(text.stdout)")
    }
}
