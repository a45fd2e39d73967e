internal import Foundation
internal import GAN
internal import StudioCore

/// Screen 5: GAN runs in `models/`, their loss curves drawn with block characters, and the latest
/// fixed-noise sample grid.
struct TrainView {
    var runs: [StudioData.RunSummary]
    var previews: PreviewService
    var directColor = false

    /// The values across `width` columns: each column the mean of the values it covers, or
    /// interpolated between neighbours when there are fewer values than columns.
    static func resampled(_ values: [Double], width: Int) -> [Double] {
        guard values.count > 1, width > 1 else { return values.isEmpty ? [] : Array(repeating: values[0], count: max(1, width)) }
        if values.count >= width {
            return (0..<width).map { c in
                let a = c * values.count / width, b = max(a + 1, (c + 1) * values.count / width)
                return values[a..<b].reduce(0, +) / Double(b - a)
            }
        }
        return (0..<width).map { c in
            let t = Double(c) * Double(values.count - 1) / Double(width - 1)
            let i = min(values.count - 2, Int(t))
            return values[i] + (values[i + 1] - values[i]) * (t - Double(i))
        }
    }

    /// A curve as one row of block characters per `height` rows, across the whole `width`,
    /// scaled to its [low, high] (returned for the axis labels).
    static func curve(_ values: [Double], width: Int, height: Int) -> [String] { plot(values, width: width, height: height).rows }

    static func plot(_ values: [Double], width: Int, height: Int) -> (rows: [String], low: Double, high: Double) {
        guard !values.isEmpty, width > 0, height > 0 else { return ([], 0, 0) }
        let sampled = resampled(values, width: width)
        let low = sampled.min()!, high = max(sampled.max()!, low + 1e-9)
        let levels: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let rows = (0..<height).map { row in
            String(
                sampled.map { v in
                    let filled = (v - low) / (high - low) * Double(height * 8)
                    let inRow = Int(filled.rounded()) - (height - 1 - row) * 8
                    return levels[max(0, min(8, inRow))]
                })
        }
        return (rows, low, high)
    }

    /// Phrases in lines of at most `width` characters, joined by " · " and never broken inside.
    static func wrap(_ phrases: [String], width: Int) -> [String] {
        var lines: [String] = []
        for phrase in phrases {
            if let last = lines.last, last.count + 3 + phrase.count <= width {
                lines[lines.count - 1] = last + " · " + phrase
            } else {
                lines.append(phrase)
            }
        }
        return lines
    }

    /// An axis value in at most 6 columns.
    static func label(_ v: Double) -> String {
        let text = abs(v) >= 100 ? String(format: "%.0f", v) : (abs(v) >= 10 ? String(format: "%.1f", v) : String(format: "%.2f", v))
        return text.leftPadded(6)
    }

    /// The judge's word on the last measured checkpoint: which classes collapsed (their samples
    /// alike) or are drawn as another class, else the lowest figures.
    static func verdict(_ run: StudioData.RunSummary) -> (String, Theme.Role)? {
        guard let (step, quality) = run.quality, quality.count == run.classes.count else {
            return ("samples not measured: synthstudio gan check --run models/\(run.name.terminalSafe)", .muted)
        }
        func names(_ keep: (ClassQuality) -> Bool) -> [String] {
            quality.indices.filter { keep(quality[$0]) }.map { run.classes[$0].terminalSafe }
        }
        let collapsed = names(\.collapsed), offClass = names(\.offClass)
        if !collapsed.isEmpty || !offClass.isEmpty {
            let parts = [
                collapsed.isEmpty ? nil : "collapsed " + collapsed.joined(separator: " "),
                offClass.isEmpty ? nil : "off-class " + offClass.joined(separator: " "),
            ]
            return ("step \(step): " + parts.compactMap { $0 }.joined(separator: "; "), .warning)
        }
        let diversity = quality.map(\.diversity).filter(\.isFinite).min() ?? .nan
        let fidelity = quality.map(\.fidelity).min() ?? .nan
        return (String(format: "every class varies (diversity ≥ %.2f×) and looks like itself (≥ %.0f%%)", diversity, fidelity * 100), .good)
    }

