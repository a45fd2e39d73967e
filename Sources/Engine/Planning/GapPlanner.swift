public import Catalog
public import Datasets
internal import Foundation
internal import GAN
internal import ImageIO
internal import Rendering
internal import StudioCore

/// Turns coverage gaps into the jobs that close them: what `synthstudio fill` prints or queues and
/// what the studio's `f` prefills — one policy, tested without a terminal.
///
/// A cell's deficit is in annotations; a rendered image carries several. A render job is sized by
/// rendering its own first units at one sample per pixel (labels come from each pixel's first
/// sample, so they are those of the final images) and counting the annotations each puts in the
/// cell, until the deficit is covered (or, past `pilotLimit` images, from their mean); the job
/// also carries the cell as its goal, so it stops within one image of the target as units commit.
/// A GAN image is one annotation of its class. Planning every gap (`--all`) takes the largest
/// first and counts what the jobs planned so far are expected to add to the others.
public struct GapPlanner {
    public let workspace: Workspace
    public let catalog: Catalog
    /// Render images counted at most to size one job.
    public var pilotLimit = 32
    /// The first seed to give a job (each planned job takes the next free one).
    public var seed: UInt64
    /// Seeds not to use (earlier jobs').
    public var usedSeeds: Set<UInt64> = []

    public init(workspace: Workspace, catalog: Catalog, seed: UInt64) {
        self.workspace = workspace
        self.catalog = catalog
        self.seed = seed
    }

    /// One cell's plan: the job that fills it, or why there is none and what would make one.
    public struct Plan: Sendable {
        public let view: String?
        public let cell: CellKey
        public let have: Int
        public let target: Int
        /// The job; nil when no generator can fill the cell (`message` says what would).
        public let job: JobSpec?
        /// Annotations each image is expected to add to the cell.
        public let perImage: Double
        /// What the plan is, in a line (`render 12 images of cyclist × snow into street: …`).
        public let summary: String
        public let message: String?

        public var deficit: Int { max(0, target - have) }
    }

    /// The plan for one cell of a view.
    public func plan(_ spec: CoverageSpec, cell: CellKey) throws(EngineError) -> Plan {
        let matrix = try self.matrix(spec)
        guard let found = matrix.cells.joined().first(where: { $0.row == cell.row && $0.column == cell.column }) else {
            throw EngineError(
                .invalidSpec,
                "the view has no cell \(cell.description.terminalSafe) (rows: \(matrix.rowLabels.prefix(12).joined(separator: ", ")); columns: \(matrix.columnLabels.prefix(12).joined(separator: ", ")))"
            )
        }
        var seeds = SeedSource(next: seed, used: usedSeeds)
        return try plan(found, spec: spec, have: found.total, seeds: &seeds).plan
    }

    /// Plans for every gap of the views, largest deficit first within a view, each counting what
    /// the jobs planned before it in that view are expected to add.
    public func planAll(_ views: [CoverageSpec]) throws(EngineError) -> [Plan] {
        var plans: [Plan] = []
        var seeds = SeedSource(next: seed, used: usedSeeds)
        for spec in views {
            let matrix = try self.matrix(spec)
            var expected: [CellKey: Double] = [:]
            for gap in matrix.gaps() {
                let key = CellKey(row: gap.row, column: gap.column)
                let have = gap.total + Int((expected[key] ?? 0).rounded(.down))
                guard have < gap.target else { continue }
                let (plan, contributions) = try plan(gap, spec: spec, have: have, seeds: &seeds)
                plans.append(plan)
                for (cell, n) in contributions { expected[cell, default: 0] += n }
            }
        }
        return plans
    }

