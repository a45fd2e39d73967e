internal import Engine
internal import Foundation
internal import StudioCore

/// Screen 4: queued, running and finished jobs with progress bars, rate and ETA, and the last
/// lines of the selected job's log.
struct JobsView {
    var jobs: [JobRecord]
    var logTail: [String]

    /// Event lines in words (`progress 78/85 · 110/s`); artifact lines left out.
    static func readable(_ line: String) -> String? {
        guard line.hasPrefix("{"), let object = try? JSONReader.parse(Array(line.utf8)), let event = object["event"]?.string
        else { return line }
        func field(_ key: String) -> String { object[key]?.scalarText ?? "?" }
        switch event {
        case "artifact": return nil
        case "progress": return "progress \(field("done"))/\(field("total"))".terminalSafe
        case "started": return "started: \(field("total")) unit(s)".terminalSafe
        case "failed", "log": return "\(event): \((object["message"]?.string ?? "").terminalSafe)"
        default: return event
        }
    }

    /// A job's log for people: events in words, artifacts left out, each run of progress lines
    /// collapsed into its last (the figure that matters), stderr as it is.
    static func readableLog(_ lines: [String]) -> [String] {
        var out: [String] = []
        var lastWasProgress = false
        for line in lines {
            guard let text = readable(line) else { continue }
            let progress = text.hasPrefix("progress ")
            if progress, lastWasProgress { out[out.count - 1] = text } else { out.append(text) }
            lastWasProgress = progress
        }
        return out
    }

    static func rateAndETA(_ job: JobRecord, now: Double) -> String {
        let elapsed = max(1e-3, (job.state == .running ? now : job.updated) - job.created)
        guard job.done > 0 else { return job.state == .queued ? "waiting" : "" }
        let rate = Double(job.done) / elapsed
        let rateText = rate >= 10 ? "\(Int(rate))/s" : String(format: "%.1f/s", rate)
        if job.state == .running, rate > 0 { return "\(rateText)  ETA \(duration(Double(job.total - job.done) / rate))" }
        return "\(rateText)  in \(duration(elapsed))"
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s / 60 % 60)m" : "\(s / 60):\(String(format: "%02d", s % 60))"
    }

    static func role(_ state: JobState) -> Theme.Role {
        switch state {
        case .running: .synthetic
        case .succeeded: .good
        case .failed: .error
        case .queued: .accent
        case .cancelled, .interrupted: .warning
        }
    }

    func draw(_ frame: inout Frame, state: AppState, top: Int, bottom: Int) {
        let listHeight = max(4, (bottom - top) * 3 / 5)
        frame.box(
            x: 0, y: top, width: frame.width, height: listHeight, title: "Jobs · c cancel · r resume · Enter log",
            style: Frame.Style(.muted))
        let now = Date().timeIntervalSince1970
        if jobs.isEmpty {
            frame.put("No jobs yet. On Coverage, f on a short cell prefills one.", x: 2, y: top + 1, style: Frame.Style(.muted))
        }
        let rows = listHeight - 2
        let first = max(0, state.jobIndex - rows + 1)
        for (i, job) in jobs.enumerated().dropFirst(first).prefix(rows) {
            let y = top + 1 + i - first
            let selected = i == state.jobIndex
            let style = Frame.Style(.text, bold: selected, reverse: selected)
            frame.fill(x: 1, y: y, width: frame.width - 2, height: 1, style: style)
            var x = frame.put(
                job.state.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0), x: 2, y: y,
                style: Frame.Style(Self.role(job.state), bold: true, reverse: selected))
            x = frame.put(job.kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0), x: x, y: y, style: style)
            x = frame.put(
                (job.dataset ?? "–").terminalSafe.padding(toLength: 16, withPad: " ", startingAt: 0), x: x, y: y, style: style, limit: 16)
            let fraction = job.total > 0 ? Double(job.done) / Double(job.total) : 0
            let barWidth = max(8, min(30, frame.width - x - 40))
            let bar = Chrome.bar(fraction, width: barWidth)
            x = frame.put(
                "[" + bar.padding(toLength: barWidth, withPad: " ", startingAt: 0) + "]", x: x + 1, y: y,
                style: Frame.Style(Self.role(job.state), reverse: selected))
            x = frame.put(" \(job.done)/\(job.total)  ", x: x, y: y, style: style)
            frame.put(Self.rateAndETA(job, now: now), x: x, y: y, style: style, limit: frame.width - x - 2)
        }
        let logTop = top + listHeight
        let title = jobs[safe: state.jobIndex].map { "Log · \($0.id)" } ?? "Log"
        frame.box(x: 0, y: logTop, width: frame.width, height: bottom - logTop, title: title, style: Frame.Style(.muted))
        for (i, line) in logTail.compactMap(Self.readable).suffix(bottom - logTop - 2).enumerated() {
            frame.put(line, x: 2, y: logTop + 1 + i, style: Frame.Style(line.contains("failed") ? .error : .text), limit: frame.width - 4)
        }
    }
}
