internal import StudioCore

/// Why a dataset, workspace file or annotation could not be read or written.
///
/// Always names the file, and where it helps the line or field (`annotations[12].bbox`,
/// `labels/train/a.txt:3`).
public struct DatasetsError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A file or folder could not be read.
        case unreadable
        /// The layout matches no format we know.
        case unknownFormat
        /// The file does not parse (bad JSON, YAML or XML).
        case syntax
        /// A required key is missing or has the wrong type.
        case schema
        /// A value is impossible: a negative box, an unknown id, a class index out of range.
        case invalidValue
        /// A path leaves the dataset folder (`../../etc/passwd`) or is absolute.
        case unsafePath
        /// Writing failed; nothing half-written was left.
        case writeFailed
    }

    public let code: Code
    public let path: String
    /// The line (`:3`), field (`annotations[4].bbox`) or both, when known.
    public let location: String?
    public let message: String

    public init(_ code: Code, path: String, at location: String? = nil, _ message: String) {
        self.code = code
        self.path = path
        self.location = location
        self.message = message
    }

    public var description: String {
        let place = location.map { $0.hasPrefix(":") ? $0 : " \($0)" } ?? ""
        return "\(path.terminalSafe)\(place.terminalSafe): \(message.terminalSafe)"
    }
}
