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
        /// Used instead of `theme` when the terminal says its background is light (no theme was
        /// asked for: a dark theme's light grey text is unreadable on plain xterm's white).
        public var lightTheme: Theme?
        public var colors: ColorMode
        /// Forced preview mode, or nil to detect.
        public var graphics: AppState.Graphics?
        public var executable: String

        public init(
            workspace: String, theme: Theme, lightTheme: Theme? = nil, colors: ColorMode, graphics: AppState.Graphics?, executable: String
        ) {
            self.workspace = workspace
            self.theme = theme
            self.lightTheme = lightTheme
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
        let detected = graphics(capabilities.graphics)
        let theme = theme(options, background: capabilities.background)
        let terminal = try CursesTerminal(theme: theme, colors: options.colors)
        // Previews in the colours the terminal really has (terminfo's count: 8 for plain xterm).
        var colors = options.colors
        if colors != .none, terminal.colorCount < 256 { colors = terminal.colorCount >= 16 ? .palette16 : .palette8 }
        let app = App(
            data: data, colors: colors, graphics: options.graphics ?? detected,
            pixelModes: [detected, options.graphics].compactMap { $0 }.filter(\.isPixels), executable: options.executable,
            cell: capabilities.cell)
        app.directColor = colors == .truecolor
        app.setTerminalNote(
            "theme \(theme.name)"
                + (theme == options.lightTheme ? " (light background)" : "") + " · pictures \(app.state.graphics.rawValue)"
                + (app.directColor ? " · 24-bit colour" : ""))
        terminal.tmuxPassthrough = !(environment["TMUX"] ?? "").isEmpty && capabilities.tmuxPassthrough
        installSignalHandlers()
        defer {
            terminal.close()
            restoreSignalHandlers()
        }
        app.startIndexing()
        // Pictures pass through tmux only to the active pane, and kitty's stay on the outer
        // terminal when another tmux window comes up: watch whether the studio's pane is on
        // screen and active.
        let pane = environment["TMUX_PANE"].flatMap { terminal.tmuxPassthrough ? $0 : nil }
        loop(
            app, terminal, paneVisible: pane.map { id in { TerminalQuery.tmuxPaneVisible(id) ?? true } },
            hidden: pane.map { id in { terminal.deletePictures(on: TerminalQuery.tmuxClientTerminals(id)) } })
        return stopSignal == 0 ? nil : Int32(stopSignal)
    }

    static func graphics(_ mode: GraphicsMode) -> AppState.Graphics {
        switch mode {
        case .kitty: .kitty
        case .iterm: .iterm
        case .sixel: .sixel
        case .blocks: .blocks
        case .ascii: .ascii
        }
    }

    /// The theme asked for, or the light one on a terminal that says its background is light.
    static func theme(_ options: Options, background: Capabilities.Background?) -> Theme {
        if background == .light, let light = options.lightTheme { return light }
        return options.theme
    }

    /// Draws and reads keys until the user quits. `paneVisible`, inside tmux, says whether the
    /// studio's pane is on screen and active (asked twice a second): while it is not, pictures are
    /// taken down (kitty's by `hidden`), and everything is drawn anew when it comes back.
    static func loop(_ app: App, _ terminal: CursesTerminal, paneVisible: (() -> Bool)? = nil, hidden: (() -> Void)? = nil) {
        var last: Frame?
        var lastPictures: [PicturePlacement] = []
        var dirty = true
        var visible = true
        var lastCheck = 0.0
        while !app.state.quitting, stopSignal == 0 {
            if let paneVisible, Date().timeIntervalSince1970 - lastCheck >= 0.5 {
                lastCheck = Date().timeIntervalSince1970
                let now = paneVisible()
                if now != visible {
                    visible = now
                    if !visible {
                        hidden?()
                        lastPictures = []
                    }
                    // Back: all of it again.
                    last = nil
                    dirty = true
                }
            }
            if dirty {
                let size = terminal.size
                var (frame, pictures) = app.compose(width: size.width, height: size.height)
                if !visible { pictures = pictures.filter { !$0.mode.isPixels } }
                if frame != last || pictures != lastPictures {
                    terminal.show(frame, pictures: pictures, replacing: lastPictures, resized: last == nil)
                    last = frame
                    lastPictures = pictures
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
