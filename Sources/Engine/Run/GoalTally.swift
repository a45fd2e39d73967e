public import Catalog
public import Datasets

/// Counts toward a job's goal: how many annotations the goal's coverage cell holds in the
/// workspace's view when the job starts (from the catalog), plus those of each unit the job adds
/// — counted from the unit itself as it arrives, so the job stops within one image of the target.
public struct GoalTally {
    public let goal: Goal
    let spec: CoverageSpec
    let dataset: String
    /// Annotations the cell holds, the job's units counted so far included.
    public private(set) var count: Int

    /// Nil when the workspace has no such view.
    public init?(_ goal: Goal, workspace: Workspace, catalog: Catalog, dataset: String) throws(CatalogError) {
        let view = goal.view.flatMap { workspace.coverageView($0) } ?? (goal.view == nil ? workspace.coverage : nil)
        guard let view else { return nil }
        self.goal = goal
        spec = view
        self.dataset = dataset
        let matrix = try catalog.coverage(view)
        count = matrix.cells.joined().first { $0.row == goal.row && $0.column == goal.column }?.total ?? 0
    }

    /// Whether the view counts the job's dataset at all (else the goal can never be reached).
    public func counts(holdout: Bool) -> Bool { spec.counts(dataset, holdout: holdout) }

    public var reached: Bool { count >= goal.target }

    /// How many annotations of `unit` fall in the goal's cell.
    public func contribution(_ unit: GeneratedUnit) -> Int {
        spec.cells(of: unit.annotations, attributes: unit.attributes, dataset: dataset)[CellKey(row: goal.row, column: goal.column)] ?? 0
    }

    /// Adds a committed unit's share.
    public mutating func add(_ unit: GeneratedUnit) { count += contribution(unit) }
}
