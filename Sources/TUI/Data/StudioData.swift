public import Catalog
public import Datasets
public import Engine
internal import Foundation
internal import GAN
internal import ImageIO
internal import StudioCore

/// What the screens show, read from the catalog (a few small queries, milliseconds even on large
/// workspaces) and from `models/`. `reload()` re-reads everything; the UI calls it after the
/// background index refresh and whenever a job commits.
///
/// Belongs to the UI thread: it is not `Sendable`, so no background closure can capture it. Work
/// for other threads (`indexer`, the sample queries) captures only the workspace's root and the
/// catalog, which are.
public final class StudioData {
    public private(set) var workspace: Workspace
    public let catalog: Catalog
    let jobStore: JobStore
    public private(set) var datasets: [DatasetSummary] = []
    public private(set) var balances: [String: ClassBalance] = [:]
    public private(set) var coverage: [CoverageMatrix] = []
    /// The latest detection evaluation's AP50 by class and condition, when there is one.
    public private(set) var evaluation: EvaluationCells?
    /// The last health run (`health` or the Health screen), nil before the first.
    public private(set) var health: HealthSummary?
    /// Its domain gap per coverage cell and row.
    public private(set) var domainGap: [DomainGapCell] = []
    /// Views made in the studio (`:axes weather lighting`), after the workspace's own; not saved.
    public var extraViews: [CoverageSpec] = []
    public private(set) var jobs: [JobRecord] = []
    public private(set) var runs: [RunSummary] = []

    /// A GAN run in `models/` with the losses it logged.
    public struct RunSummary: Sendable {
        public let name: String
        public let folder: String
        public let datasetRoot: String
        public let classes: [String]
        public let step: Int
        public let steps: Int
        /// `(step, discriminator, generator)` per checkpoint, from `log.jsonl`.
        public let losses: [(step: Int, discriminator: Double, generator: Double)]
        public let latestGrid: String?
        /// How the run is made (`GANRunInfo.recipe`).
        public var recipe: [String] = []
        /// The judge's diversity and fidelity per class at the last checkpoint that has them.
        var quality: (step: Int, classes: [ClassQuality])? = nil
    }

    /// Set when the catalog had to be rebuilt (the jobs are restored from their folders).
    public let recovery: String?

    public init(workspace root: String) throws(TUIError) {
        do {
            (workspace, jobStore, recovery) = try JobControl.open(workspace: root)
        } catch {
            throw TUIError(.workspace, error.description)
        }
        catalog = jobStore.catalog
    }

    /// The index refresh as work for another thread: it brings the catalog up to date with the
    /// files (slow on big workspaces) reading the workspace file anew, and returns a short report
    /// for the status line. It holds the root and the catalog, never this object.
    public var indexer: @Sendable () -> String {
        let root = workspace.root, catalog = self.catalog
        return { Self.refreshIndex(root: root, catalog: catalog) }
    }

    static func refreshIndex(root: String, catalog: Catalog) -> String {
        do {
            let report = try catalog.refresh(Workspace.load(root))
            if let problem = report.problems.first {
                let more = report.problems.count > 1 ? " (+\(report.problems.count - 1) more)" : ""
                return "index: \(problem)\(more)"
            }
            return "indexed: \(report.entries.filter { $0.action == .indexed }.count) dataset(s) read"
        } catch let error as DatasetsError {
            return "index: \(error.description)"
        } catch {
            return "index: \(error)"
        }
    }

    /// Re-reads the screens' data from the catalog and, unless `runs` is false, the run folders
    /// (files on disk: skipped when no training job could have changed them).
    public func reload(runs readRuns: Bool = true) {
        if let ws = try? Workspace.load(workspace.root) { workspace = ws }
        datasets = (try? catalog.datasets()) ?? []
        var balances: [String: ClassBalance] = [:]
        for d in datasets { balances[d.name] = try? catalog.classBalance(dataset: d.name) }
        self.balances = balances
        coverage = (workspace.coverageViews + extraViews).compactMap { try? catalog.coverage($0) }
        evaluation = EvaluationCells.latest(in: workspace.root)
        health = try? catalog.healthSummary()
        domainGap = (try? catalog.domainGap()) ?? []
        reloadJobs()
        if readRuns { runs = Self.readRuns(workspace.root) }
    }

    public func reloadJobs() {
        jobs = (try? JobControl(store: jobStore, executable: "").jobs()) ?? []
    }

