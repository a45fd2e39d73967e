internal import Foundation
internal import StudioCore

/// Screen 5: GAN runs in `models/`, their loss curves drawn with block characters, and the latest
/// fixed-noise sample grid.
struct TrainView {
    var runs: [StudioData.RunSummary]
    var previews: PreviewService

    /// A curve as one row of block characters per `height` rows: column i is value i, scaled to
    /// [low, high].
    static func curve(_ values: [Double], width: Int, height: Int) -> [String] {
        guard !values.isEmpty, width > 0, height > 0 else { return [] }
        let sampled = (0..<min(width, values.count)).map { values[$0 * values.count / min(width, values.count)] }
        let low = sampled.min()!, high = max(sampled.max()!, low + 1e-9)
        let levels: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        return (0..<height).map { row in
            String(
                sampled.map { v in
                    let filled = (v - low) / (high - low) * Double(height * 8)
                    let inRow = Int(filled.rounded()) - (height - 1 - row) * 8
                    return levels[max(0, min(8, inRow))]
                })
        }
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
        let x0 = listWidth, width = frame.width - listWidth
        let curveHeight = max(3, (bottom - top) / 3)
        frame.box(
            x: x0, y: top, width: width, height: curveHeight + 3, title: "Losses · D ▇ generator G ▇ (per checkpoint)",
            style: Frame.Style(.muted))
        if run.losses.count >= 2 {
            let half = max(3, curveHeight / 2)
            for (i, line) in Self.curve(run.losses.map(\.discriminator), width: width - 12, height: half).enumerated() {
                frame.put("D", x: x0 + 2, y: top + 1 + i, style: Frame.Style(.real, bold: true))
                frame.put(line, x: x0 + 4, y: top + 1 + i, style: Frame.Style(.real))
            }
            for (i, line) in Self.curve(run.losses.map(\.generator), width: width - 12, height: curveHeight - half).enumerated() {
                frame.put("G", x: x0 + 2, y: top + 1 + half + i, style: Frame.Style(.synthetic, bold: true))
                frame.put(line, x: x0 + 4, y: top + 1 + half + i, style: Frame.Style(.synthetic))
            }
            if let last = run.losses.last {
                frame.put(
                    String(format: "step %d  D %.3f  G %.3f", last.step, last.discriminator, last.generator), x: x0 + 2,
                    y: top + curveHeight + 1, style: Frame.Style(.muted))
            }
        } else {
            frame.put(
                "no losses logged yet (log.jsonl is written at each checkpoint)", x: x0 + 2, y: top + 1, style: Frame.Style(.muted),
                limit: width - 4)
        }
        let gridTop = top + curveHeight + 3
        frame.box(
            x: x0, y: gridTop, width: width, height: bottom - gridTop, title: "Latest samples · one row per class (\(run.classes.count))",
            style: Frame.Style(.muted))
        guard let grid = run.latestGrid else { return ([], []) }
        let request = PreviewService.Request(
            path: grid, columns: width - 4, rows: bottom - gridTop - 2, mode: BrowseView.mode(state.graphics))
        let picture = BrowseView.place(
            previews.result(request), in: &frame, x: x0 + 2, y: gridTop + 1, columns: width - 4, rows: bottom - gridTop - 2,
            mode: request.mode)
        return ([request], picture.map { [$0] } ?? [])
    }
}
