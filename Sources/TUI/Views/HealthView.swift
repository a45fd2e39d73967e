internal import Catalog
internal import Datasets
internal import Foundation
internal import StudioCore

/// Screen 6: the last health run — issues per dataset and kind (image quality, copies, labels),
/// and the flagged images of the selected kind with why. Enter opens them in Browse (the same as
/// `/health=KIND` there); `r` runs the checks again (only changed images are decoded).
struct HealthView {
    var summary: HealthSummary?
    /// The selected row's flagged images (the first that fit).
    var issues: [HealthIssue]
    /// Set while a run is going on: what it is doing.
    var running: String?

    struct Row: Hashable {
        var dataset: String
        var kind: HealthIssue.Kind
        var count: Int
    }

    /// One row per dataset and kind found, datasets in the run's order, kinds in `Kind` order.
    static func rows(_ summary: HealthSummary?) -> [Row] {
        guard let summary else { return [] }
        return summary.datasets.flatMap { d in
            HealthIssue.Kind.allCases.compactMap { kind in
                summary.counts[d.name]?[kind].map { Row(dataset: d.name, kind: kind, count: $0) }
            }
        }
    }

    /// What a kind means, in a few words, for the list's header line.
    static func meaning(_ kind: HealthIssue.Kind) -> String {
        switch kind {
        case .dark: "nearly black (mean brightness under 0.06)"
        case .bright: "nearly white (mean brightness over 0.94)"
        case .lowContrast: "almost no contrast"
        case .blurry: "far less sharp than the dataset's images (Laplacian variance)"
        case .noisy: "far noisier than the dataset's images"
        case .grayscale: "grey stored as RGB"
        case .oddSize: "size far from the dataset's"
        case .oddAspect: "aspect far from the dataset's"
        case .duplicate: "the same pixels as another image"
        case .nearDuplicate: "a near copy of another image (perceptual hash)"
        case .boxOutside: "a box leaves the image"
        case .boxTiny: "a box under 2 px"
        case .boxDuplicate: "the same class boxed twice (IoU > 0.9)"
        case .boxAspect: "a box far from its class's aspect"
        case .unlabelled: "no annotations"
        case .rareClass: "a class with under \(Health.rareClassCount) annotations"
        case .unreadable: "could not be decoded"
        }
    }

    func draw(_ frame: inout Frame, state: AppState, top: Int, bottom: Int) {
        let rows = Self.rows(summary)
        var title = "Health · r runs the checks again"
        if let summary {
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
            let when = formatter.string(from: Date(timeIntervalSince1970: summary.finishedAt))
            let images = summary.datasets.reduce(0) { $0 + $1.images }
            title = "Health · \(images) images · \(when) · \(summary.measured) decoded, \(summary.reused) known · r again"
        }
        let listHeight = max(5, min(rows.count + 3, (bottom - top) / 2))
        frame.box(x: 0, y: top, width: frame.width, height: listHeight, title: title, style: Frame.Style(.muted))
        if let running {
            frame.put(running, x: 2, y: top + 1, style: Frame.Style(.accent, bold: true), limit: frame.width - 4)
        } else if summary == nil {
            frame.put(
                "No health run yet: r decodes and measures every image once (later runs only what changed).", x: 2, y: top + 1,
                style: Frame.Style(.muted), limit: frame.width - 4)
        } else if rows.isEmpty {
            frame.put("No issues found.", x: 2, y: top + 1, style: Frame.Style(.good, bold: true))
        }
        let visible = listHeight - 2 - (running == nil ? 0 : 1)
        let firstLine = top + 1 + (running == nil ? 0 : 1)
        let first = max(0, state.healthIndex - visible + 1)
        for (i, row) in rows.enumerated().dropFirst(first).prefix(visible) {
            let y = firstLine + i - first
            let selected = i == state.healthIndex
            let style = Frame.Style(.text, bold: selected, reverse: selected)
            frame.fill(x: 1, y: y, width: frame.width - 2, height: 1, style: style)
            var x = frame.put(
                row.dataset.terminalSafe.padding(toLength: 18, withPad: " ", startingAt: 0), x: 2, y: y, style: style, limit: 18)
            let role: Theme.Role = [.unreadable, .boxOutside, .duplicate].contains(row.kind) ? .error : .warning
            x = frame.put(
                row.kind.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0), x: x + 1, y: y,
                style: Frame.Style(role, bold: true, reverse: selected))
            x = frame.put(String(format: "%6d  ", row.count), x: x, y: y, style: style)
            frame.put(Self.meaning(row.kind), x: x, y: y, style: Frame.Style(.muted, reverse: selected), limit: frame.width - x - 2)
        }
        let listTop = top + listHeight
        let selected = rows[safe: state.healthIndex]
        let listTitle = selected.map { "\($0.dataset.terminalSafe) · \($0.kind.rawValue) · Enter opens them in Browse" } ?? "Flagged images"
        frame.box(x: 0, y: listTop, width: frame.width, height: bottom - listTop, title: listTitle, style: Frame.Style(.muted))
        let pathWidth = min(44, max(20, (issues.map { $0.path.terminalSafe.count }.max() ?? 20) + 2))
        for (i, issue) in issues.prefix(max(0, bottom - listTop - 2)).enumerated() {
            let y = listTop + 1 + i
            let x = frame.put(issue.path.terminalSafe, x: 2, y: y, style: Frame.Style(.text), limit: pathWidth - 1)
            frame.put(
                issue.detail.terminalSafe, x: max(x + 1, 2 + pathWidth), y: y, style: Frame.Style(.muted),
                limit: frame.width - pathWidth - 4)
        }
    }
}