    /// A page of samples of `dataset`, optionally of one class.
    public func samples(dataset: String, category: String?, offset: Int, limit: Int) -> [SampleRow] {
        sampleQuery(dataset: dataset, category: category, offset: offset, limit: limit)()
    }

    /// The same page as a query to run on another thread (it touches only the catalog).
    public func sampleQuery(dataset: String, category: String?, offset: Int, limit: Int) -> @Sendable () -> [SampleRow] {
        sampleQuery(dataset: dataset, conditions: category.map { [(.category, $0)] } ?? [], offset: offset, limit: limit)
    }

    /// Samples of `dataset` with an annotation meeting every condition (`weather=snow`, …) and,
    /// with `health`, flagged by the last health run with one of those kinds.
    public func sampleQuery(
        dataset: String, conditions: [(axis: CoverageAxis, value: String)], health: Set<HealthIssue.Kind>? = nil, offset: Int, limit: Int
    ) -> @Sendable () -> [SampleRow] {
        let filter = SampleFilter(datasets: [dataset], conditions: conditions, health: health)
        let catalog = self.catalog
        return { (try? catalog.samples(filter, offset: offset, limit: limit)) ?? [] }
    }

    /// Samples meeting `filter`, as a query for another thread.
    public func sampleQuery(_ filter: SampleFilter, offset: Int, limit: Int) -> @Sendable () -> [SampleRow] {
        let catalog = self.catalog
        return { (try? catalog.samples(filter, offset: offset, limit: limit)) ?? [] }
    }

    /// Attribute keys of a dataset with their commonest values.
    public func attributeValues(dataset: String) -> [String: [String]] { (try? catalog.attributeValues(dataset: dataset)) ?? [:] }

    /// The axes Balance can show a per-class histogram over for `datasets`: COCO object size,
    /// then every attribute coverage counts with 2 to 12 values (in bands for measurements;
    /// weather and light first).
    public func histogramAxes(datasets names: [String]) -> [String] {
        var keys: [String: Set<String>] = [:]
        for name in names {
            for (key, values) in attributeValues(dataset: name) where !key.hasPrefix("ignore") {
                // As coverage counts them: in bands, or as they are; measurements on no axis drop out.
                keys[key, default: []].formUnion(values.compactMap { AttributeAxis.value(key: key, raw: $0) })
            }
        }
        let first = ["weather", "time_of_day", "lighting", "light"]
        let attributes = keys.filter { (2...12).contains($0.value.count) }.keys.sorted { a, b in
            let (i, j) = (first.firstIndex(of: a) ?? first.count, first.firstIndex(of: b) ?? first.count)
            return i != j ? i < j : a < b
        }
        return [Self.sizeAxis] + attributes
    }

    /// Balance's name for the COCO object-size axis (with a space: not an attribute key).
    public static let sizeAxis = "object size"

    /// Per class of `datasets`, annotations by the values of `axis` (`histogramAxes`), real and
    /// synthetic; nil when the catalog cannot say.
    public func histogram(axis: String, datasets names: [String]) -> CoverageMatrix? {
        var spec = CoverageSpec(rows: .category, columns: .attribute(axis))
        guard axis == Self.sizeAxis else { return try? catalog.coverage(spec, datasets: names) }
        guard let counts = try? catalog.sizeCounts(datasets: names) else { return nil }
        spec.expectedValues = [axis: Catalog.sizeBuckets]
        var classes: [String] = []
        for name in names {
            for row in balances[name]?.rows ?? [] where !classes.contains(row.category.name) { classes.append(row.category.name) }
        }
        return CoverageMatrix(counts: counts, spec: spec, categoryNames: classes, datasetNames: names)
    }

    /// Samples of one coverage cell across the view's datasets, as a query for another thread.
    public func sampleQuery(in cell: CoverageMatrix.Cell, of matrix: CoverageMatrix, offset: Int, limit: Int) -> @Sendable () -> [SampleRow]
    {
        var conditions: [(axis: CoverageAxis, value: String)] = [(matrix.spec.rows, cell.row)]
        if let columns = matrix.spec.columns { conditions.append((columns, cell.column)) }
        let names = datasets.filter { matrix.spec.counts($0.name, holdout: $0.holdout) }.map(\.name)
        let filter = SampleFilter(datasets: names, conditions: conditions)
        let catalog = self.catalog
        return { (try? catalog.samples(filter, offset: offset, limit: limit)) ?? [] }
    }

