import Foundation
import TestSupport
import Testing

/// `health` as a user starts it: a copied binary, a relative workspace path, a fresh copy.
@Suite("synthstudio health")
struct HealthCLITests {
    @Test func reportsEveryDatasetOfTheSampleWorkspace() throws {
        let dir = TemporaryDirectory()
        let binary = dir.file("bin/synthstudio")
        try FileManager.default.copyItem(atPath: CLIRunner.binary, toPath: binary)
        try FileManager.default.copyItem(atPath: "\(CLIRunner.repository)/sample-data", toPath: dir.file("sample-data"))
        let text = try CLIRunner.run(["health", "sample-data"], binary: binary, directory: dir.path)
        #expect(text.status == 0, "\(text.stderr)")
        for line in ["digits: 1147 images", "digits-holdout: 540 images", "street: 60 images", "median: brightness"] {
            #expect(text.stdout.contains(line), "\(line) in \(text.stdout)")
        }
        let json = try CLIRunner.run(["health", "sample-data", "--only", "box-duplicate", "--json"], binary: binary, directory: dir.path)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let issues = try #require(object["issues"] as? [[String: Any]])
        #expect(issues.allSatisfy { $0["kind"] as? String == "box-duplicate" })
        #expect((object["datasets"] as? [[String: Any]])?.count == 3)
        let bad = try CLIRunner.run(["health", "sample-data", "--only", "fuzzy"], binary: binary, directory: dir.path)
        #expect(bad.status != 0 && bad.stderr.contains("unknown issue kind fuzzy"))
    }
}
