import ArgumentParser
import Catalog
import Datasets
import Engine
import Foundation
import StudioCore

struct Fill: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill",
        abstract: "Plan (and queue) the generation jobs that close a workspace's coverage gaps — what the studio's f does.",
        discussion: """
            A render job is sized by rendering its own first images at one sample per pixel and \
            counting the annotations each puts in the cell; it also stops once the cell reaches its \
            target as images commit. A GAN job makes one image per missing annotation. With --all, \
            the largest gap goes first and later plans count what earlier jobs will add. Without \
            --cell or --all, the largest gap of the view is filled. --weakest K fills instead the K \
            cells where the workspace's latest detection evaluation (evaluate --task detect) scored \
            the lowest AP50, short or not, each with --adding annotations more (default: its \
            target). --dry-run prints the plan only. A composed scene's class gap pins \
            count_<class>; an environment column pins the environment map.
            """
    )

    @Argument(help: "A workspace folder (with studio.yaml). Default: the current folder.")
    var workspace: String = "."

    @Option(help: "The coverage view (default: the first; with --all, every view).")
    var view: String?

    @Option(help: "One cell: ROW/COLUMN (ROW alone in a one-column view), e.g. cyclist/snow.")
    var cell: String?

    @Flag(help: "Every gap of the view (or of every view).")
    var all = false

    @Option(help: "Fill the K cells with the lowest AP50 in the latest detection evaluation.")
    var weakest: Int?

    @Option(help: "With --weakest: annotations to add to each cell (default: its target, at least 10).")
    var adding: Int?

    @Flag(help: "Print the jobs without queueing them.")
    var dryRun = false

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        if [cell != nil, all, weakest != nil].filter({ $0 }).count > 1 { throw ValidationError("give one of --cell, --all, --weakest") }
        if let weakest, weakest < 1 { throw ValidationError("--weakest must be at least 1") }
        if let adding, adding < 1 { throw ValidationError("--adding must be at least 1") }
        if adding != nil && weakest == nil { throw ValidationError("--adding goes with --weakest") }
    }

    func run() throws {
        try reportingErrors {
            let (ws, store, recovery) = try JobControl.open(workspace: workspace)
            if let recovery { Console.error("synthstudio: warning: \(recovery.terminalSafe)\n") }
            // Plans count from the catalog: bring it up to date first.
            _ = try store.catalog.refresh(ws)
            let control = JobControl(store: store, executable: executablePath())
            let planner = GapPlanner(workspace: ws, catalog: store.catalog, seed: control.freshSeed())
            let plans: [GapPlanner.Plan]
            if let weakest {
                guard let evaluation = EvaluationCells.latest(in: ws.root) else {
                    throw CLIError(
                        message:
                            "no detection evaluation in \(ws.root.terminalSafe)/.studio: run synthstudio evaluate --task detect with a holdout of this workspace (or an evaluate job with task=detect)"
                    )
                }
                plans = try planner.planWeakest(try GapPlanner.view(view, in: ws), evaluation: evaluation, count: weakest, adding: adding)
                if plans.isEmpty { Console.error("synthstudio: the evaluation scored no cell of this view\n") }
            } else if all {
                plans = try planner.planAll(view == nil ? ws.coverageViews : [try GapPlanner.view(view, in: ws)])
            } else if let cell {
                let spec = try GapPlanner.view(view, in: ws)
                let parts = cell.split(separator: "/", maxSplits: 1).map(String.init)
                let key = CellKey(row: parts[0], column: parts.count > 1 ? parts[1] : "all")
                plans = [try planner.plan(spec, cell: key)]
            } else {
                let spec = try GapPlanner.view(view, in: ws)
                guard let gap = try store.catalog.coverage(spec).gaps(limit: 1).first else {
                    emit(json ? JSONValue.object([("jobs", .array([])), ("unplanned", .array([]))]).pretty() : "no gaps in the view")
                    return
                }
                plans = [try planner.plan(spec, cell: CellKey(row: gap.row, column: gap.column))]
            }
            var queued: [String?] = []
            var current = ws
            for plan in plans {
                guard !dryRun, let job = plan.job else {
                    queued.append(nil)
                    continue
                }
                let spec = job.with(id: JobControl.newID())
                current = try control.queue(spec, in: current)
                queued.append(spec.id)
            }
            emit(json ? Self.json(plans, queued: queued).pretty() : Self.text(plans, queued: queued, dryRun: dryRun))
        }
    }

    static func json(_ plans: [GapPlanner.Plan], queued: [String?]) -> JSONValue {
        var jobs: [JSONValue] = []
        var unplanned: [JSONValue] = []
        for (plan, id) in zip(plans, queued) {
            var members: [(String, JSONValue)] = [
                ("view", plan.view.map { .string($0) } ?? .null), ("row", .string(plan.cell.row)), ("column", .string(plan.cell.column)),
                ("have", .int(plan.have)), ("target", .int(plan.target)), ("deficit", .int(plan.deficit)),
            ]
            guard let job = plan.job, let units = job.units else {
                members.append(("message", .string(plan.message ?? plan.summary)))
                unplanned.append(.object(members))
                continue
            }
            members += [
                ("kind", .string(job.kind.rawValue)), ("dataset", .string(units.dataset)), ("count", .int(units.count)),
                ("seed", .string(String(units.seed))), ("per_image", .double((plan.perImage * 1000).rounded() / 1000)),
                ("expected", .double((plan.perImage * Double(units.count) * 10).rounded() / 10)),
            ]
            switch job {
            case .render(let s):
                members.append(("recipe", .string(s.recipe)))
                members.append(("pins", .object(s.pins.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
            case .ganSample(let s):
                members += [("run", .string(s.run)), ("class", .string(s.className))]
            default: break
            }
            members.append(("id", id.map { .string($0) } ?? .null))
            jobs.append(.object(members))
        }
        return .object([("jobs", .array(jobs)), ("unplanned", .array(unplanned))])
    }

    static func text(_ plans: [GapPlanner.Plan], queued: [String?], dryRun: Bool) -> String {
        guard !plans.isEmpty else { return "no gaps to fill" }
        var lines: [String] = []
        for (plan, id) in zip(plans, queued) {
            let head =
                "\(plan.view.map { "\($0.terminalSafe): " } ?? "")\(plan.cell.description.terminalSafe)  \(plan.have)/\(plan.target) (\(plan.deficit) short)"
            if plan.job == nil {
                lines.append("\(head)\n  \(plan.message ?? plan.summary)")
            } else {
                lines.append("\(head)\n  \(plan.summary)\(id.map { "  → queued \($0)" } ?? (dryRun ? "  (dry run)" : ""))")
            }
        }
        return lines.joined(separator: "\n")
    }
}
