internal import Catalog
internal import Datasets
internal import Foundation
internal import StudioCore

/// Screen 2: per class, how many annotations (objects; an ImageFolder image is one) there are,
/// real and synthetic side by side as bars, against each coverage view's own target — one section
/// per view whose rows are classes, counting that view's datasets, in the same unit as Coverage;
/// datasets no such view counts get a section without targets. The imbalance ratio is in the
/// same unit as the bars.
struct BalanceView {
    var datasets: [DatasetSummary]
    var balances: [String: ClassBalance]
    /// The workspace's coverage matrices (those with classes as rows make sections).
    var matrices: [CoverageMatrix]
    /// With `a`: the axis of the per-class histograms and each section's (in `sections()` order).
    var histogram: (axis: String, matrices: [CoverageMatrix?])?

    struct Row {
        var name: String
        var real: Int
        var synthetic: Int
        var target: Int
    }

    /// Sections: a title, the datasets counted and its rows, one per class.
    func sections() -> [(title: String, datasets: [String], rows: [Row])] {
        var out: [(String, [String], [Row])] = []
        var covered = Set<String>()
        for matrix in matrices where matrix.spec.rows == .category {
            let counted = datasets.filter { matrix.spec.counts($0.name, holdout: $0.holdout) }
            covered.formUnion(counted.map(\.name))
            let rows = matrix.rowLabels.enumerated().map { r, name in
                let cells = matrix.cells[r]
                return Row(
                    name: name, real: cells.reduce(0) { $0 + $1.real }, synthetic: cells.reduce(0) { $0 + $1.synthetic },
                    target: cells.reduce(0) { $0 + $1.target })
            }
            let per = matrix.spec.columns.map { " (its cells' targets summed over \($0))" } ?? ""
            let title = "view \((matrix.spec.name ?? matrix.spec.rows.description).terminalSafe)\(per): "
            out.append((title + counted.map { $0.name.terminalSafe }.joined(separator: ", "), counted.map(\.name), rows))
        }
        for d in BrowseView.ordered(datasets) where !d.holdout && !covered.contains(d.name) {
            guard let b = balances[d.name] else { continue }
            let rows = b.rows.map { row in
                Row(
                    name: row.category.name, real: d.origin == .real ? row.annotations : 0,
                    synthetic: d.origin == .synthetic ? row.annotations : 0,
                    target: 0)
            }
            out.append(("\(d.name.terminalSafe) (no coverage view counts it: no target)", [d.name], rows))
        }
        return out
    }

    /// The section's lines: a title, one line per class (name, real bar, synthetic bar, numbers), and
    /// its imbalance; each line a list of styled segments.
    func lines(width: Int) -> [[(text: String, style: Frame.Style)]] {
        var out: [[(String, Frame.Style)]] = []
        for (s, section) in sections().enumerated() {
            if s > 0 { out.append([]) }
            out.append([(section.title, Frame.Style(.heading, bold: true))])
            let rows = section.rows
            let most = max(1, rows.map { $0.real + $0.synthetic }.max() ?? 1)
            let nameWidth = min(20, max(5, rows.map { $0.name.terminalSafe.count }.max() ?? 5))
            let barWidth = max(6, width - nameWidth - 30)
            for row in rows {
                let (r, s, goal) = (row.real, row.synthetic, row.target)
                let short = goal > 0 && r + s < goal
                let label = BrowseView.tail(row.name.terminalSafe, nameWidth).padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                // Bars are scaled together so real + synthetic never passes the width.
                let realBar = Chrome.bar(Double(r) / Double(most), width: barWidth)
                let synBar = String(repeating: "▒", count: Int((Double(s) / Double(most) * Double(barWidth)).rounded()))
                var numbers = "  \(r)" + (s > 0 ? " + \(s)" : "")
                if goal > 0 { numbers += short ? " / \(goal) ▼ \(goal - r - s) short" : " / \(goal) ✓" }
                out.append([
                    (label + " ", Frame.Style(short ? .gap : .text, bold: short)), (realBar, Frame.Style(.real)),
                    (synBar, Frame.Style(.synthetic)), (numbers, Frame.Style(short ? .gap : .muted, bold: short)),
                ])
            }
            if let histogram, let matrix = histogram.matrices[safe: s] ?? nil {
                out += Self.histogramLines(matrix, axis: histogram.axis, classes: rows.map(\.name), width: width)
            } else if let histogram {
                out.append([("no \(histogram.axis.terminalSafe) in these datasets", Frame.Style(.muted))])
            }
            let counts = rows.map { $0.real + $0.synthetic }.filter { $0 > 0 }
            if counts.count >= 2, let lo = counts.min(), let hi = counts.max() {
                let empty = rows.count - counts.count
                out.append([
                    (
                        String(format: "imbalance %.1f:1 (largest : smallest class)", Double(hi) / Double(lo))
                            + (empty > 0 ? ", \(empty) class(es) empty" : ""), Frame.Style(.muted)
                    )
                ])
            }
        }
        return out
    }

