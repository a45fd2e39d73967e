internal import CNCursesW
internal import Foundation
public import TerminalGraphics

/// Runs the studio on the process's terminal until the user quits. The terminal is restored on
/// every way out: q, Ctrl-C (a key in raw mode), SIGTERM/SIGHUP/SIGINT from outside, and a crash
/// (the fatal-signal handler calls `endwin` before the default action).
public enum Studio {
    public struct Options: Sendable {
        public var workspace: String
        public var theme: Theme
        public var colors: ColorMode
        /// Forced preview mode, or nil to detect.
        public var graphics: AppState.Graphics?
        public var executable: String

        public init(workspace: String, theme: Theme, colors: ColorMode, graphics: AppState.Graphics?, executable: String) {
            self.workspace = workspace
            self.theme = theme
            self.colors = colors
            self.graphics = graphics
            self.executable = executable
        }
    }

    /// Runs the studio; returns the signal that ended it (SIGTERM, SIGHUP, SIGINT from outside),
    /// or nil when the user quit. The caller exits with 128 + that signal, as shells expect.
    public static func run(_ options: Options) throws(TUIError) -> Int32? {
        let data = try StudioData(workspace: options.workspace)
        // Detection talks to the terminal, so it happens before ncurses takes it over.
        let environment = ProcessInfo.processInfo.environment
        let capabilities = TerminalQuery.detect(environment: environment)
        let sixel = capabilities.graphics == .sixel
        let detected: AppState.Graphics
        switch capabilities.graphics {
        case .sixel: detected = .sixel
        case .blocks: detected = .blocks
        case .ascii: detected = .ascii
        }
        let app = App(
            data: data, colors: options.colors, graphics: options.graphics ?? detected, sixelAvailable: sixel || options.graphics == .sixel,
            executable: options.executable, cell: capabilities.cell)
        let terminal = try CursesTerminal(theme: options.theme, colors: options.colors)
        terminal.tmuxPassthrough = !(environment["TMUX"] ?? "").isEmpty && capabilities.tmuxPassthrough
        installSignalHandlers()
        defer {
            terminal.close()
            restoreSignalHandlers()
        }
        app.startIndexing()
        loop(app, terminal)
        return stopSignal == 0 ? nil : Int32(stopSignal)
    }

    static func loop(_ app: App, _ terminal: CursesTerminal) {
        var last: Frame?
        var lastSixel: SixelPlacementInfo?
        var dirty = true
        while !app.state.quitting, stopSignal == 0 {
            if dirty {
                let size = terminal.size
                let (frame, sixel) = app.compose(width: size.width, height: size.height)
                if frame != last || sixel != lastSixel {
                    // A sixel image is pixels ncurses does not know about: clear the screen
                    // whenever anything changes while one is shown, then draw it again.
                    if lastSixel != nil { terminal.invalidate() }
                    terminal.draw(frame)
                    if let sixel { terminal.writeSixel(sixel) }
                    last = frame
                    lastSixel = sixel
                }
                dirty = false
            }
            if let key = terminal.key() {
                if key == .resize { last = nil }
                app.handle(key)
                dirty = true
            }
            if app.poll() { dirty = true }
        }
    }

    // MARK: Signals

    private static let fatal: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    private static func installSignalHandlers() {
        // A launcher may have left these blocked (children inherit the mask): resizes and
        // SIGTERM would then never arrive.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGWINCH] { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for signal in [SIGINT, SIGTERM, SIGHUP] { Foundation.signal(signal) { number in stopSignal = number } }
        for signal in fatal {
            Foundation.signal(signal) { number in
                endwin()
                Foundation.signal(number, SIG_DFL)
                raise(number)
            }
        }
    }

    private static func restoreSignalHandlers() {
        for signal in [SIGINT, SIGTERM, SIGHUP] + fatal { Foundation.signal(signal, SIG_DFL) }
    }
}

/// The signal (SIGINT/SIGTERM/SIGHUP) that asked the studio to stop, else 0; the loop ends and the
/// terminal is restored.
nonisolated(unsafe) private var stopSignal: sig_atomic_t = 0
