import Foundation
import TestSupport
import Testing

/// `health` as a user starts it: a copied binary, a relative workspace path, a fresh copy.
@Suite("synthstudio health")
struct HealthCLITests {
    @Test func reportsEveryDatasetOfTheSampleWorkspace() throws {
        let dir = TemporaryDirectory()
        let binary = dir.file("bin/synthstudio")
        try CLIRunner.copyBinary(to: binary)
        try FileManager.default.copyItem(atPath: "\(CLIRunner.repository)/sample-data", toPath: dir.file("sample-data"))
        let text = try CLIRunner.run(["health", "sample-data"], binary: binary, directory: dir.path)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("1771 image(s) measured, 0 known from the catalog"), "\(text.stdout)")
        #expect(text.stderr.contains("health: measuring street (60 images)…"), "progress goes to stderr: \(text.stderr)")
        for line in ["digits: 1147 images", "digits-holdout: 540 images", "street: 60 images", "yard: 24 images", "median: brightness"] {
            #expect(text.stdout.contains(line), "\(line) in \(text.stdout)")
        }
        // The second run decodes nothing: the catalog kept every image's measures.
        let again = try CLIRunner.run(["health", "sample-data"], binary: binary, directory: dir.path)
        #expect(again.stdout.contains("0 image(s) measured, 1771 known from the catalog"), "\(again.stdout)")
        #expect(!again.stdout.contains("domain gap"), "the sample has no synthetic digits and no real street yet")
        let json = try CLIRunner.run(["health", "sample-data", "--only", "box-duplicate", "--json"], binary: binary, directory: dir.path)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let issues = try #require(object["issues"] as? [[String: Any]])
        #expect(issues.allSatisfy { $0["kind"] as? String == "box-duplicate" })
        #expect((object["datasets"] as? [[String: Any]])?.count == 4)
        #expect((object["domain_gap"] as? [Any])?.isEmpty == true)
        // A folder given directly is checked without a catalog.
        let folder = try CLIRunner.run(["health", "sample-data/synthetic/street"], binary: binary, directory: dir.path)
        #expect(folder.status == 0 && folder.stdout.contains("street: 60 images") && !folder.stdout.contains("known from the catalog"))
        let bad = try CLIRunner.run(["health", "sample-data", "--only", "fuzzy"], binary: binary, directory: dir.path)
        #expect(bad.status != 0 && bad.stderr.contains("unknown issue kind fuzzy"))
    }

    /// A workspace that cannot hold a catalog (here `.studio` is a file, which even root cannot
    /// make a folder of) is checked all the same, and says so.
    @Test func aWorkspaceWithoutRoomForACatalogIsCheckedAllTheSame() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: "\(CLIRunner.repository)/sample-data", toPath: dir.file("sample-data"))
        try? FileManager.default.removeItem(atPath: dir.file("sample-data/.studio"))
        dir.write("sample-data/.studio", "not a folder")
        let result = try CLIRunner.run(["health", "sample-data", "--only", "blurry"], directory: dir.path)
        #expect(result.status == 0 && result.stdout.contains("street: 60 images"), "\(result.stderr)")
        #expect(result.stdout.contains("digits: 1147 images, blurry 1"), "\(result.stdout)")
        #expect(result.stderr.contains("every image is measured and nothing is kept"), "\(result.stderr)")
    }
}
