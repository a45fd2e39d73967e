import Glibc
import Testing

@testable import TerminalGraphics

@Suite("Capability detection")
struct DetectionTests {
    @Test("colours from NO_COLOR, COLORTERM and TERM")
    func colours() {
        #expect(Capabilities.colors(environment: ["TERM": "xterm-256color", "NO_COLOR": "1"]) == .none)
        #expect(Capabilities.colors(environment: ["TERM": "xterm-256color", "COLORTERM": "truecolor"]) == .truecolor)
        #expect(Capabilities.colors(environment: ["TERM": "xterm-direct"]) == .truecolor)
        #expect(Capabilities.colors(environment: ["TERM": "screen-256color"]) == .palette256)
        #expect(Capabilities.colors(environment: ["TERM": "vt100"]) == .palette16)
        #expect(Capabilities.colors(environment: ["TERM": "dumb"]) == .none)
    }

    @Test("graphics from DA1, TERM, tmux and the locale")
    func graphics() {
        let utf8 = ["TERM": "xterm-256color", "LANG": "en_US.UTF-8"]
        #expect(Capabilities.graphics(environment: utf8, da1: "\u{1B}[?62;4;6;22c", insideTmux: false, tmuxPassthrough: false) == .sixel)
        #expect(
            Capabilities.graphics(environment: utf8, da1: "\u{1B}[?62;6;22c", insideTmux: false, tmuxPassthrough: false) == .blocks(.block))
        #expect(Capabilities.graphics(environment: utf8, da1: nil, insideTmux: false, tmuxPassthrough: false) == .blocks(.block))
        // Inside tmux without passthrough the sixel would never reach the terminal.
        #expect(Capabilities.graphics(environment: utf8, da1: "\u{1B}[?62;4c", insideTmux: true, tmuxPassthrough: false) == .blocks(.block))
        #expect(Capabilities.graphics(environment: utf8, da1: "\u{1B}[?62;4c", insideTmux: true, tmuxPassthrough: true) == .sixel)
        // Known sixel terminals, when they cannot be asked.
        #expect(
            Capabilities.graphics(
                environment: utf8.merging(["TERM_PROGRAM": "WezTerm"]) { $1 }, da1: nil, insideTmux: false, tmuxPassthrough: false)
                == .sixel)
        #expect(
            Capabilities.graphics(environment: ["TERM": "linux", "LANG": "C.UTF-8"], da1: nil, insideTmux: false, tmuxPassthrough: false)
                == .blocks(.half))
        #expect(
            Capabilities.graphics(environment: ["TERM": "xterm", "LANG": "C"], da1: nil, insideTmux: false, tmuxPassthrough: false)
                == .ascii)
        #expect(Capabilities.graphics(environment: ["TERM": "dumb"], da1: nil, insideTmux: false, tmuxPassthrough: false) == .ascii)
        #expect(Capabilities.deviceAttributes("\u{1B}[?64;1;2;4;6;9;15;18;21;22c") == [64, 1, 2, 4, 6, 9, 15, 18, 21, 22])
        #expect(Capabilities.cellSize(fromReply: "\u{1B}[6;20;10t") == CellSize(width: 10, height: 20))
        #expect(Capabilities.cellSize(fromReply: "garbage") == nil)
    }

    @Test("a terminal that never answers: blocks after the timeout, without blocking")
    func silentTerminal() throws {
        let (primary, secondary) = try Self.pseudoTerminal()
        defer {
            close(primary)
            close(secondary)
        }
        let channel = try #require(TTYChannel(borrowing: secondary))
        let start = Self.now()
        let capabilities = TerminalQuery.detect(
            channel: channel, environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"], timeoutMilliseconds: 100)
        let elapsed = Self.now() - start
        #expect(capabilities.graphics == .blocks(.block))
        #expect(capabilities.cell == .fallback)
        #expect(elapsed < 2)  // bounded by the timeout, not by a reply that never comes
    }

    /// Detection on a pseudo-terminal that answers `reply` as soon as the query arrives, like a
    /// terminal would.
    static func detect(answering reply: String, environment: [String: String], tmuxPassthrough: Bool = false) throws -> Capabilities {
        let (primary, secondary) = try Self.pseudoTerminal()
        defer {
            close(primary)
            close(secondary)
        }
        let channel = try #require(TTYChannel(borrowing: secondary))
        let responder = Thread_answer(primary: primary, reply: reply)
        defer { responder.join() }
        return TerminalQuery.detect(channel: channel, environment: environment, timeoutMilliseconds: 2000, tmuxPassthrough: tmuxPassthrough)
    }

    @Test("a terminal that answers DA1 with 4 and reports its cell size gets sixel")
    func answeringTerminal() throws {
        let capabilities = try Self.detect(
            answering: "\u{1B}[6;18;9t\u{1B}[?62;4;22c", environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        #expect(capabilities.graphics == .sixel)
        #expect(capabilities.cell == CellSize(width: 9, height: 18))
    }

    @Test("a terminal that answers OSC 11 white and kitty's query gets the kitty protocol and a light background")
    func kittyOnWhite() throws {
        let capabilities = try Self.detect(
            answering: "\u{1B}]11;rgb:ffff/ffff/ffff\u{1B}\\\u{1B}_Gi=31;OK\u{1B}\\\u{1B}[6;20;10t\u{1B}[?62;22c",
            environment: ["TERM": "xterm-kitty", "LANG": "C.UTF-8"])
        #expect(capabilities.graphics == .kitty && capabilities.background == .light)
    }

    @Test("inside tmux with passthrough kitty's query goes through and its answer picks the kitty protocol")
    func kittyThroughTmux() throws {
        let wrapped = String(decoding: TerminalQuery.query(insideTmux: true, tmuxPassthrough: true), as: UTF8.self)
        #expect(wrapped.hasPrefix("\u{1B}]11;?\u{1B}\\\u{1B}Ptmux;\u{1B}\u{1B}_Gi=31,") && wrapped.hasSuffix("\u{1B}[c\u{1B}\\"))
        #expect(!String(decoding: TerminalQuery.query(insideTmux: true, tmuxPassthrough: false), as: UTF8.self).contains("_G"))
        // What tmux 3.3 hands back from kitty 0.26 (checked by hand): kitty's answer, then DA1.
        let capabilities = try Self.detect(
            answering: "\u{1B}_Gi=31;OK\u{1B}\\\u{1B}[?62;c",
            environment: ["TERM": "tmux-256color", "LANG": "C.UTF-8", "TMUX": "/tmp/tmux-0/default,1,0"], tmuxPassthrough: true)
        #expect(capabilities.graphics == .kitty && capabilities.tmuxPassthrough)
    }

    @Test("a tmux pane id goes into tmux's command line only as % and digits")
    func tmuxPaneIDs() {
        for bad in ["%1'; touch /tmp/x; '", "1", "%", "%1 2", "%١"] {
            #expect(TerminalQuery.tmuxPaneVisible(bad) == nil, "\(bad)")
            #expect(TerminalQuery.tmuxClientTerminals(bad).isEmpty)
        }
    }

    @Test("the background from OSC 11 (any digit count) or COLORFGBG; graphics in yazi's order")
    func backgroundAndOrder() {
        #expect(Capabilities.background(reply: "\u{1B}]11;rgb:ffff/ffff/ffff\u{1B}\\", environment: [:]) == .light)
        #expect(Capabilities.background(reply: "\u{1B}]11;rgb:00/00/00\u{07}", environment: [:]) == .dark)
        #expect(Capabilities.background(reply: "\u{1B}]11;rgb:fdf6/e3e3/c0c0\u{1B}\\", environment: [:]) == .light, "solarized light")
        #expect(Capabilities.background(reply: "\u{1B}]11;rgb:2828/2c2c/3434\u{1B}\\", environment: [:]) == .dark)
        #expect(Capabilities.background(reply: "\u{1B}]11;rgb:zz/00/00\u{07}", environment: [:]) == nil)
        #expect(Capabilities.background(reply: nil, environment: ["COLORFGBG": "0;15"]) == .light)
        #expect(Capabilities.background(reply: nil, environment: ["COLORFGBG": "15;default;0"]) == .dark)
        #expect(Capabilities.background(reply: nil, environment: ["COLORFGBG": "15;7"]) == .light)
        #expect(Capabilities.background(reply: nil, environment: [:]) == nil)
        let utf8 = ["TERM": "xterm-256color", "LANG": "C.UTF-8"]
        func mode(_ env: [String: String], da1: String? = nil, kitty: Bool = false, tmux: Bool = false) -> GraphicsMode {
            Capabilities.graphics(environment: utf8.merging(env) { $1 }, da1: da1, kitty: kitty, insideTmux: tmux, tmuxPassthrough: tmux)
        }
        #expect(mode([:], da1: "\u{1B}[?62;4c", kitty: true) == .kitty, "kitty first")
        #expect(mode(["TERM_PROGRAM": "iTerm.app"], da1: "\u{1B}[?62;4c") == .iterm, "then iTerm2, then sixel")
        #expect(mode(["TERM_PROGRAM": "vscode"]) == .iterm)
        #expect(mode(["LC_TERMINAL": "iTerm2"]) == .iterm)
        #expect(mode([:], da1: "\u{1B}[?62;4c") == .sixel)
        #expect(mode(["TERM_PROGRAM": "iTerm.app"], da1: "\u{1B}[?62;4c", tmux: true) == .sixel, "inside tmux no iTerm2")
        #expect(mode([:], da1: "\u{1B}[?62;4c", kitty: true, tmux: true) == .kitty, "kitty answered through tmux")
        #expect(
            Capabilities.graphics(environment: utf8, da1: nil, kitty: true, insideTmux: true, tmuxPassthrough: false) == .blocks(.block),
            "without passthrough nothing reaches the outer terminal")
        #expect(mode(["LANG": "C", "TERM_PROGRAM": "iTerm.app"]) == .ascii)
        #expect(GraphicsMode(name: "kitty") == .kitty && GraphicsMode(name: "iterm2") == .iterm)
    }

    @Test("tmux passthrough doubles every ESC inside the wrapper")
    func tmux() {
        let wrapped = TmuxPassthrough.wrap(Array("\u{1B}P0;1;0q#0~\u{1B}\\".utf8))
        #expect(String(decoding: wrapped, as: UTF8.self) == "\u{1B}Ptmux;\u{1B}\u{1B}P0;1;0q#0~\u{1B}\u{1B}\\\u{1B}\\")
    }

    /// A pseudo-terminal pair through /dev/ptmx (posix_openpt and friends are not imported).
    static func pseudoTerminal() throws -> (Int32, Int32) {
        let primary = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        guard primary >= 0 else { throw POSIXError(.ENXIO) }
        var unlock: Int32 = 0, number: UInt32 = 0
        // TIOCSPTLCK and TIOCGPTN (Linux, asm-generic/ioctls.h): function-like macros Swift cannot import.
        guard ioctl(primary, 0x4004_5431, &unlock) == 0, ioctl(primary, 0x8004_5430, &number) == 0 else { throw POSIXError(.ENXIO) }
        let secondary = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        guard secondary >= 0 else { throw POSIXError(.ENXIO) }
        return (primary, secondary)
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

struct POSIXError: Error {
    enum Code { case ENXIO }
    init(_ code: Code) {}
}

/// A thread that waits for the query on the pseudo-terminal's primary side and writes a reply.
final class Thread_answer: @unchecked Sendable {
    private var thread = pthread_t()

    init(primary: Int32, reply: String) {
        final class Box: @unchecked Sendable {
            let primary: Int32
            let reply: [UInt8]
            init(_ p: Int32, _ r: [UInt8]) { primary = p; reply = r }
        }
        let box = Unmanaged.passRetained(Box(primary, Array(reply.utf8))).toOpaque()
        pthread_create(
            &thread, nil,
            { raw in
                let box = Unmanaged<AnyObject>.fromOpaque(raw!).takeRetainedValue() as! Box
                var buffer = [UInt8](repeating: 0, count: 64)
                var poller = pollfd(fd: box.primary, events: Int16(POLLIN), revents: 0)
                if poll(&poller, 1, 2000) > 0 { _ = read(box.primary, &buffer, 64) }
                _ = box.reply.withUnsafeBytes { write(box.primary, $0.baseAddress, $0.count) }
                return nil
            }, box)
    }

    func join() { pthread_join(thread, nil) }
}
