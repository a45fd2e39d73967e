import Foundation
import FuzzTargets
import Testing

/// Every seed of the fuzz corpus and every crasher the fuzzers (or the attack before them) found
/// goes through its target again: none may crash the test process. `crash-*` files are the
/// inputs that once did.
@Suite("Fuzz corpus replay")
struct FuzzTargetsTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus").path

    @Test("every target's corpus runs through it", arguments: FuzzTargets.names)
    func replay(target: String) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(Self.corpus)/\(target)").sorted()
        #expect(!files.isEmpty, "a seed for \(target)")
        for file in files {
            let data = try #require(FileManager.default.contents(atPath: "\(Self.corpus)/\(target)/\(file)"))
            FuzzTargets.run(target, Array(data))
        }
    }
}
