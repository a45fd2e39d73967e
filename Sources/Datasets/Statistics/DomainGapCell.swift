/// How easily real and synthetic data of one coverage cell are told apart: the held-out AUC of a
/// small real-vs-synthetic classifier on the cell's objects (0.5 means indistinguishable, 1.0
/// always told apart). `auc` is nil when either side has too few objects to say.
public struct DomainGapCell: Sendable, Hashable {
    public var rowAxis: String
    public var columnAxis: String
    public var row: String
    /// `all` for the whole row (every column of the view together).
    public var column: String
    public var auc: Double?
    public var real: Int
    public var synthetic: Int

    public init(rowAxis: String, columnAxis: String, row: String, column: String, auc: Double?, real: Int, synthetic: Int) {
        self.rowAxis = rowAxis
        self.columnAxis = columnAxis
        self.row = row
        self.column = column
        self.auc = auc
        self.real = real
        self.synthetic = synthetic
    }

    /// The column of a whole row's figure.
    public static let wholeRow = "all"
}