    /// Plans for the `count` cells of a view where the last detection evaluation scored lowest
    /// (AP50; cells it did not score are left out), each to gain `adding` annotations (default:
    /// its target, at least 10) whether or not it is short: the gap in quality, not in counts.
    public func planWeakest(_ spec: CoverageSpec, evaluation: EvaluationCells, count: Int, adding: Int? = nil) throws(EngineError)
        -> [Plan]
    {
        let matrix = try self.matrix(spec)
        let scored = matrix.cells.joined().compactMap { c in
            evaluation.ap50(row: c.row, column: c.column, spec: spec).map { (cell: c, ap: $0) }
        }
        let weakest = scored.sorted { $0.ap < $1.ap || ($0.ap == $1.ap && ($0.cell.row, $0.cell.column) < ($1.cell.row, $1.cell.column)) }
            .prefix(count)
        var raised = spec
        for (cell, _) in weakest { raised.targets["\(cell.row)/\(cell.column)"] = cell.total + (adding ?? max(cell.target, 10)) }
        var planner = self
        var plans: [Plan] = []
        for (cell, _) in weakest {
            let plan = try planner.plan(raised, cell: CellKey(row: cell.row, column: cell.column))
            if let seed = plan.job?.seed { planner.usedSeeds.insert(seed) }
            plans.append(plan)
        }
        return plans
    }

    /// The workspace's view named `name` (the default view when nil).
    public static func view(_ name: String?, in workspace: Workspace) throws(EngineError) -> CoverageSpec {
        guard let name else { return workspace.coverage }
        guard let found = workspace.coverageView(name) else {
            throw EngineError(
                .invalidSpec,
                "no coverage view \(name.terminalSafe) in studio.yaml (views: \(workspace.coverageViews.compactMap(\.name).joined(separator: ", ")))"
            )
        }
        return found
    }

    // MARK: One cell

    private func matrix(_ spec: CoverageSpec) throws(EngineError) -> CoverageMatrix {
        do { return try catalog.coverage(spec) } catch { throw EngineError(.commitFailed, "catalog: \(error.message)") }
    }

    /// The plan for a cell holding `have` annotations, and what its job is expected to add to
    /// each cell of the view.
    private func plan(_ cell: CoverageMatrix.Cell, spec: CoverageSpec, have: Int, seeds: inout SeedSource) throws(EngineError) -> (
        plan: Plan, contributions: [CellKey: Double]
    ) {
        let key = CellKey(row: cell.row, column: cell.column)
        let deficit = cell.target - have
        func none(_ message: String) -> (Plan, [CellKey: Double]) {
            (
                Plan(
                    view: spec.name, cell: key, have: have, target: cell.target, job: nil, perImage: 0,
                    summary: "no generator for \(key.description.terminalSafe)", message: message), [:]
            )
        }
        guard deficit > 0 else { return none("\(key.description.terminalSafe) is not short") }
        let className = spec.rows == .category ? cell.row : (spec.columns == .category ? cell.column : nil)
        // Conditions the cell pins, as recipe parameters.
        var pins: [String: String] = [:]
        var unpinnable: [String] = []
        for (axis, value) in [(spec.rows, cell.row), (spec.columns, cell.column)] {
            switch axis {
            case .attribute(let name)?:
                if let p = Recipe.pins(attribute: name, value: value) {
                    pins.merge(p) { a, _ in a }
                } else {
                    unpinnable.append("\(name)=\(value)")
                }
            case .origin?:
                if value != Origin.synthetic.rawValue { unpinnable.append("origin=\(value)") }
            case .split?, .dataset?:
                unpinnable.append("\(axis!)=\(value)")
            case .category?, nil: break
            }
        }
        if let render = try renderPlan(
            cell, key: key, spec: spec, className: className, pins: pins, unpinnable: unpinnable, have: have, seeds: &seeds)
        {
            return render
        }
        if let className, unpinnable.isEmpty || spec.columns == nil,
            let gan = try ganPlan(key: key, spec: spec, className: className, have: have, target: cell.target, seeds: &seeds)
        {
            return gan
        }
        var what: [String] = []
        if !unpinnable.isEmpty {
            what.append(
                "the renderer cannot set \(unpinnable.joined(separator: ", ")) (its recipe parameters: \(Recipe.known.keys.sorted().joined(separator: ", ")))"
            )
        }
        if let className {
            let data = countedReal(spec).first?.name ?? "DATASET"
            what.append(
                "no scene recipe labels \(className.terminalSafe) (map a renderer class to it with labels: in scenes/*.yaml or the view) and no GAN run knows it (synthstudio gan train --data \(data.terminalSafe) --out models/\(data.terminalSafe))"
            )
        } else if recipes.isEmpty {
            what.append("the workspace has no scene recipe (scenes/*.yaml)")
        }
        return none("no generator for \(key.description.terminalSafe): " + what.joined(separator: "; "))
    }