    func draw(_ frame: inout Frame, state: AppState, top: Int, bottom: Int) -> (
        wanted: [PreviewService.Request], pictures: [PicturePlacement]
    ) {
        let listWidth = 28
        frame.box(x: 0, y: top, width: listWidth, height: bottom - top, title: "GAN runs · s train more", style: Frame.Style(.muted))
        guard !runs.isEmpty else {
            frame.put("No runs yet.", x: 2, y: top + 1, style: Frame.Style(.muted))
            frame.put(
                "synthstudio gan train --data DATASET --out models/NAME", x: listWidth + 2, y: top + 1, style: Frame.Style(.muted),
                limit: frame.width - listWidth - 3)
            return ([], [])
        }
        for (i, run) in runs.enumerated() where top + 1 + i < bottom - 1 {
            let selected = i == state.runIndex
            let style = Frame.Style(selected ? .heading : .text, bold: selected, reverse: selected)
            frame.fill(x: 1, y: top + 1 + i, width: listWidth - 2, height: 1, style: style)
            frame.put("\(run.name.terminalSafe)  \(run.step)/\(run.steps)", x: 2, y: top + 1 + i, style: style, limit: listWidth - 4)
        }
        guard let run = runs[safe: state.runIndex] else { return ([], []) }
        // How the selected run is made, at the foot of the list, where the list leaves room.
        let recipe = Self.wrap(run.recipe, width: listWidth - 4)
        if bottom - 1 - recipe.count > top + 1 + runs.count {
            for (i, line) in recipe.enumerated() {
                frame.put(line, x: 2, y: bottom - 1 - recipe.count + i, style: Frame.Style(.muted), limit: listWidth - 4)
            }
        }
        let x0 = listWidth, width = frame.width - listWidth
        let curveHeight = max(3, (bottom - top) / 3)
        frame.box(
            x: x0, y: top, width: width, height: curveHeight + 4, title: "Losses · discriminator D, generator G (per checkpoint)",
            style: Frame.Style(.muted))
        if run.losses.count >= 2 {
            // Each curve across the pane, its highest and lowest value at its left, steps below.
            let half = max(3, curveHeight / 2)
            let plotX = x0 + 11, plotWidth = max(4, width - 13)
            for (k, (name, values, role, y0, height)) in [
                ("D", run.losses.map(\.discriminator), Theme.Role.real, top + 1, half),
                ("G", run.losses.map(\.generator), Theme.Role.synthetic, top + 1 + half, curveHeight - half),
            ].enumerated() {
                let plot = Self.plot(values, width: plotWidth, height: height)
                frame.put(name, x: x0 + 2, y: y0, style: Frame.Style(role, bold: true))
                frame.put(Self.label(plot.high) + "┤", x: x0 + 4, y: y0, style: Frame.Style(.muted))
                frame.put(Self.label(plot.low) + (k == 1 ? "└" : "┤"), x: x0 + 4, y: y0 + height - 1, style: Frame.Style(.muted))
                for (i, line) in plot.rows.enumerated() {
                    if i > 0, i < height - 1 { frame.put("│", x: x0 + 10, y: y0 + i, style: Frame.Style(.muted)) }
                    frame.put(line, x: plotX, y: y0 + i, style: Frame.Style(role))
                }
            }
            if let first = run.losses.first, let last = run.losses.last {
                let axisY = top + curveHeight + 1
                let middle = run.losses[run.losses.count / 2].step
                let right = "step \(last.step)"
                frame.put("\(first.step)", x: plotX, y: axisY, style: Frame.Style(.muted))
                frame.put("\(middle)", x: plotX + plotWidth / 2 - "\(middle)".count / 2, y: axisY, style: Frame.Style(.muted))
                frame.put(right, x: plotX + plotWidth - right.count, y: axisY, style: Frame.Style(.muted))
                let losses = String(format: "D %.3f  G %.3f", last.discriminator, last.generator)
                frame.put(losses, x: x0 + 2, y: axisY + 1, style: Frame.Style(.muted), limit: width - 4)
                if let (text, role) = Self.verdict(run) {
                    frame.put(
                        "· " + text, x: x0 + 4 + losses.count, y: axisY + 1, style: Frame.Style(role), limit: width - losses.count - 6)
                }
            }
        } else {
            frame.put(
                "no losses logged yet (log.jsonl is written at each checkpoint)", x: x0 + 2, y: top + 1, style: Frame.Style(.muted),
                limit: width - 4)
        }
        let gridTop = top + curveHeight + 4
        frame.box(
            x: x0, y: gridTop, width: width, height: bottom - gridTop, title: "Latest samples · one row per class (\(run.classes.count))",
            style: Frame.Style(.muted))
        guard let grid = run.latestGrid else { return ([], []) }
        let request = PreviewService.Request(
            path: grid, columns: width - 4, rows: bottom - gridTop - 2, mode: BrowseView.mode(state.graphics))
        let picture = BrowseView.place(
            previews.result(request), in: &frame, x: x0 + 2, y: gridTop + 1, columns: width - 4, rows: bottom - gridTop - 2,
            mode: request.mode, directColor: directColor)
        return ([request], picture.map { [$0] } ?? [])
    }
}
