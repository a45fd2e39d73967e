import Foundation

/// A fresh directory under the system's temporary folder, removed when the value is released.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "synthstudio-test") {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/\(label)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `path/relative`, creating the parent folders.
    public func file(_ relative: String) -> String {
        let full = "\(path)/\(relative)"
        let parent = (full as NSString).deletingLastPathComponent
        try! FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        return full
    }

    /// Writes raw bytes (or text) to `relative`, creating the parent folders.
    @discardableResult
    public func write(_ relative: String, _ bytes: [UInt8]) -> String {
        let full = file(relative)
        _ = FileManager.default.createFile(atPath: full, contents: Data(bytes))
        return full
    }

    @discardableResult
    public func write(_ relative: String, _ text: String) -> String {
        write(relative, Array(text.utf8))
    }

    /// Names of the entries of a folder, sorted (hidden ones included).
    public func list(_ relative: String = "") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: relative.isEmpty ? path : "\(path)/\(relative)")) ?? []).sorted()
    }
}

/// File mode bits, for tests that check what was written.
public enum FileManagerPermissions {
    public static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0
    }
}