    /// The view's datasets as workspace entries, real ones first.
    private func counted(_ spec: CoverageSpec) -> [Workspace.Entry] {
        workspace.datasets.filter { spec.counts($0.name, holdout: $0.holdout) }
    }

    private func countedReal(_ spec: CoverageSpec) -> [Workspace.Entry] { counted(spec).filter { $0.origin == .real } }

    /// `scenes/*.yaml` of the workspace, sorted.
    private var recipes: [String] {
        ((try? FileIO.list("\(workspace.root)/scenes")) ?? []).filter { $0.kind == .file && $0.name.hasSuffix(".yaml") }.map {
            "\(workspace.root)/scenes/\($0.name)"
        }.sorted()
    }

    /// The recipe to render a view's gaps with: the one that rendered the view's synthetic data
    /// (the `recipe` its `provenance.jsonl` names), so a second recipe beside it — a holdout's, a
    /// test scene — is never taken by its place in the alphabet; else the first of `scenes/`.
    private func recipe(for spec: CoverageSpec) -> String? {
        let available = recipes
        for entry in counted(spec) where entry.origin == .synthetic {
            guard let head = try? FileIO.readPrefix("\(workspace.path(of: entry))/provenance.jsonl", count: 4096) else { continue }
            guard case .object(let fields)? = try? JSONReader.parse(Array(head.prefix { $0 != UInt8(ascii: "\n") })),
                case .string(let name)? = fields.first(where: { $0.0 == "recipe" })?.1,
                let path = available.first(where: { $0.hasSuffix("/\(name)") })
            else { continue }
            return path
        }
        return available.first
    }

    /// A synthetic dataset name the view counts for a new generator's data: an existing one of
    /// `format`, else `<base>-<suffix>` when the view's patterns take it in.
    private func targetDataset(_ spec: CoverageSpec, format: DatasetFormat, suffix: String) -> (name: String, isNew: Bool)? {
        if let existing = counted(spec).first(where: { $0.origin == .synthetic && ($0.format ?? .coco) == format }) {
            return (existing.name, false)
        }
        let base = countedReal(spec).first?.name ?? spec.name ?? "generated"
        let candidate = "\(base)-\(suffix)"
        guard spec.counts(candidate, holdout: false), !workspace.datasets.contains(where: { $0.name == candidate }) else { return nil }
        return (candidate, true)
    }

    // MARK: Routes

