internal import StudioCore

/// Why a job could not be specified, run, or committed.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A job spec with an unknown kind or field, a missing or wrong value.
        case invalidSpec
        /// A worker wrote something that is not an event of the protocol.
        case protocolViolation
        /// A job may only write into a synthetic dataset.
        case notSynthetic
        /// A unit in the staging folder is incomplete or damaged.
        case badUnit
        /// Writing into the dataset failed; what was there before is intact.
        case commitFailed
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message.terminalSafe }
}
