internal import StudioCore

/// Why the catalog could not be opened, refreshed or queried.
public struct CatalogError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The SQLite file could not be opened or created.
        case unavailable
        /// A dataset could not be read while indexing (the message says which and why).
        case dataset
        /// SQLite reported an error.
        case database
        /// A query named something the catalog does not hold.
        case notFound
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message.terminalSafe }
}
