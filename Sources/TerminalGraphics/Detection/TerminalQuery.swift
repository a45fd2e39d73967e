internal import Glibc

/// Asks the terminal about itself: its background colour (OSC 11), whether it speaks kitty's
/// graphics protocol, Primary Device Attributes (sixel?), cell size in pixels (TIOCGWINSZ, else
/// `CSI 16 t`), and whether tmux passes graphics through.
///
/// Never blocks for long: the queries are sent together with DA1 last, which every terminal
/// answers, so its reply ends the wait; a terminal that answers nothing costs `timeout` once.
public enum TerminalQuery {
    /// Detects capabilities on the controlling terminal (`/dev/tty`), or from the environment alone
    /// when there is none. `forced` overrides the graphics mode.
    public static func detect(environment: [String: String], timeoutMilliseconds: Int = 150, forced: GraphicsMode? = nil) -> Capabilities {
        let channel = TTYChannel(path: "/dev/tty")
        return detect(
            channel: channel, environment: environment, timeoutMilliseconds: timeoutMilliseconds, forced: forced,
            tmuxPassthrough: tmuxAllowsPassthrough(environment))
    }

    /// The same on a given channel (tests use a pseudo-terminal), with tmux's setting given.
    public static func detect(
        channel: TTYChannel?, environment: [String: String], timeoutMilliseconds: Int, forced: GraphicsMode? = nil,
        tmuxPassthrough: Bool = false
    ) -> Capabilities {
        let insideTmux = !(environment["TMUX"] ?? "").isEmpty
        var da1: String?
        var kitty = false
        var background: Capabilities.Background?
        var cell: CellSize?
        var size: (columns: Int, rows: Int)?
        if let channel {
            if let window = channel.windowSize() {
                size = (window.columns, window.rows)
                if window.xPixels > 0, window.yPixels > 0, window.columns > 0, window.rows > 0 {
                    cell = CellSize(width: window.xPixels / window.columns, height: window.yPixels / window.rows)
                }
            }
            if let reply = channel.ask(
                query(insideTmux: insideTmux, tmuxPassthrough: tmuxPassthrough), until: UInt8(ascii: "c"),
                timeoutMilliseconds: timeoutMilliseconds)
            {
                let text = String(decoding: reply, as: UTF8.self)
                da1 = text.contains("[?") ? text : nil
                kitty = KittyGraphics.answered(text)
                background = Capabilities.background(reply: text, environment: [:])
                if cell == nil { cell = Capabilities.cellSize(fromReply: text) }
            }
        }
        let graphics =
            forced
            ?? Capabilities.graphics(
                environment: environment, da1: da1, kitty: kitty, insideTmux: insideTmux, tmuxPassthrough: tmuxPassthrough)
        return Capabilities(
            graphics: graphics, colors: Capabilities.colors(environment: environment), cell: cell ?? .fallback,
            columns: size?.columns, rows: size?.rows, tmuxPassthrough: insideTmux && tmuxPassthrough,
            background: background ?? Capabilities.background(reply: nil, environment: environment)
        )
    }

    /// What is asked: the background (OSC 11: tmux answers it for the outer terminal), the kitty
    /// graphics query, the cell size, and DA1 last: every terminal answers DA1, so its reply ends
    /// the wait whether or not the others were understood. Inside tmux with passthrough all but
    /// OSC 11 go to the outer terminal, and tmux hands its replies (kitty's too) back; without
    /// passthrough nothing of the outer terminal's matters but its background.
    static func query(insideTmux: Bool, tmuxPassthrough: Bool) -> [UInt8] {
        let ask = KittyGraphics.query + Array("\u{1B}[16t\u{1B}[c".utf8)
        let outer = !insideTmux ? ask : tmuxPassthrough ? TmuxPassthrough.wrap(ask) : Array("\u{1B}[16t\u{1B}[c".utf8)
        return Array("\u{1B}]11;?\u{1B}\\".utf8) + outer
    }

    /// Whether `tmux show -gv allow-passthrough` says `on` or `all`.
    static func tmuxAllowsPassthrough(_ environment: [String: String]) -> Bool {
        guard !(environment["TMUX"] ?? "").isEmpty else { return false }
        let value = tmux("show -gv allow-passthrough")
        return value == "on" || value == "all"
    }

    /// Whether pictures can be shown in tmux pane `pane` (`TMUX_PANE`, `%N`): its window is its
    /// session's current one, the session is attached, and it is the active pane — tmux draws
    /// what passes through at the outer terminal's cursor, which sits in the active pane. kitty
    /// pictures sit in the outer terminal's own layer, which tmux does not clear when another
    /// window comes up, and tmux passes nothing through for a pane that is not on screen: the
    /// studio then deletes its pictures on the terminals of the session's clients
    /// (`tmuxClientTerminals`). Nil when tmux cannot say.
    public static func tmuxPaneVisible(_ pane: String) -> Bool? {
        guard let pane = tmuxTarget(pane),
            let value = tmux("display -p -t '\(pane)' '#{window_active}#{?session_attached,1,0}#{pane_active}'")
        else { return nil }
        return value == "111"
    }

