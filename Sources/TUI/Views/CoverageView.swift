internal import Datasets
internal import Engine
internal import Foundation
internal import StudioCore

/// Screen 3: the class × condition matrix. Each cell shows `have/target` as a number *and* a
/// shade (never colour alone), deficits are marked `▼`, and the cursor starts on the largest
/// deficit. A cell being filled by a queued job shows `before→now`.
struct CoverageView {
    var matrices: [CoverageMatrix]
    /// With `AppState.showAP`, cells show this evaluation's AP50 (shaded by it) instead of counts.
    var evaluation: EvaluationCells?
    /// The last health run's domain gap (every view's; a view shows the cells of its own axes).
    var gap: [DomainGapCell] = []

    /// The gap figures of `spec`'s cells by "row␟column" (a row as a whole under column `all`).
    static func gapCells(_ gap: [DomainGapCell], spec: CoverageSpec) -> [String: DomainGapCell] {
        var out: [String: DomainGapCell] = [:]
        for cell in gap where cell.rowAxis == spec.rows.description && cell.columnAxis == (spec.columns?.description ?? "") {
            out["\(cell.row)\u{1F}\(cell.column)"] = cell
        }
        return out
    }

    /// A gap figure as the matrix shows it: shaded by how far from indistinguishable (0.5) it is.
    static func gapText(_ cell: DomainGapCell?) -> (text: String, role: Theme.Role) {
        guard let cell else { return ("", .muted) }
        guard let auc = cell.auc else { return ("   –", .muted) }
        let separable = max(0, min(1, (auc - 0.5) * 2))
        return (shade(separable) + String(format: " %.2f", auc), auc >= 0.8 ? .gap : (auc >= 0.65 ? .warning : .good))
    }

    /// The cursor on the largest deficit of `matrix` (or the first cell).
    static func largestDeficit(_ matrix: CoverageMatrix) -> (row: Int, column: Int) {
        guard let gap = matrix.gaps(limit: 1).first,
            let r = matrix.rowLabels.firstIndex(of: gap.row), let c = matrix.columnLabels.firstIndex(of: gap.column)
        else { return (0, 0) }
        return (r, c)
    }

    static func shade(_ fraction: Double) -> String {
        switch fraction {
        case ..<0.25: "░░"
        case ..<0.5: "▒░"
        case ..<0.75: "▒▒"
        case ..<1: "▓▒"
        default: "██"
        }
    }