    /// The health run as work for another thread (holds the root and the catalog, never this
    /// object); `progress` hears each step. Returns the status line's report.
    public var healthChecker: @Sendable (@escaping @Sendable (String) -> Void) -> String {
        let root = workspace.root, catalog = self.catalog
        return { progress in
            do {
                let outcome = try WorkspaceHealth.run(Workspace.load(root), catalog: catalog) { progress("health: \($0)…") }
                let images = outcome.measured + outcome.reused
                return "health: \(outcome.report.issues.count) issue(s) in \(images) images (\(outcome.measured) measured now)"
            } catch let error as DatasetsError {
                return "health: \(error.description)"
            } catch let error as CatalogError {
                return "health: \(error.description)"
            } catch {
                return "health: \(error)"
            }
        }
    }

    /// Stored findings of the last health run.
    public func healthIssues(dataset: String, kinds: Set<HealthIssue.Kind>, limit: Int) -> [HealthIssue] {
        (try? catalog.healthIssues(dataset: dataset, kinds: kinds, limit: limit)) ?? []
    }

    public func detail(_ sample: SampleRow) -> SampleDetail? { try? catalog.detail(sample: sample.id) }

    /// The classes of each sample, most annotations first (thumbnail captions).
    public func classes(of samples: [Int64]) -> [Int64: [String]] { (try? catalog.classes(of: samples)) ?? [:] }

    /// A map rendered beside a sample's image — `masks/NAME.png` or `depth/NAME.png` in its
    /// dataset's folder, as the renderer writes them — when there is one.
    public func layerPath(_ sample: SampleRow, folder: String) -> String? {
        guard let entry = workspace.datasets.first(where: { $0.name == sample.dataset }) else { return nil }
        let path = "\(workspace.path(of: entry))/\(folder)/\(ImageMaps.fileName(forImage: sample.path))"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The absolute path of a sample's image.
    public func imagePath(_ sample: SampleRow) -> String? {
        guard let entry = workspace.datasets.first(where: { $0.name == sample.dataset }) else { return nil }
        return "\(workspace.path(of: entry))/\(sample.path)"
    }

    public func jobControl(executable: String) -> JobControl { JobControl(store: jobStore, executable: executable) }

    /// The gap planner on this workspace, with a seed no earlier job used.
    public func planner(executable: String) -> GapPlanner {
        GapPlanner(workspace: workspace, catalog: catalog, seed: jobControl(executable: executable).freshSeed())
    }

    static func readRuns(_ root: String) -> [RunSummary] {
        let models = "\(root)/models"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: models)) ?? []).sorted()
        return names.compactMap { name in
            let folder = "\(models)/\(name)"
            guard let info = try? GANRunInfo.read(run: folder) else { return nil }
            var losses: [(Int, Double, Double)] = []
            var quality: (step: Int, classes: [ClassQuality])?
            if let text = try? String(contentsOfFile: "\(folder)/log.jsonl", encoding: .utf8) {
                for line in text.split(separator: "\n") {
                    guard let object = try? JSONReader.parse(Array(line.utf8)), let step = object["step"]?.integer,
                        let d = object["discriminator"]?.number, let g = object["generator"]?.number
                    else { continue }
                    losses.append((step, d, g))
                    if let measured = SampleJudge.quality(from: object, classes: info.classes.count) { quality = (step, measured) }
                }
            }
            if let bytes = try? FileIO.read(SampleJudge.checkPath(folder), limit: 1 << 20), let object = try? JSONReader.parse(bytes),
                let step = object["step"]?.integer, step >= quality?.step ?? 0,
                let measured = SampleJudge.quality(from: object, classes: info.classes.count)
            {
                quality = (step, measured)
            }
            let grids = ((try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/samples")) ?? []).filter { $0.hasSuffix(".png") }
                .sorted()
            let step = grids.last.flatMap { Int($0.dropFirst(5).prefix(6)) } ?? 0
            return RunSummary(
                name: name, folder: folder, datasetRoot: info.datasetRoot, classes: info.classes, step: step, steps: info.settings.steps,
                losses: losses, latestGrid: grids.last.map { "\(folder)/samples/\($0)" }, recipe: info.recipe, quality: quality)
        }
    }
}