    /// The terminals (`/dev/pts/N`) of the clients attached to pane `pane`'s session.
    public static func tmuxClientTerminals(_ pane: String) -> [String] {
        guard let pane = tmuxTarget(pane), let session = tmux("display -p -t '\(pane)' '#{session_id}'") else { return [] }
        return tmuxLines("list-clients -F '#{session_id} #{client_tty}'").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            return parts.count == 2 && parts[0] == session && parts[1].hasPrefix("/dev/") ? parts[1] : nil
        }
    }

    /// A pane id fit for a shell command (`%` and digits), or nil.
    private static func tmuxTarget(_ pane: String) -> String? {
        guard pane.first == "%", pane.count > 1, pane.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return pane
    }

    /// The first line tmux prints for `arguments`, or nil.
    private static func tmux(_ arguments: String) -> String? { tmuxLines(arguments).first }

    /// The lines tmux prints for `arguments` (at most 64, of at most 255 bytes).
    private static func tmuxLines(_ arguments: String) -> [String] {
        guard let pipe = popen("tmux \(arguments) 2>/dev/null", "r") else { return [] }
        defer { pclose(pipe) }
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while lines.count < 64, fgets(&buffer, 256, pipe) != nil {
            lines.append(
                String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self).trimmingNewline())
        }
        return lines
    }
}

/// Wraps escape sequences for tmux so they reach the outer terminal: `ESC P tmux; … ESC \`, with
/// every ESC inside doubled.
public enum TmuxPassthrough {
    public static func wrap(_ bytes: [UInt8]) -> [UInt8] {
        var out = Array("\u{1B}Ptmux;".utf8)
        out.reserveCapacity(bytes.count + bytes.count / 64 + 16)
        for b in bytes {
            if b == 0x1B { out.append(0x1B) }
            out.append(b)
        }
        out += Array("\u{1B}\\".utf8)
        return out
    }
}

/// Owns a terminal file descriptor; switches it to raw mode only while asking, and restores it.
public final class TTYChannel {
    private let fd: Int32
    private let owned: Bool

    /// Opens a terminal device; `nil` when there is none (no controlling terminal, not a tty).
    public init?(path: String) {
        let fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard isatty(fd) == 1 else {
            close(fd)
            return nil
        }
        self.fd = fd
        owned = true
    }

    /// Uses a descriptor someone else owns (a pseudo-terminal in tests); it is not closed here.
    public init?(borrowing fd: Int32) {
        guard isatty(fd) == 1 else { return nil }
        self.fd = fd
        owned = false
    }

    deinit { if owned { close(fd) } }

    struct WindowSize {
        var columns: Int, rows: Int, xPixels: Int, yPixels: Int
    }

    func windowSize() -> WindowSize? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 else { return nil }
        return WindowSize(columns: Int(size.ws_col), rows: Int(size.ws_row), xPixels: Int(size.ws_xpixel), yPixels: Int(size.ws_ypixel))
    }

    /// Writes `query` and collects the reply until a byte equal to `terminator` that ends a CSI
    /// sequence, or until `timeoutMilliseconds` pass. `nil` when nothing came back.
    func ask(_ query: [UInt8], until terminator: UInt8, timeoutMilliseconds: Int) -> [UInt8]? {
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(fd, TCSANOW, &raw) == 0 else { return nil }
        defer { tcsetattr(fd, TCSANOW, &saved) }
        let written = query.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == query.count else { return nil }
        var reply: [UInt8] = []
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let end = Int(deadline.tv_sec) * 1000 + Int(deadline.tv_nsec) / 1_000_000 + timeoutMilliseconds
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let left = end - (Int(now.tv_sec) * 1000 + Int(now.tv_nsec) / 1_000_000)
            if left <= 0 { break }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(left))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { break }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            reply += buffer[0..<n]
            // Done once the DA1 reply (ESC [ ? … c) has arrived.
            if let q = reply.lastIndex(of: UInt8(ascii: "?")), reply[q...].contains(terminator) { break }
        }
        // Drain anything late so it does not show up as typed input.
        tcflush(fd, TCIFLUSH)
        return reply.isEmpty ? nil : reply
    }
}

extension String {
    fileprivate func trimmingNewline() -> String {
        var s = self
        while let last = s.last, last == "\n" || last == "\r" || last == " " { s.removeLast() }
        return s
    }
}