    private func renderPlan(
        _ cell: CoverageMatrix.Cell, key: CellKey, spec: CoverageSpec, className: String?, pins: [String: String], unpinnable: [String],
        have: Int, seeds: inout SeedSource
    ) throws(EngineError) -> (plan: Plan, contributions: [CellKey: Double])? {
        guard unpinnable.isEmpty, let recipePath = recipe(for: spec) else { return nil }
        let recipe: Recipe
        do { recipe = try Recipe.load(recipePath) } catch { return nil }
        let labels = spec.labels.isEmpty ? recipe.labels : spec.labels
        let produced = recipe.classes(labels: labels)
        if let className, !produced.contains(className) { return nil }
        guard className != nil || !pins.isEmpty else { return nil }
        guard let target = targetDataset(spec, format: .coco, suffix: "render") else { return nil }
        var allPins = pins
        // A class the scene holds a chosen number of (the street's people, cars…, each asset of
        // a composition): ask for plenty of it in each image.
        if let className {
            let rendererName = labels.isEmpty ? className : (labels.first { $0.value == className }?.key ?? className)
            if let plenty = recipe.plenty(rendererName), allPins[plenty.parameter] == nil { allPins[plenty.parameter] = plenty.value }
        }
        // Into the user's class list when the labels map into their categories.
        var classes: [String]?
        if !labels.isEmpty, let real = countedReal(spec).first, let balance = try? catalog.classBalance(dataset: real.name) {
            classes = balance.rows.map(\.category.name)
        }
        let seed = seeds.take()
        let deficit = cell.target - have
        let render = RenderSpec(
            id: "planned", units: UnitPlan(dataset: target.name, count: 1, seed: seed), recipe: recipePath, pins: allPins, labels: labels,
            classes: classes)
        let job = try RenderJob(render)
        // Count what the job's own first units put in the cell.
        var inCell: [Int] = []
        var everywhere: [CellKey: Int] = [:]
        while inCell.reduce(0, +) < deficit, inCell.count < pilotLimit {
            let unit = try job.labelled(inCell.count)
            let cells = spec.cells(of: unit.annotations, attributes: unit.attributes, dataset: target.name)
            inCell.append(cells[key] ?? 0)
            for (k, n) in cells { everywhere[k, default: 0] += n }
        }
        let found = inCell.reduce(0, +)
        guard found > 0 else {
            return (
                Plan(
                    view: spec.name, cell: key, have: have, target: cell.target, job: nil, perImage: 0,
                    summary: "no generator for \(key.description.terminalSafe)",
                    message:
                        "\(FileIO.lastComponent(of: recipePath).terminalSafe) rendered \(inCell.count) images with \(Self.text(allPins)) and none labelled \(key.description.terminalSafe)"
                ), [:]
            )
        }
        let perImage = Double(found) / Double(inCell.count)
        let count = found >= deficit ? inCell.count : inCell.count + Int((Double(deficit - found) / perImage).rounded(.up))
        var units = render.units
        units.count = count
        units.goal = Goal(view: spec.name, row: cell.row, column: cell.column, target: cell.target)
        var final = render
        final.units = units
        let contributions = everywhere.mapValues { Double($0) / Double(inCell.count) * Double(count) }
        let into = target.isNew ? "\(target.name) (new)" : target.name
        return (
            Plan(
                view: spec.name, cell: key, have: have, target: cell.target, job: .render(final), perImage: perImage,
                summary:
                    "render \(count) image\(count == 1 ? "" : "s") into \(into.terminalSafe) with \(Self.text(allPins)) (\(String(format: "%.2f", perImage)) per image)",
                message: nil), contributions
        )
    }

    private func ganPlan(key: CellKey, spec: CoverageSpec, className: String, have: Int, target: Int, seeds: inout SeedSource)
        throws(EngineError) -> (
            plan: Plan, contributions: [CellKey: Double]
        )?
    {
        let models = "\(workspace.root)/models"
        let runs = ((try? FileIO.list(models)) ?? []).filter { $0.kind == .directory }.map(\.name).sorted()
        for entry in countedReal(spec) {
            let root = workspace.path(of: entry)
            for name in runs {
                guard let info = try? GANRunInfo.read(run: "\(models)/\(name)"), FileIO.absolute(info.datasetRoot) == root,
                    info.classes.contains(className)
                else { continue }
                guard let dataset = targetDataset(spec, format: .imageFolder, suffix: "gan") else { continue }
                let count = target - have
                let units = UnitPlan(
                    dataset: dataset.name, count: count, seed: seeds.take(),
                    goal: Goal(view: spec.name, row: key.row, column: key.column, target: target))
                let job = JobSpec.ganSample(GANSampleSpec(id: "planned", units: units, run: "\(models)/\(name)", className: className))
                let into = dataset.isNew ? "\(dataset.name) (new)" : dataset.name
                return (
                    Plan(
                        view: spec.name, cell: key, have: have, target: target, job: job, perImage: 1,
                        summary:
                            "GAN models/\(name.terminalSafe): \(count) image\(count == 1 ? "" : "s") of class \(className.terminalSafe) into \(into.terminalSafe)",
                        message: nil), [key: Double(count)]
                )
            }
        }
        return nil
    }

    static func text(_ pins: [String: String]) -> String {
        pins.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// Seeds for planned jobs: consecutive from a start, skipping those already used.
    struct SeedSource {
        var next: UInt64
        var used: Set<UInt64>

        mutating func take() -> UInt64 {
            while used.contains(next) { next &+= 1 }
            used.insert(next)
            return next
        }
    }
}
