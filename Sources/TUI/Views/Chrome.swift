internal import Catalog
internal import Engine
internal import StudioCore

/// The parts around every screen: the tab line on top, the status line at the bottom, overlays.
enum Chrome {
    static let minimumWidth = 60
    static let minimumHeight = 16

    /// `SynthStudio · sample-data   1 Browse  2 Balance …`; the current screen reversed.
    static func tabs(_ frame: inout Frame, state: AppState, workspace: String) -> [(Screen, Range<Int>)] {
        frame.fill(x: 0, y: 0, width: frame.width, height: 1, style: Frame.Style(.heading, reverse: true))
        // The tabs always fit: the product's name goes first, then the workspace's is shortened.
        let tabsWidth = Screen.allCases.reduce(0) { $0 + " \($1.rawValue) \($1.title) ".count + 1 }
        var title = " SynthStudio · \(workspace.terminalSafe) "
        if title.count + tabsWidth > frame.width {
            let room = max(0, frame.width - tabsWidth - 2)
            let name = workspace.terminalSafe
            title = room == 0 ? "" : " \(name.count > room ? String(name.prefix(max(1, room - 1))) + "…" : name) "
        }
        var x = frame.put(title, x: 0, y: 0, style: Frame.Style(.heading, bold: true, reverse: true))
        var ranges: [(Screen, Range<Int>)] = []
        for screen in Screen.allCases {
            let label = " \(screen.rawValue) \(screen.title) "
            let start = x + 1
            x = frame.put(label, x: start, y: 0, style: Frame.Style(.accent, bold: screen == state.screen, reverse: screen != state.screen))
            ranges.append((screen, start..<x))
        }
        return ranges
    }

    /// Running jobs (on every screen), the last message, and the help hint.
    static func status(_ frame: inout Frame, state: AppState, jobs: [JobRecord]) {
        let y = frame.height - 1
        frame.fill(x: 0, y: y, width: frame.width, height: 1, style: Frame.Style(.muted, reverse: true))
        let running = jobs.filter { $0.state == .running }
        let queued = jobs.filter { $0.state == .queued }.count
        var x = 0
        if !running.isEmpty {
            let parts = running.prefix(2).map { job in
                "\(job.kind.rawValue) \((job.dataset ?? "").terminalSafe) \(job.done)/\(job.total)"
            }
            x = frame.put(" ⏵ " + parts.joined(separator: ", "), x: 0, y: y, style: Frame.Style(.synthetic, bold: true, reverse: true))
        }
        if queued > 0 { x = frame.put("  +\(queued) queued", x: x, y: y, style: Frame.Style(.muted, reverse: true)) }
        let hint = " ? help  q quit "
        frame.put("  " + state.status, x: x, y: y, style: Frame.Style(.text, reverse: true), limit: max(0, frame.width - x - hint.count))
        frame.put(hint, x: frame.width - hint.count, y: y, style: Frame.Style(.muted, reverse: true))
    }

    static func tooSmall(width: Int, height: Int) -> Frame {
        var frame = Frame(width: width, height: height)
        let lines = ["Terminal too small", "\(width)×\(height); SynthStudio needs \(minimumWidth)×\(minimumHeight)", "q quits"]
        for (i, line) in lines.enumerated() {
            frame.put(
                line, x: max(0, (width - line.count) / 2), y: max(0, height / 2 - 1) + i,
                style: Frame.Style(i == 0 ? .warning : .text, bold: i == 0))
        }
        return frame
    }