    func draw(_ frame: inout Frame, state: AppState, top: Int, bottom: Int) {
        guard let matrix = matrices[safe: state.viewIndex] else {
            frame.put("No coverage views: add `coverage:` to studio.yaml.", x: 2, y: top + 1, style: Frame.Style(.muted))
            return
        }
        let spec = matrix.spec
        let name = spec.name.map { "\($0.terminalSafe): " } ?? ""
        let axes = spec.columns.map { "\(spec.rows) × \($0)" } ?? spec.rows.description
        let title = "Coverage · \(name)\(axes) · view \(state.viewIndex + 1)/\(matrices.count) (v)"
        frame.box(x: 0, y: top, width: frame.width, height: bottom - top, title: title, style: Frame.Style(.muted))
        let cursor = state.cursor ?? Self.largestDeficit(matrix)
        let gapFigures = Self.gapCells(gap, spec: spec)
        // The gap column (a row's real-vs-synthetic AUC) sits at the right when there is one.
        let gapWidth = gapFigures.isEmpty ? 0 : 10
        let cellWidth = max(11, min(16, (matrix.columnLabels.map { $0.terminalSafe.count }.max() ?? 8) + 2))
        // Row labels get up to 18 columns, and all they need when every cell column still fits.
        let wanted = max(6, (matrix.rowLabels.map { $0.terminalSafe.count }.max() ?? 6) + 1)
        let labelWidth = min(wanted, max(18, frame.width - 4 - gapWidth - matrix.columnLabels.count * cellWidth))
        let visibleColumns = max(1, (frame.width - labelWidth - 4 - gapWidth) / cellWidth)
        let gapX = 2 + labelWidth + min(visibleColumns, matrix.columnLabels.count) * cellWidth
        let firstColumn = max(0, cursor.column - visibleColumns + 1)
        let visibleRows = max(1, bottom - top - 6)
        let firstRow = max(0, cursor.row - visibleRows + 1)
        // Column headers.
        for (i, column) in matrix.columnLabels.enumerated().dropFirst(firstColumn).prefix(visibleColumns) {
            let x = 2 + labelWidth + (i - firstColumn) * cellWidth
            frame.put(
                column.terminalSafe, x: x, y: top + 1, style: Frame.Style(.heading, bold: true, underline: i == cursor.column),
                limit: cellWidth - 1)
        }
        if gapWidth > 0 { frame.put("gap AUC", x: gapX, y: top + 1, style: Frame.Style(.heading, bold: true), limit: gapWidth - 1) }
        for (r, rowLabel) in matrix.rowLabels.enumerated().dropFirst(firstRow).prefix(visibleRows) {
            let y = top + 2 + (r - firstRow)
            frame.put(rowLabel.terminalSafe, x: 2, y: y, style: Frame.Style(.heading, bold: r == cursor.row), limit: labelWidth - 1)
            if gapWidth > 0 {
                let (text, role) = Self.gapText(gapFigures["\(rowLabel)\u{1F}\(DomainGapCell.wholeRow)"])
                frame.put(text, x: gapX, y: y, style: Frame.Style(role, bold: r == cursor.row), limit: gapWidth - 1)
            }
            for (c, cell) in matrix.cells[r].enumerated().dropFirst(firstColumn).prefix(visibleColumns) {
                let x = 2 + labelWidth + (c - firstColumn) * cellWidth
                let selected = r == cursor.row && c == cursor.column
                let fraction = cell.target > 0 ? Double(cell.total) / Double(cell.target) : 1
                let key = AppState.cellKey(view: state.viewIndex, row: cell.row, column: cell.column)
                var text: String
                if let before = state.before[key], before != cell.total {
                    text = "\(before)→\(cell.total)"
                } else {
                    text = cell.target > 0 ? "\(cell.total)/\(cell.target)" : "\(cell.total)"
                }
                text = Self.shade(fraction) + " " + text + (cell.deficit > 0 ? "▼" : "")
                var role: Theme.Role = cell.deficit > 0 ? .gap : (cell.target > 0 ? .good : .text)
                if state.showAP, let evaluation {
                    // AP50 in per cent, shaded by it; a weak cell (under 30) is marked like a gap.
                    if let ap = evaluation.ap50(row: cell.row, column: cell.column, spec: spec) {
                        text = Self.shade(ap) + String(format: " AP %.0f", ap * 100) + (ap < 0.3 ? "▼" : "")
                        role = ap < 0.3 ? .gap : .good
                    } else {
                        text = "   AP –"
                        role = .muted
                    }
                }
                frame.put(
                    text, x: x, y: y, style: Frame.Style(role, bold: cell.deficit > 0 || selected, reverse: selected), limit: cellWidth - 1)
            }
        }
        // The cursor cell in words, and the keys.
        if let cell = matrix.cells[safe: cursor.row]?[safe: cursor.column] {
            let where_ = spec.columns == nil ? cell.row.terminalSafe : "\(cell.row.terminalSafe) × \(cell.column.terminalSafe)"
            var words = "\(where_): \(cell.real) real + \(cell.synthetic) synthetic = \(cell.total)"
            if cell.target > 0 { words += cell.deficit > 0 ? " of \(cell.target) — \(cell.deficit) short" : " of \(cell.target) ✓" }
            if let evaluation, let ap = evaluation.ap50(row: cell.row, column: cell.column, spec: spec) {
                words += String(format: " · AP50 %.0f%% (%@)", ap * 100, evaluation.mix)
                if let baseline = evaluation.baseline,
                    let before = evaluation.ap50(row: cell.row, column: cell.column, spec: spec, mix: baseline)
                {
                    words += String(format: ", %.0f%% on %@ alone", before * 100, baseline)
                }
            }
            if let g = gapFigures["\(cell.row)\u{1F}\(cell.column)"] {
                words +=
                    g.auc.map { String(format: " · domain gap AUC %.2f", $0) } ?? " · domain gap: too few objects to tell"
            }
            frame.put(words, x: 2, y: bottom - 3, style: Frame.Style(cell.deficit > 0 ? .gap : .text, bold: true), limit: frame.width - 4)
        }
        let gaps = matrix.gaps()
        frame.put(
            "\(gaps.count) cell(s) short, \(gaps.reduce(0) { $0 + $1.deficit }) in all · f fill the gap · Enter its samples · a AP50 · hjkl move",
            x: 2, y: bottom - 2, style: Frame.Style(.muted), limit: frame.width - 4)
    }
}
