internal import StudioCore

/// Why an image could not be read, probed or written, with the file it concerns.
public struct ImageIOError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a closed set callers can branch on.
    public enum Code: String, Sendable, Hashable {
        /// The file could not be opened or read (missing, permission, a directory, a loop of links).
        case unreadable
        /// The file is empty.
        case empty
        /// The bytes are not an image format we read.
        case unknownFormat
        /// The format is known, but this variant is not supported (PNM P3, 12-bit JPEG, …).
        case unsupported
        /// The data ends before the image does.
        case truncated
        /// The data is damaged (bad CRC, bad marker, impossible header).
        case corrupt
        /// The header asks for more pixels than `DecodeLimits` allow; nothing was allocated.
        case tooLarge
        /// The file could not be written; nothing was left behind.
        case writeFailed
    }

    public let code: Code
    /// The file concerned, or `nil` for data in memory.
    public let path: String?
    /// What the decoder or the system said.
    public let message: String

    public init(_ code: Code, path: String?, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// A copy naming `path`, for errors raised on bytes before the file name was known.
    public func at(_ path: String) -> ImageIOError {
        ImageIOError(code, path: path, message)
    }

    public var description: String {
        "\(path.map { "\($0.terminalSafe): " } ?? "")\(message.terminalSafe) (\(code.rawValue))"
    }
}
