import Catalog
import Datasets

/// One dataset's figures as the read commands report them, from the catalog or from the files.
struct DatasetFigures {
    let name: String
    let origin: Origin
    let format: DatasetFormat
    /// The dataset's folder.
    let root: String
    let images: Int
    let annotations: Int
    let balance: ClassBalance
    /// Files skipped while reading.
    let problems: Int
    let entry: Workspace.Entry?

    init(_ dataset: Dataset, entry: Workspace.Entry?) {
        name = dataset.name
        origin = dataset.origin
        format = dataset.format
        root = dataset.root
        images = dataset.samples.count
        annotations = dataset.annotationCount
        balance = ClassBalance(dataset)
        problems = dataset.problems.count
        self.entry = entry
    }

    init(_ summary: DatasetSummary, balance: ClassBalance, root: String, entry: Workspace.Entry) {
        name = summary.name
        origin = summary.origin
        format = summary.format
        self.root = root
        images = summary.images
        annotations = summary.annotations
        self.balance = balance
        problems = summary.problems
        self.entry = entry
    }
}

/// What `stats`, `coverage` and `--print` report on. A workspace is read through its catalog
/// (`.studio/catalog.sqlite`, made or brought up to date first — a refresh that finds nothing
/// changed reads no dataset), so a second look at a 100,000-image workspace costs a few queries.
/// The files are read whole for a lone dataset folder, and for a workspace whose catalog cannot
/// be opened or that has a dataset the catalog could not index (so its error is the reader's own).
enum Figures {
    case catalog(Workspace, Catalog)
    case files([(Dataset, Workspace.Entry?)])

    static func open(_ target: Target) throws -> Figures {
        switch target {
        case .dataset(let dataset):
            return .files([(dataset, nil)])
        case .workspace(let workspace):
            if let catalog = try? Catalog.open(workspace: workspace.root), let report = try? catalog.refresh(workspace),
                report.problems.isEmpty
            {
                return .catalog(workspace, catalog)
            }
            return .files(try target.datasets())
        }
    }

    /// Every dataset, in the workspace's order.
    func datasets() throws -> [DatasetFigures] {
        switch self {
        case .files(let loaded):
            return loaded.map { DatasetFigures($0.0, entry: $0.1) }
        case .catalog(let workspace, let catalog):
            let summaries = Dictionary(try catalog.datasets().map { ($0.name, $0) }, uniquingKeysWith: { $1 })
            return try workspace.datasets.compactMap { entry in
                guard let summary = summaries[entry.name] else { return nil }
                return DatasetFigures(
                    summary, balance: try catalog.classBalance(dataset: entry.name), root: workspace.path(of: entry), entry: entry)
            }
        }
    }

    /// The coverage matrix of a view over the datasets it counts.
    func coverage(_ spec: CoverageSpec) throws -> CoverageMatrix {
        switch self {
        case .files(let loaded):
            return CoverageMatrix(loaded.filter { spec.counts($0.0.name, holdout: $0.1?.holdout == true) }.map(\.0), spec: spec)
        case .catalog(_, let catalog):
            return try catalog.coverage(spec)
        }
    }
}
