import ArgumentParser
import Datasets
import Foundation
import StudioCore
import TUI

struct Coverage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "The class × condition matrix: annotations per cell, real and synthetic, against targets.",
        discussion: """
            Axes are `category`, `split`, `origin`, `dataset` or any attribute key (weather, lighting, …). \
            Targets and the values each axis must show come from the workspace's studio.yaml \
            (coverage: target, targets, values); --target overrides the default. Held-out datasets \
            are not counted.
            """
    )

    @Argument(help: "A workspace folder or a dataset folder.")
    var path: String

    @Option(help: "The row axis (default: the workspace's, else category).")
    var rows: String?

    @Option(help: "The column axis (default: the workspace's; none gives one column).")
    var cols: String?

    @Option(help: "Annotations wanted per cell (default: the workspace's target).")
    var target: Int?

    @Option(help: "A coverage view named in studio.yaml (default: every view; the first with --json).")
    var view: String?

    @Option(help: "How many of the largest gaps to list.")
    var gaps: Int = 10

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let target, target < 0 { throw ValidationError("--target cannot be negative") }
        if gaps < 0 { throw ValidationError("--gaps cannot be negative") }
    }

    func run() throws {
        try reportingErrors {
            let opened = try Target.open(path)
            var spec = CoverageSpec()
            // A workspace with several views and nothing chosen shows each of them (as text;
            // --json keeps one matrix: the first view's, or --view's).
            var views: [CoverageSpec] = []
            if case .workspace(let workspace) = opened {
                if view == nil, rows == nil, cols == nil, !json, workspace.coverageViews.count > 1 { views = workspace.coverageViews }
                if let view {
                    guard let named = workspace.coverageView(view) else {
                        throw CLIError(
                            message:
                                "no coverage view \(view.terminalSafe) in studio.yaml (views: \(workspace.coverageViews.compactMap(\.name).joined(separator: ", ")))"
                        )
                    }
                    spec = named
                } else {
                    spec = workspace.coverage
                }
            }
            if let rows { spec.rows = CoverageAxis(rows) }
            if let cols { spec.columns = CoverageAxis(cols) }
            if let target { spec.defaultTarget = target }
            let figures = try Figures.open(opened)
            if json { return emit(CoverageReport.json(try figures.coverage(spec), gaps: gaps).pretty()) }
            let style = try output.styler()
            // Each view of the workspace under its name, or the one matrix asked for.
            let shown: [(title: String?, spec: CoverageSpec)] =
                views.isEmpty
                ? [(nil, spec)]
                : views.map { view in
                    var view = view
                    if let target { view.defaultTarget = target }
                    return ("View \((view.name ?? "\(view.rows)").terminalSafe)", view)
                }
            let sections = try shown.map { title, spec in
                let matrix = try figures.coverage(spec)
                return (title.map { style.paint($0, .heading, bold: true) + "\n" } ?? "") + CoverageReport.text(matrix, style: style) + "\n"
                    + CoverageReport.gapsText(matrix.gaps(limit: gaps), matrix: matrix, style: style)
            }
            emit(sections.joined(separator: "\n"))
        }
    }
}

/// The coverage matrix as JSON and as a table where every cell shows a shade *and* numbers.
enum CoverageReport {
    static func json(_ matrix: CoverageMatrix, gaps: Int) -> JSONValue {
        func cell(_ c: CoverageMatrix.Cell) -> JSONValue {
            .object([
                ("row", .string(c.row)), ("col", .string(c.column)), ("real", .int(c.real)), ("synthetic", .int(c.synthetic)),
                ("total", .int(c.total)), ("target", .int(c.target)), ("deficit", .int(c.deficit)),
            ])
        }
        return .object([
            ("rows", .string(matrix.spec.rows.description)),
            ("cols", matrix.spec.columns.map { .string($0.description) } ?? .null),
            ("row_labels", .array(matrix.rowLabels.map { .string($0) })),
            ("col_labels", .array(matrix.columnLabels.map { .string($0) })),
            ("cells", .array(matrix.cells.joined().map(cell))),
            ("gaps", .array(matrix.gaps(limit: gaps).map(cell))),
        ])
    }

    /// Each cell reads `real+synthetic/target` with a shade from empty (·) to full (█) of its target;
    /// cells short of target are marked `!`.
    static func text(_ matrix: CoverageMatrix, style: Styler) -> String {
        let rowWidth = min(
            24, max(matrix.spec.rows.description.count, matrix.rowLabels.map { $0.terminalSafe.unicodeScalars.count }.max() ?? 4))
        let cellTexts = matrix.cells.map { $0.map(cellText) }
        let colWidth = max(
            8,
            min(
                24,
                max(
                    matrix.columnLabels.map { $0.terminalSafe.unicodeScalars.count }.max() ?? 0,
                    cellTexts.joined().map { $0.unicodeScalars.count }.max() ?? 0
                )))
        let shades: [String] = style.unicode ? ["·", "░", "▒", "▓", "█"] : [".", "-", "+", "*", "#"]
        var out = style.paint("Coverage: \(matrix.spec.rows) × \(matrix.spec.columns?.description ?? "all")", .heading, bold: true)
        out += style.paint("   cells: real+synthetic/target, shade = share of target, ! = short", .muted) + "\n"
        out +=
            pad("", rowWidth + 2)
            + matrix.columnLabels.map { "   " + pad(String($0.terminalSafe.unicodeScalars.prefix(colWidth)), colWidth) }.joined() + "\n"
        for (r, row) in matrix.cells.enumerated() {
            out += pad(String(matrix.rowLabels[r].terminalSafe.unicodeScalars.prefix(rowWidth)), rowWidth + 2)
            for (c, cell) in row.enumerated() {
                let share = cell.target > 0 ? Double(cell.total) / Double(cell.target) : (cell.total > 0 ? 1 : 0)
                let shade = shades[min(4, Int((min(1, share) * 4).rounded(.down)))]
                let role: Theme.Role = cell.deficit > 0 ? .gap : (cell.target > 0 ? .good : .text)
                out += " " + style.paint(shade, role) + " " + style.paint(pad(cellTexts[r][c], colWidth), role)
            }
            out += "\n"
        }
        return out
    }

    static func gapsText(_ gaps: [CoverageMatrix.Cell], matrix: CoverageMatrix, style: Styler) -> String {
        guard !gaps.isEmpty else {
            return style.paint(
                matrix.spec.defaultTarget == 0 && matrix.spec.targets.isEmpty
                    ? "No targets set (coverage: target in studio.yaml, or --target).\n" : "Every cell meets its target.\n", .muted)
        }
        var out = style.paint("Largest gaps", .heading, bold: true) + "\n"
        for cell in gaps {
            let place = matrix.spec.columns == nil ? cell.row.terminalSafe : "\(cell.row.terminalSafe) × \(cell.column.terminalSafe)"
            out += "  " + style.paint("−\(grouped(cell.deficit))", .gap) + "  \(place)"
            out +=
                style.paint("  (have \(grouped(cell.real)) real + \(grouped(cell.synthetic)) synthetic of \(grouped(cell.target)))", .muted)
                + "\n"
        }
        return out
    }

    private static func cellText(_ cell: CoverageMatrix.Cell) -> String {
        let have = cell.synthetic > 0 ? "\(cell.real)+\(cell.synthetic)" : "\(cell.real)"
        let text = cell.target > 0 ? "\(have)/\(cell.target)" : have
        return cell.deficit > 0 ? text + "!" : text
    }
}
