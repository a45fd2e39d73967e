internal import Glibc

/// One line of progress for long CLI work: a bar, done/total, rate and ETA.
///
/// On a terminal the line is redrawn in place (`\r` … `ESC [K`) at most 10 times a second; when
/// output goes to a file or a pipe it prints a plain line every `plainInterval` seconds (and at the
/// end), so logs stay readable. Time is passed in, so the formatting is a pure function.
public struct ProgressBar: Sendable {
    public var label: String
    public let total: Int
    public let isTerminal: Bool
    /// Width of the whole line in columns (the terminal's width).
    public var width: Int
    public var unicode: Bool
    public var plainInterval: Double = 5

    private let start: Double
    private var lastDraw: Double = -.infinity
    private var lastDone = -1

    public init(label: String, total: Int, isTerminal: Bool, width: Int = 80, unicode: Bool = true, start: Double) {
        self.label = label
        self.total = max(0, total)
        self.isTerminal = isTerminal
        self.width = max(20, width)
        self.unicode = unicode
        self.start = start
    }

    /// What to write for `done` units at time `now`, or `nil` when nothing needs drawing yet.
    public mutating func update(done: Int, now: Double) -> String? {
        let interval = isTerminal ? 0.1 : plainInterval
        guard done != lastDone, now - lastDraw >= interval || done >= total else { return nil }
        lastDraw = now
        lastDone = done
        let line = Self.line(label: label, done: done, total: total, elapsed: now - start, width: width, unicode: unicode)
        return isTerminal ? "\r" + line + "\u{1B}[K" : line + "\n"
    }

    /// The final line (always drawn), ending with a newline.
    public mutating func finish(done: Int, now: Double) -> String {
        let line = Self.line(label: label, done: done, total: total, elapsed: now - start, width: width, unicode: unicode)
        return isTerminal ? "\r" + line + "\u{1B}[K\n" : line + "\n"
    }

    /// `label  [█████▌    ]  45/200  3.2/s  ETA 0:48`, fitted to `width` columns.
    public static func line(label: String, done: Int, total: Int, elapsed: Double, width: Int, unicode: Bool) -> String {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let counts = "\(done)/\(total)"
        let rateText = rate >= 10 ? "\(Int(rate.rounded()))/s" : rate > 0 ? "\(Double(Int(rate * 10)) / 10)/s" : "–/s"
        let eta: String
        if done >= total && total > 0 {
            eta = "in \(duration(elapsed))"
        } else if rate > 0 {
            eta = "ETA \(duration(Double(total - done) / rate))"
        } else {
            eta = "ETA –"
        }
        let tail = "  \(counts)  \(rateText)  \(eta)"
        let name = String(label.unicodeScalars.prefix(max(8, width / 3)).map(Character.init))
        let barWidth = max(5, width - name.unicodeScalars.count - tail.unicodeScalars.count - 4)
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        return "\(name)  [\(bar(fraction, width: barWidth, unicode: unicode))]\(tail)"
    }

    /// `h:mm:ss` or `m:ss`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        let s = Int(seconds.rounded())
        let (h, m, r) = (s / 3600, s / 60 % 60, s % 60)
        let two = { (v: Int) in v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(r))" : "\(m):\(two(r))"
    }

    static func bar(_ fraction: Double, width: Int, unicode: Bool) -> String {
        guard unicode else {
            let n = Int((fraction * Double(width)).rounded(.down))
            return String(repeating: "#", count: n) + String(repeating: ".", count: width - n)
        }
        let eighths = Int((fraction * Double(width) * 8).rounded(.down))
        let full = eighths / 8, rest = eighths % 8
        let partial = rest > 0 ? ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][rest] : ""
        return String(repeating: "█", count: full) + partial + String(repeating: " ", count: width - full - (rest > 0 ? 1 : 0))
    }
}

/// Draws a `ProgressBar` on standard error, the usual place for progress (stdout stays data).
public final class ProgressReporter {
    private var bar: ProgressBar

    public init(label: String, total: Int) {
        let terminal = isatty(STDERR_FILENO) == 1
        var size = winsize()
        let columns = terminal && ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
        bar = ProgressBar(label: label, total: total, isTerminal: terminal, width: columns - 1, start: Self.now())
    }

    /// Changes the label (a training run shows its losses there).
    public func relabel(_ label: String) { bar.label = label }

    public func update(done: Int) {
        if let text = bar.update(done: done, now: Self.now()) { Self.write(text) }
    }

    public func finish(done: Int) {
        Self.write(bar.finish(done: done, now: Self.now()))
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
