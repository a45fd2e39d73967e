internal import Catalog
internal import Datasets
internal import Foundation
internal import StudioCore
internal import TerminalGraphics

/// Screen 1: the workspace's datasets (real and synthetic grouped, counts, a class-balance bar),
/// the selected dataset's samples (paged from the catalog), and the selected image with its
/// labels, metadata and provenance — or, with `v`, a grid of thumbnails.
struct BrowseView {
    var datasets: [DatasetSummary]
    var balances: [String: ClassBalance]
    /// The loaded window of samples, starting at `offset` in the filtered list.
    var samples: [SampleRow]
    var offset: Int
    var total: Int
    var detail: SampleDetail?
    /// A page is being read: say so rather than "no samples".
    var loading: Bool
    var previews: PreviewService
    var previewPath: (SampleRow) -> String?
    /// A sample's `masks/` or `depth/` map, when it has one.
    var layerPath: (SampleRow, String) -> String? = { _, _ in nil }
    /// Previews in text cells are written in 24-bit colour, past ncurses (see `App.directColor`).
    var directColor = false
    /// Classes per sample (most annotations first) for the thumbnails' captions.
    var captions: [Int64: [String]] = [:]
    /// Why the filtered list is empty (said in its place).
    var emptyReason: String?

    /// The dataset and sample lists' widths for a screen `width` columns wide: 30 and 36 from 120
    /// columns up, narrower below in proportion (18 and 20 at least), the preview the rest.
    static func widths(_ width: Int) -> (datasets: Int, samples: Int) {
        (min(30, max(18, width / 4)), min(36, max(20, width * 3 / 10)))
    }

    /// Datasets in display order: real first, then synthetic, holdouts last in each group.
    static func ordered(_ datasets: [DatasetSummary]) -> [DatasetSummary] {
        datasets.sorted { a, b in
            if a.origin != b.origin { return a.origin == .real }
            if a.holdout != b.holdout { return !a.holdout }
            return a.name < b.name
        }
    }