    /// A centred panel; returns its inner rectangle.
    /// `text` in lines of at most `width` characters, broken at spaces where it can be.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
            while line.count > width {
                lines.append(String(line.prefix(width)))
                line = String(line.dropFirst(width))
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    static func panel(_ frame: inout Frame, width: Int, height: Int, title: String) -> (x: Int, y: Int, width: Int, height: Int) {
        let w = min(width, frame.width - 4), h = min(height, frame.height - 2)
        let x = (frame.width - w) / 2, y = max(1, (frame.height - h) / 2)
        frame.fill(x: x, y: y, width: w, height: h)
        frame.box(x: x, y: y, width: w, height: h, title: title, style: Frame.Style(.accent))
        return (x + 2, y + 1, w - 4, h - 2)
    }

    static func overlay(_ frame: inout Frame, state: AppState) {
        guard let overlay = state.overlay else { return }
        switch overlay {
        case .help:
            let lines = KeyMap.helpLines(for: state.screen)
            let note = state.terminalNote.isEmpty ? "" : " · \(state.terminalNote)"
            let inner = panel(&frame, width: 76, height: lines.count + 4, title: "Keys — \(state.screen.title)\(note)")
            // Scrolls (j/k) when the terminal is too short for every key.
            let visible = max(1, inner.height - 1)
            let scroll = min(state.helpScroll, max(0, lines.count - visible))
            for (i, line) in lines.dropFirst(scroll).prefix(visible).enumerated() {
                frame.put(line.keys, x: inner.x, y: inner.y + i, style: Frame.Style(.accent, bold: true), limit: 16)
                frame.put(line.help, x: inner.x + 17, y: inner.y + i, limit: inner.width - 17)
            }
            let more = lines.count > visible ? "j/k scroll (\(scroll + 1)–\(scroll + visible) of \(lines.count)) · " : ""
            frame.put(
                more + "Esc or ? closes", x: inner.x,
                y: inner.y + inner.height - 1,
                style: Frame.Style(.muted), limit: inner.width)
        case .confirmQuit(let running):
            let inner = panel(&frame, width: 56, height: 6, title: "Quit?")
            frame.put("\(running) job(s) running; they go on in the background.", x: inner.x, y: inner.y, limit: inner.width)
            frame.put("y quit   n stay", x: inner.x, y: inner.y + 2, style: Frame.Style(.accent, bold: true))
        case .confirmTraining(let run, let from, let to):
            let inner = panel(&frame, width: 64, height: 7, title: "Train further?")
            frame.put("Train \(run.terminalSafe) on from step \(from) to \(to)?", x: inner.x, y: inner.y, limit: inner.width)
            frame.put("A gan-train job in the background; its checkpoints are kept.", x: inner.x, y: inner.y + 1, limit: inner.width)
            frame.put("y queue it   n no", x: inner.x, y: inner.y + 3, style: Frame.Style(.accent, bold: true))
        case .jobForm(let draft):
            let spec = draft.spec
            var rows: [(String, String)] = []
            // Keys in a column as wide as the longest (`glass_facades`), at least 8, at most 16.
            let keys = spec.parameterSummary.map { $0.0.terminalSafe.count } + [8]
            let keyWidth = min(16, keys.max() ?? 8)
            // The plan, wrapped at words over the first lines.
            let width = min(84, frame.width - 4) - 4 - (keyWidth + 1)
            for (i, line) in Self.wrap(draft.description, width: width).prefix(3).enumerated() { rows.append((i == 0 ? "what" : "", line)) }
            rows += [
                ("job", spec.kind.rawValue), ("into", (spec.dataset ?? "").terminalSafe),
                ("count", "\(draft.count)  (+/− to change\(spec.units?.goal == nil ? "" : ": then no stop at the target"))"),
                ("seed", "\(spec.seed)"),
            ]
            for (key, value) in spec.parameterSummary {
                rows.append((key.terminalSafe, FileIOName.short(value).terminalSafe))
            }
            let inner = panel(&frame, width: 84, height: rows.count + 4, title: "Fill the gap")
            for (i, (key, value)) in rows.enumerated() where i < inner.height - 2 {
                frame.put(key, x: inner.x, y: inner.y + i, style: Frame.Style(.muted), limit: keyWidth)
                frame.put(value, x: inner.x + keyWidth + 1, y: inner.y + i, limit: inner.width - keyWidth - 1)
            }
            frame.put(
                "Enter queue the job   Esc cancel", x: inner.x, y: inner.y + inner.height - 1, style: Frame.Style(.accent, bold: true))
        case .log(let title, let lines, let scroll):
            let inner = panel(&frame, width: frame.width - 4, height: frame.height - 2, title: title)
            let first = min(scroll, max(0, lines.count - inner.height))
            for (i, line) in lines.dropFirst(first).prefix(inner.height).enumerated() {
                let lower = line.lowercased()
                let role: Theme.Role =
                    lower.contains("failed") || lower.contains("error") ? .error : (line.hasPrefix("---") ? .muted : .text)
                frame.put(line, x: inner.x, y: inner.y + i, style: Frame.Style(role, bold: role == .error), limit: inner.width)
            }
            if lines.count > inner.height {
                let where_ = first + inner.height >= lines.count ? "end, following" : "\(first + inner.height)/\(lines.count)"
                frame.put(" \(where_) ", x: inner.x + inner.width - where_.count - 2, y: inner.y + inner.height, style: Frame.Style(.muted))
            }
        case .command(let text):
            frame.fill(x: 0, y: frame.height - 1, width: frame.width, height: 1)
            frame.put(":" + text + "▏", x: 0, y: frame.height - 1, style: Frame.Style(.accent, bold: true))
        case .filter(let text):
            // The syntax, one line above the prompt.
            frame.fill(x: 0, y: frame.height - 2, width: frame.width, height: 2)
            frame.put(
                "terms combine: class  key=value  key!=value  dup  blurry  label=box-outside · Tab completes · Enter applies · Esc",
                x: 0, y: frame.height - 2, style: Frame.Style(.muted), limit: frame.width)
            frame.put("/" + text + "▏", x: 0, y: frame.height - 1, style: Frame.Style(.accent, bold: true))
        }
    }

    /// A horizontal bar of eighths, `width` cells for 1.0.
    static func bar(_ fraction: Double, width: Int) -> String {
        let eighths = Int((max(0, min(1, fraction)) * Double(width) * 8).rounded())
        let full = eighths / 8, rest = eighths % 8
        return String(repeating: "█", count: full) + (rest > 0 ? ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][rest] : "")
    }
}

/// Paths as the form shows them: the last two components.
enum FileIOName {
    static func short(_ path: String) -> String {
        guard path.hasPrefix("/") else { return path }
        return path.split(separator: "/").suffix(2).joined(separator: "/")
    }
}
