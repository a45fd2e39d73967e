public import Catalog
public import Datasets
internal import Evaluation
internal import Foundation

/// A workspace's health run, shared by `synthstudio health WORKSPACE` and the studio's Health
/// screen: every dataset's images measured (those measured before, unchanged, come from the
/// catalog), image, duplicate and label issues found within and across datasets, the domain gap of
/// every coverage view's cells, and all of it stored in the catalog (Browse filters by it, the
/// Coverage screen shows the gap column).
public enum WorkspaceHealth {
    public struct Outcome: Sendable {
        public var report: HealthReport
        public var gap: [DomainGapCell]
        /// Images decoded this run, and those known from an earlier one.
        public var measured: Int
        public var reused: Int
    }

    /// Runs the checks; `progress` hears what is being done (a dataset's name as it is measured).
    /// Without a catalog (a workspace that cannot be written to) every image is measured and
    /// nothing is stored.
    public static func run(
        _ workspace: Workspace, catalog: Catalog?, progress: (String) -> Void = { _ in }
    ) throws -> Outcome {
        var parts: [(name: String, dataset: Dataset, measures: [Result<ImageMeasures, DatasetsError>])] = []
        var entries: [(entry: Workspace.Entry, dataset: Dataset)] = []
        var measured = 0
        for entry in workspace.datasets {
            let dataset = try workspace.load(entry)
            progress("measuring \(entry.name) (\(dataset.samples.count) images)")
            let result = try catalog?.measures(of: dataset, name: entry.name) ?? (Health.measure(dataset), dataset.samples.count)
            measured += result.measured
            parts.append((entry.name, dataset, result.results))
            entries.append((entry, dataset))
        }
        progress("looking for duplicates and label issues")
        let report = Health.report(parts)
        var gap: [String: DomainGapCell] = [:]
        for spec in workspace.coverageViews {
            let counted = entries.filter { spec.counts($0.entry.name, holdout: $0.entry.holdout) }
            guard counted.contains(where: { $0.dataset.origin == .real }), counted.contains(where: { $0.dataset.origin == .synthetic })
            else { continue }
            progress("domain gap: \(spec.name ?? spec.rows.description)")
            for cell in DomainGap.measure(spec: spec, datasets: counted.map { ($0.entry.name, $0.dataset) }) {
                gap["\(cell.rowAxis)\u{1F}\(cell.columnAxis)\u{1F}\(cell.row)\u{1F}\(cell.column)"] = cell
            }
        }
        let cells = gap.keys.sorted().compactMap { gap[$0] }
        let total = parts.reduce(0) { $0 + $1.dataset.samples.count }
        try catalog?.storeHealth(report, gap: cells, measured: measured, reused: total - measured)
        return Outcome(report: report, gap: cells, measured: measured, reused: total - measured)
    }
}