    /// Draws into `frame` between rows `top` and `bottom` (exclusive); returns the previews to
    /// ask for and, in sixel mode, where the sixel image goes.
    func draw(_ frame: inout Frame, state: AppState, top: Int, bottom: Int) -> (
        wanted: [PreviewService.Request], pictures: [PicturePlacement]
    ) {
        let height = bottom - top
        let (datasetWidth, sampleWidth) = Self.widths(frame.width)
        let ordered = Self.ordered(datasets)
        // Datasets.
        frame.box(
            x: 0, y: top, width: datasetWidth, height: height, title: "Datasets",
            style: Frame.Style(state.focus == .datasets ? .accent : .muted))
        var y = top + 1
        var lastOrigin: Origin?
        for (i, d) in ordered.enumerated() where y < bottom - 1 {
            if d.origin != lastOrigin {
                frame.put(
                    d.origin == .real ? "real" : "synthetic", x: 2, y: y,
                    style: Frame.Style(d.origin == .real ? .real : .synthetic, bold: true))
                lastOrigin = d.origin
                y += 1
                if y >= bottom - 1 { break }
            }
            let selected = i == state.datasetIndex
            let style = Frame.Style(selected ? .heading : .text, bold: selected, reverse: selected && state.focus == .datasets)
            let name = d.name.terminalSafe + (d.holdout ? " (holdout)" : "")
            let count = String(d.images)
            frame.fill(x: 1, y: y, width: datasetWidth - 2, height: 1, style: style)
            // The count right-aligned, the name in what is left, cut with … when it does not fit.
            frame.put(Self.head(name, datasetWidth - 5 - count.count), x: 2, y: y, style: style)
            frame.put(count, x: datasetWidth - 2 - count.count, y: y, style: style)
            y += 1
            // A small bar per class: how even the classes are.
            if let balance = balances[d.name], y < bottom - 1 {
                let counts = balance.rows.map(\.images)
                let most = max(1, counts.max() ?? 1)
                let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
                // Room left for the imbalance ratio at the right.
                let spark = String(counts.prefix(datasetWidth - 13).map { levels[min(7, $0 * 8 / (most + 1))] })
                frame.put(spark, x: 4, y: y, style: Frame.Style(d.origin == .real ? .real : .synthetic))
                if let ratio = balance.imbalanceRatio, ratio >= 1.5 {
                    frame.put(String(format: "%.0f:1", ratio), x: datasetWidth - 7, y: y, style: Frame.Style(.warning))
                }
                y += 1
            }
        }
        if state.grid { return drawGrid(&frame, state: state, top: top, bottom: bottom) }
        // Samples.
        let x0 = datasetWidth
        var title = "Samples \(state.sampleIndex + (total > 0 ? 1 : 0))/\(total)"
        if let c = state.classFilter { title += " · \(c.terminalSafe)" }
        if let cell = state.cellFilter { title += " · \(cell.row.terminalSafe) × \(cell.column.terminalSafe)" }
        frame.box(
            x: x0, y: top, width: sampleWidth, height: height, title: title,
            style: Frame.Style(state.focus == .samples ? .accent : .muted))
        let rows = height - 2
        let first = max(0, state.sampleIndex - rows / 2)
        for (i, index) in (first..<min(total, first + rows)).enumerated() {
            guard let sample = samples[safe: index - offset] else { continue }
            let selected = index == state.sampleIndex
            let style = Frame.Style(selected ? .heading : .text, bold: selected, reverse: selected && state.focus == .samples)
            frame.fill(x: x0 + 1, y: top + 1 + i, width: sampleWidth - 2, height: 1, style: style)
            let mark = sample.origin == .synthetic ? "◆ " : "  "
            frame.put(mark, x: x0 + 1, y: top + 1 + i, style: Frame.Style(.synthetic, reverse: style.reverse))
            // Paths keep their end (the file's own name) when they do not fit.
            frame.put(Self.tail(sample.path.terminalSafe, sampleWidth - 5), x: x0 + 3, y: top + 1 + i, style: style)
        }
        if samples.isEmpty {
            frame.put(loading ? "loading…" : "no samples", x: x0 + 2, y: top + 1, style: Frame.Style(.muted))
            if !loading, let reason = emptyReason {
                for (i, line) in Chrome.wrap(reason, width: sampleWidth - 4).prefix(max(0, height - 4)).enumerated() {
                    frame.put(line, x: x0 + 2, y: top + 2 + i, style: Frame.Style(.warning), limit: sampleWidth - 4)
                }
            }
        }
        // Preview and metadata.
        let px = x0 + sampleWidth
        let pw = frame.width - px
        guard pw > 10, let sample = samples[safe: state.sampleIndex - offset] else { return ([], []) }
        var layer = PreviewService.Request.Layer.image
        var layerNote = ""
        if state.layer != .image {
            if let path = layerPath(sample, state.layer.rawValue) {
                layer = state.layer == .masks ? .masks(path) : .depth(path)
                layerNote = " · \(state.layer.rawValue)"
            } else {
                layerNote = " · no \(state.layer.rawValue)/ for it"
            }
        }
        let zoom = state.zoom.flatMap { $0.sample == sample.id ? $0 : nil }
        var zoomNote = zoom.map { " · zoom \($0.level)×" } ?? ""
        if let zoom, let object = zoom.object {
            let objects = PreviewZoom.objects((detail?.labels ?? []).compactMap { label in label.box.map { ($0, label.category) } })
            let name = objects.count == object.of ? objects[object.index].label.terminalSafe + " " : ""
            zoomNote += " on \(name)\(object.index + 1)/\(object.of)"
        }
        frame.box(
            x: px, y: top, width: pw, height: height, title: "Preview · \(state.graphics.rawValue)\(layerNote)\(zoomNote)",
            style: Frame.Style(.muted))
        var info: [(String, String, Theme.Role)] = [
            ("file", sample.path.terminalSafe, .text), ("size", "\(sample.width)×\(sample.height)", .text),
            ("origin", sample.origin == .real ? "real" : "synthetic", sample.origin == .real ? .real : .synthetic),
        ]
        if let split = sample.split { info.append(("split", split.terminalSafe, .text)) }
        if let detail {
            let classes = Dictionary(grouping: detail.labels, by: \.category).map { "\($0.key.terminalSafe)×\($0.value.count)" }.sorted()
            info.append(("labels", classes.joined(separator: " "), .accent))
            for (k, v) in detail.attributes.sorted(by: { $0.key < $1.key }).prefix(6) {
                info.append((k.terminalSafe, v.terminalSafe, .muted))
            }
        }
        if let provenance = sample.provenance { info.append(("made by", Self.provenanceSummary(provenance), .synthetic)) }
        let infoTop = bottom - 1 - info.count
        // Keys in a column as wide as the longest (up to a third of the pane), values after it.
        let keyWidth = min(max(8, (pw - 4) / 3), (info.map { $0.0.count }.max() ?? 8) + 1)
        for (i, (k, v, role)) in info.enumerated() {
            frame.put(k.count < keyWidth ? k : Self.tail(k, keyWidth - 1), x: px + 2, y: infoTop + i, style: Frame.Style(.muted))
            frame.put(v, x: px + 2 + keyWidth, y: infoTop + i, style: Frame.Style(role), limit: pw - 4 - keyWidth)
        }
        let previewRows = max(1, infoTop - top - 2)
        guard let path = previewPath(sample) else { return ([], []) }
        let boxes = (detail?.labels ?? []).compactMap { label in label.box.map { OverlayBox(box: $0, label: label.category) } }
        var request = PreviewService.Request(
            path: path, columns: pw - 4, rows: previewRows, mode: Self.mode(state.graphics),
            boxes: state.layer == .depth && layer != .image ? [] : boxes)
        request.layer = layer
        request.region = zoom?.region
        let placement = Self.place(
            previews.result(request), in: &frame, x: px + 2, y: top + 1, columns: pw - 4, rows: previewRows, mode: request.mode,
            directColor: directColor)
        return ([request], placement.map { [$0] } ?? [])
    }

