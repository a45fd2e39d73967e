import TerminalGraphics
import Testing

@Suite("Progress bar")
struct ProgressTests {
    @Test("one line with counts, rate and ETA, fitted to the width")
    func line() {
        let line = ProgressBar.line(label: "render", done: 50, total: 200, elapsed: 10, width: 60, unicode: true)
        #expect(line.hasPrefix("render  [") && line.hasSuffix("50/200  5.0/s  ETA 0:30"))
        #expect(line.unicodeScalars.count <= 60)
        let done = ProgressBar.line(label: "render", done: 200, total: 200, elapsed: 3725, width: 60, unicode: false)
        #expect(done.hasSuffix("in 1:02:05"))
        #expect(done.contains("[####"))
        #expect(ProgressBar.duration(59.6) == "1:00")
    }

    @Test("on a terminal: redrawn in place at most 10 times a second; elsewhere: plain periodic lines")
    func cadence() {
        var terminal = ProgressBar(label: "x", total: 100, isTerminal: true, start: 0)
        #expect(terminal.update(done: 1, now: 0.01)?.hasPrefix("\r") == true)
        #expect(terminal.update(done: 2, now: 0.05) == nil)  // too soon
        #expect(terminal.update(done: 3, now: 0.2)?.hasSuffix("\u{1B}[K") == true)
        #expect(terminal.finish(done: 100, now: 1).hasSuffix("\n"))
        var plain = ProgressBar(label: "x", total: 100, isTerminal: false, start: 0)
        #expect(plain.update(done: 1, now: 0.5)?.hasSuffix("\n") == true)
        #expect(plain.update(done: 2, now: 1) == nil)
        #expect(plain.update(done: 50, now: 6) != nil)
        #expect(plain.update(done: 100, now: 6.1) != nil)  // the end is always shown
        #expect(!(plain.update(done: 100, now: 7)?.contains("\r") ?? false))
    }
}
