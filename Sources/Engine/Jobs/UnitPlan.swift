/// The images a job writes: into which synthetic dataset, how many, from which seed, which shard
/// of them this run makes, and when to stop early.
public struct UnitPlan: Sendable, Hashable {
    /// The synthetic dataset (one folder name; `synthetic/<dataset>` in a workspace).
    public var dataset: String
    /// Units to produce (at most: a goal may stop the job before).
    public var count: Int
    /// Unit `i` of seed `s` is the same in every run, shard and resume.
    public var seed: UInt64
    public var shard: Shard
    /// Stop once this coverage cell reaches its target (the gap planner's jobs).
    public var goal: Goal?

    public init(dataset: String, count: Int, seed: UInt64, shard: Shard = .whole, goal: Goal? = nil) {
        self.dataset = dataset
        self.count = count
        self.seed = seed
        self.shard = shard
        self.goal = goal
    }

    /// The indices this shard produces, without those in `done`.
    public func pending(done: Set<Int>) -> [Int] { shard.indices(of: count).filter { !done.contains($0) } }
}

/// Which part of a job a run covers: indices `i` with `i % count == index`.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws(EngineError) {
        guard count >= 1, index >= 0, index < count else {
            throw EngineError(.invalidSpec, "shard \(index)/\(count) is impossible: need 0 ≤ k < n")
        }
        self.index = index
        self.count = count
    }

    public static let whole = try! Shard(index: 0, count: 1)

    /// The unit indices of `0..<total` this shard renders.
    public func indices(of total: Int) -> StrideTo<Int> { stride(from: index, to: total, by: count) }

    public var description: String { "\(index)/\(count)" }

    /// `k/n`.
    public static func parse(_ text: String) throws(EngineError) -> Shard {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw EngineError(.invalidSpec, "shard \"\(text)\" must be k/n, e.g. 0/4")
        }
        return try Shard(index: k, count: n)
    }
}

/// A coverage cell a job fills: the job stops once the cell holds `target` annotations,
/// counted in the workspace's view `view` (the default view when nil) as units commit.
public struct Goal: Sendable, Hashable, CustomStringConvertible {
    public var view: String?
    public var row: String
    /// `all` in a view with one column.
    public var column: String
    public var target: Int

    public init(view: String?, row: String, column: String, target: Int) {
        self.view = view
        self.row = row
        self.column = column
        self.target = target
    }

    public var description: String { "\(row) × \(column) → \(target)" }
}