    /// `text` in at most `width` columns, its end replaced by `…` when it does not fit.
    static func head(_ text: String, _ width: Int) -> String {
        guard text.count > width else { return text }
        guard width > 1 else { return String(text.prefix(max(0, width))) }
        return text.prefix(width - 1) + "…"
    }

    /// `text` in at most `width` columns, its start replaced by `…` when it does not fit.
    static func tail(_ text: String, _ width: Int) -> String {
        guard text.count > width else { return text }
        guard width > 1 else { return String(text.suffix(max(0, width))) }
        return "…" + text.suffix(width - 1)
    }

    static func mode(_ graphics: AppState.Graphics) -> PreviewService.Request.Mode {
        switch graphics {
        case .kitty: .kitty
        case .iterm: .iterm
        case .sixel: .sixel
        case .blocks: .blocks
        case .ascii: .ascii
        }
    }

    /// Puts a finished preview's cells into the frame (or says where its picture goes).
    static func place(
        _ result: PreviewService.Result?, in frame: inout Frame, x: Int, y: Int, columns: Int, rows: Int, mode: PreviewService.Request.Mode,
        directColor: Bool = false
    ) -> PicturePlacement? {
        switch result {
        case nil:
            frame.put("decoding…", x: x, y: y, style: Frame.Style(.muted))
        case .failed(let message):
            frame.put("cannot show: \(message.terminalSafe)", x: x, y: y, style: Frame.Style(.error), limit: columns)
        case .cells(let grid):
            for row in 0..<min(rows, grid.rows) {
                for column in 0..<min(columns, grid.columns) {
                    let cell = grid[column, row]
                    frame[x + column, y + row] = Frame.Cell(
                        character: Character(cell.character), style: Frame.Style(foreground: cell.foreground, background: cell.background))
                }
            }
            // 24-bit colour the terminal has but ncurses cannot give (inside tmux with
            // COLORTERM=truecolor): the cells are written straight, after ncurses has drawn.
            if directColor, grid.rows > 0 {
                var bytes: [UInt8] = []
                let lines = grid.ansiBytes(colors: .truecolor).split(separator: 0x0A, omittingEmptySubsequences: false)
                for (row, line) in lines.prefix(min(rows, grid.rows)).enumerated() {
                    bytes += Array("\u{1B}[\(y + row + 1);\(x + 1)H".utf8) + line
                }
                return PicturePlacement(
                    x: x, y: y, columns: min(columns, grid.columns), rows: min(rows, grid.rows), bytes: bytes, mode: .blocks)
            }
        case .pixels(let bytes, let c, let r, let id):
            let graphics: AppState.Graphics = mode == .kitty ? .kitty : (mode == .iterm ? .iterm : .sixel)
            return PicturePlacement(x: x, y: y, columns: c, rows: r, bytes: bytes, mode: graphics, kittyID: id)
        }
        return nil
    }

