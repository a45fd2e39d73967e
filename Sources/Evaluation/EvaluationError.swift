/// Why an evaluation could not run, with the dataset, file or setting at fault.
public struct EvaluationError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A dataset that cannot be trained or scored on: no boxes, no class shared with the
        /// holdout, an unreadable image, too many images.
        case data
        /// An impossible setting (input size, steps, batch).
        case settings
        /// A saved checkpoint that is damaged or from other settings.
        case checkpoint
        /// Reading or writing the evaluation folder failed.
        case io
    }

    public let code: Code
    public var description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
