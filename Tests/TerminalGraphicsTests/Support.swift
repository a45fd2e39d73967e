import Foundation
import Testing

/// The repository root, for fixtures shared with other test targets.
enum CLIRoot {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path
}

/// Golden files beside the tests: compared byte for byte; written when missing (review, then commit)
/// or when `SYNTHSTUDIO_UPDATE_GOLDEN=1`.
enum Golden {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path

    static func check(_ bytes: [UInt8], _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = "\(folder)/\(name)"
        let update = ProcessInfo.processInfo.environment["SYNTHSTUDIO_UPDATE_GOLDEN"] == "1"
        guard !update, let expected = FileManager.default.contents(atPath: path) else {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            Issue.record("wrote golden file \(name); review it and run again", sourceLocation: sourceLocation)
            return
        }
        #expect(Array(expected) == bytes, "output differs from \(name)", sourceLocation: sourceLocation)
    }
}

extension Data {
    var text: String { String(decoding: self, as: UTF8.self) }
}