    /// `gan run models/digits step 3000 · class 7` or `render street.yaml seed 7 #12`.
    static func provenanceSummary(_ text: String) -> String {
        guard let object = try? JSONReader.parse(Array(text.utf8)), object.members != nil else { return "synthetic" }
        func field(_ key: String) -> String { object[key]?.scalarText ?? "?" }
        if object["generator"]?.string == "gan" {
            let run = object["run"]?.string.map { FileIOName.short($0) } ?? "?"
            return "GAN \(run) step \(field("checkpoint_step")) seed \(field("seed")) #\(field("index"))".terminalSafe
        }
        if let recipe = object["recipe"]?.string {
            return "render \(recipe) seed \(field("seed")) #\(field("index"))".terminalSafe
        }
        return "synthetic"
    }

    /// The thumbnail grid: as many as fit, each with its class under it.
    private func drawGrid(_ frame: inout Frame, state: AppState, top: Int, bottom: Int) -> ([PreviewService.Request], [PicturePlacement]) {
        let x0 = Self.widths(frame.width).datasets
        let layout = Self.gridLayout(width: frame.width - x0, height: bottom - top)
        frame.box(
            x: x0, y: top, width: frame.width - x0, height: bottom - top, title: "Thumbnails \(state.sampleIndex + 1)/\(total) · hjkl",
            style: Frame.Style(.accent))
        let perPage = layout.columns * layout.rows
        let first = perPage > 0 ? state.sampleIndex / perPage * perPage : 0
        var wanted: [PreviewService.Request] = []
        var pictures: [PicturePlacement] = []
        for slot in 0..<perPage {
            let index = first + slot
            guard index < total, let sample = samples[safe: index - offset], let path = previewPath(sample) else { continue }
            let cx = x0 + 1 + (slot % layout.columns) * (layout.cellWidth + 1)
            let cy = top + 1 + (slot / layout.columns) * (layout.cellHeight + 1)
            // Thumbnails are pictures where the terminal draws pixels (a grid of 16-px digits in
            // blocks reads as stripes).
            let request = PreviewService.Request(
                path: path, columns: layout.cellWidth, rows: layout.cellHeight - 1, mode: Self.mode(state.graphics))
            wanted.append(request)
            var captionY = cy + layout.cellHeight - 1
            if let picture = Self.place(
                previews.result(request), in: &frame, x: cx, y: cy, columns: layout.cellWidth, rows: layout.cellHeight - 1,
                mode: request.mode, directColor: directColor)
            {
                pictures.append(picture)
                // The caption right under a picture shorter than its slot.
                captionY = cy + min(picture.rows, layout.cellHeight - 1)
            }
            let selected = index == state.sampleIndex
            // The image's classes (most boxes first); its file name when it has none.
            let label =
                captions[sample.id].map { $0.joined(separator: " ") }.flatMap { $0.isEmpty ? nil : $0 }
                ?? (sample.path.split(separator: "/").last.map(String.init) ?? sample.path)
            frame.put(
                selected ? "▶" + label.terminalSafe : " " + label.terminalSafe, x: cx, y: captionY,
                style: Frame.Style(selected ? .accent : .muted, bold: selected, reverse: selected), limit: layout.cellWidth)
        }
        // The selected one first: it is what the user looks at.
        if let i = wanted.indices.first(where: { first + $0 == state.sampleIndex }) { wanted.insert(wanted.remove(at: i), at: 0) }
        return (wanted, pictures)
    }

    static func gridLayout(width: Int, height: Int) -> (columns: Int, rows: Int, cellWidth: Int, cellHeight: Int) {
        let cellWidth = 12, cellHeight = 7
        return (max(1, (width - 2) / (cellWidth + 1)), max(1, (height - 2) / (cellHeight + 1)), cellWidth, cellHeight)
    }
}

/// Where a picture (sixel, kitty or iTerm2 bytes) goes once ncurses has drawn the cells around it.
public struct PicturePlacement: Equatable, Sendable {
    public var x: Int
    public var y: Int
    public var columns: Int
    public var rows: Int
    public var bytes: [UInt8]
    public var mode: AppState.Graphics
    /// The image id a kitty picture is sent under: it is deleted by it.
    public var kittyID: Int? = nil
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