    /// Per class, the share of its annotations at each value of the axis: a bar per value (real
    /// █ then synthetic ▒, full when every annotation of the class has it) and the percentage,
    /// under a header of the values; values that do not fit are counted at the header's end.
    static func histogramLines(_ matrix: CoverageMatrix, axis: String, classes: [String], width: Int) -> [[(
        text: String, style: Frame.Style
    )]] {
        let values = matrix.columnLabels.enumerated().filter { c, _ in matrix.cells.contains { $0[c].real + $0[c].synthetic > 0 } }
        guard values.contains(where: { $0.1 != CoverageAxis.unset }) else {
            return [[("no \(axis.terminalSafe) in these datasets", Frame.Style(.muted))]]
        }
        let nameWidth = min(20, max(5, classes.map { $0.terminalSafe.count }.max() ?? 5))
        // Cells share the width (9 to 24 columns each); values past the width are counted.
        let widest = values.map { $0.1.terminalSafe.count + 1 }.max() ?? 10
        let cell = max(9, widest, min(24, (width - nameWidth - 7) / values.count))
        let fit = max(1, (width - nameWidth - 7) / cell)
        let shown = values.prefix(fit)
        var header = "by \(axis.terminalSafe)".padding(toLength: nameWidth + 1, withPad: " ", startingAt: 0)
        for (_, label) in shown {
            header += BrowseView.head(label.terminalSafe, cell - 1).padding(toLength: cell, withPad: " ", startingAt: 0)
        }
        if values.count > shown.count { header += "+\(values.count - shown.count) more" }
        var out: [[(String, Frame.Style)]] = [[(header, Frame.Style(.heading))]]
        let eighths: [String] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        func bar(_ share: Double, _ cells: Int, _ glyph: String) -> String {
            let units = Int((share * Double(cells) * 8).rounded())
            return glyph == "█"
                ? String(repeating: "█", count: units / 8) + eighths[units % 8] : String(repeating: glyph, count: (units + 4) / 8)
        }
        for name in classes {
            guard let r = matrix.rowLabels.firstIndex(of: name) else { continue }
            let total = matrix.cells[r].reduce(0) { $0 + $1.real + $1.synthetic }
            var line: [(String, Frame.Style)] = [
                (
                    BrowseView.tail(name.terminalSafe, nameWidth).padding(toLength: nameWidth + 1, withPad: " ", startingAt: 0),
                    Frame.Style(.text)
                )
            ]
            for (c, _) in shown {
                let it = matrix.cells[r][c]
                let barCells = cell - 7
                let real = total > 0 ? bar(Double(it.real) / Double(total), barCells, "█") : ""
                // Rounded separately, the two could pass the cell by one: the synthetic part yields.
                let drawn = total > 0 ? bar(Double(it.synthetic) / Double(total), barCells, "▒") : ""
                let synthetic = String(drawn.prefix(max(0, barCells - real.count)))
                let share = total > 0 ? Int((Double(it.real + it.synthetic) * 100 / Double(total)).rounded()) : 0
                let percent = (it.real + it.synthetic == 0 ? "·" : "\(share)%").leftPadded(5)
                let pad = String(repeating: " ", count: max(0, barCells - real.count - synthetic.count))
                line += [(real, Frame.Style(.real)), (synthetic, Frame.Style(.synthetic)), (pad + percent + "  ", Frame.Style(.muted))]
            }
            line.append(("n=\(total)", Frame.Style(.muted)))
            out.append(line)
        }
        return out
    }

    func draw(_ frame: inout Frame, state: AppState, top: Int, bottom: Int) {
        let all = lines(width: frame.width - 4)
        let visible = bottom - top - 2
        let scroll = min(state.balanceScroll, max(0, all.count - visible))
        let more = all.count > visible ? " · \(scroll + 1)–\(min(all.count, scroll + visible)) of \(all.count) lines, j/k" : ""
        // The parts of the title that fit, most important first.
        let hint = histogram == nil ? " · a: per-class histograms" : " · a: next axis"
        var title = "Class balance · annotations (real █ synthetic ▒)"
        for part in [more, hint, ", holdouts not counted"] where (title + part).count <= frame.width - 6 { title += part }
        frame.box(x: 0, y: top, width: frame.width, height: bottom - top, title: title, style: Frame.Style(.muted))
        for (i, segments) in all.dropFirst(scroll).prefix(visible).enumerated() {
            var x = 2
            for (text, style) in segments { x = frame.put(text, x: x, y: top + 1 + i, style: style, limit: frame.width - 3 - x) }
        }
    }
}
