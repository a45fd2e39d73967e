internal import Catalog
internal import Datasets
internal import Foundation
internal import StudioCore

/// Screen 2: per class, how many images each dataset has, real and synthetic side by side as
/// bars, the imbalance ratio, and classes under the coverage target marked.
struct BalanceView {
    var datasets: [DatasetSummary]
    var balances: [String: ClassBalance]
    /// The per-class target of the first coverage view whose rows are categories, if any.
    var target: (Int, [String: Int])?

    /// One line per class (name, real bar, synthetic bar, numbers), then one per dataset; each
    /// line a list of styled segments.
    func lines(width: Int) -> [[(text: String, style: Frame.Style)]] {
        var out: [[(String, Frame.Style)]] = []
        let counted = BrowseView.ordered(datasets).filter { !$0.holdout }
        let real = counted.filter { $0.origin == .real }, synthetic = counted.filter { $0.origin == .synthetic }
        func totals(_ group: [DatasetSummary]) -> [String: Int] {
            var t: [String: Int] = [:]
            for d in group { for row in balances[d.name]?.rows ?? [] { t[row.category.name, default: 0] += row.images } }
            return t
        }
        let realTotals = totals(real), syntheticTotals = totals(synthetic)
        let classes = Set(realTotals.keys).union(syntheticTotals.keys).sorted { a, b in
            (Int(a), Int(b)) != (nil, nil) ? (Int(a) ?? .max, a) < (Int(b) ?? .max, b) : a < b
        }
        let most = max(1, classes.map { (realTotals[$0] ?? 0) + (syntheticTotals[$0] ?? 0) }.max() ?? 1)
        let nameWidth = min(20, max(5, classes.map { $0.terminalSafe.count }.max() ?? 5))
        let barWidth = max(10, width - nameWidth - 30)
        out.append([("class".padding(toLength: nameWidth + 1, withPad: " ", startingAt: 0) + "real █  synthetic ▒", Frame.Style(.muted))])
        for name in classes {
            let r = realTotals[name] ?? 0, s = syntheticTotals[name] ?? 0
            let goal = target.map { $0.1[name] ?? $0.0 } ?? 0
            let short = goal > 0 && r + s < goal
            let label = name.terminalSafe.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            let realBar = Chrome.bar(Double(r) / Double(most), width: barWidth)
            let synBar = String(repeating: "▒", count: Int((Double(s) / Double(most) * Double(barWidth)).rounded()))
            var numbers = "  \(r)" + (s > 0 ? " + \(s)" : "")
            if goal > 0 { numbers += short ? "  / \(goal)  ▼ \(goal - r - s) short" : "  / \(goal) ✓" }
            out.append([
                (label + " ", Frame.Style(short ? .gap : .text, bold: short)), (realBar, Frame.Style(.real)),
                (synBar, Frame.Style(.synthetic)),
                (numbers, Frame.Style(short ? .gap : .muted, bold: short)),
            ])
        }
        out.append([])
        for d in counted {
            guard let b = balances[d.name] else { continue }
            let ratio = b.imbalanceRatio.map { String(format: "%.1f:1", $0) } ?? "–"
            out.append([
                (
                    "\(d.name.terminalSafe): \(d.images) images, \(b.rows.count) classes, imbalance \(ratio) (largest : smallest class)",
                    Frame.Style(d.origin == .real ? .real : .synthetic)
                )
            ])
        }
        return out
    }

    func draw(_ frame: inout Frame, state: AppState, top: Int, bottom: Int) {
        frame.box(
            x: 0, y: top, width: frame.width, height: bottom - top, title: "Class balance (images; holdouts not counted)",
            style: Frame.Style(.muted))
        for (i, segments) in lines(width: frame.width - 4).dropFirst(state.balanceScroll).enumerated() where top + 1 + i < bottom - 1 {
            var x = 2
            for (text, style) in segments { x = frame.put(text, x: x, y: top + 1 + i, style: style, limit: frame.width - 3 - x) }
        }
    }
}
