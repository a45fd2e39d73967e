internal import CNCursesW
internal import Foundation
internal import StudioCore
internal import TerminalGraphics

/// The one owner of the ncurses session: starts it, copies frames to the screen, reads keys,
/// and restores the terminal in `close()` (called on every exit path, signals included).
final class CursesTerminal {
    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private let colors: ColorMode
    private let theme: Theme
    /// Colour pairs by (foreground, background) colour numbers; roles and preview colours share it.
    private var pairs: [Int64: Int16] = [:]
    private var nextPair: Int16 = 1
    private var closed = false
    /// Inside tmux with `allow-passthrough on`: sixel bytes go wrapped in tmux's DCS.
    var tmuxPassthrough = false
    private var input: UnsafeMutablePointer<FILE>?
    private var output: UnsafeMutablePointer<FILE>?

    /// Starts ncurses on the process's terminal, or headless on `/dev/null` for tests
    /// (INTEROP.md item 9: `newterm` with an explicit terminal type, 80×24).
    init(theme: Theme, colors: ColorMode, headless: Bool = false, headlessTerm: String = "xterm-256color") throws(TUIError) {
        setlocale(LC_ALL, "")
        let term = headless ? headlessTerm : (ProcessInfo.processInfo.environment["TERM"] ?? "xterm")
        if headless {
            output = cncursesw_fopen("/dev/null", "w")
            input = cncursesw_fopen("/dev/null", "r")
        } else {
            output = fdopen(dup(STDOUT_FILENO), "w")
            input = fdopen(dup(STDIN_FILENO), "r")
        }
        guard let screen = newterm(term, output, input) else {
            throw TUIError(.terminal, "this terminal (TERM=\(term.terminalSafe)) is unknown to ncurses; try TERM=xterm-256color")
        }
        self.screen = screen
        window = cncursesw_stdscr()!
        self.theme = theme
        self.colors = colors
        raw()
        noecho()
        keypad(window, true)
        curs_set(0)
        wtimeout(window, 50)
        if colors != .none, has_colors() {
            start_color()
            use_default_colors()
        }
        if !headless { mousemask(cncursesw_button1_clicked() | cncursesw_button4_pressed() | cncursesw_button5_pressed(), nil) }
    }

    deinit { close() }

    /// Ends the session and restores the terminal (idempotent).
    func close() {
        guard !closed else { return }
        closed = true
        for id in kittyShown { write(passthrough(KittyGraphics.delete(id: id))) }
        endwin()
        delscreen(screen)
        if let output { fclose(output) }
        if let input { fclose(input) }
    }

    var size: (width: Int, height: Int) {
        (Int(getmaxx(window)), Int(getmaxy(window)))
    }

    /// Copies `frame` to the screen and shows it.
    func draw(_ frame: Frame) {
        werase(window)
        for y in 0..<min(frame.height, size.height) {
            var x = 0
            while x < min(frame.width, size.width) {
                // One run of cells with the same style at a time.
                let style = frame[x, y].style
                var text = ""
                var end = x
                while end < min(frame.width, size.width), frame[end, y].style == style {
                    text.append(frame[end, y].character)
                    end += 1
                }
                // The screen's last cell: writing it would scroll; skip it.
                if y == size.height - 1, end == size.width { text = String(text.dropLast()) }
                wattr_set(window, attributes(style), pair(style), nil)
                mvwaddstr(window, Int32(y), Int32(x), text)
                x = end
            }
        }
        wrefresh(window)
    }

    /// The character ncurses holds at a cell (headless tests read the screen back this way).
    func character(x: Int, y: Int) -> Character? {
        var cell = cchar_t()
        guard mvwin_wch(window, Int32(y), Int32(x), &cell) == OK else { return nil }
        var text = [wchar_t](repeating: 0, count: 8)
        var attributes: attr_t = 0
        var pair: Int16 = 0
        guard getcchar(&cell, &text, &attributes, &pair, nil) == OK, let scalar = UnicodeScalar(UInt32(bitPattern: text[0])) else {
            return nil
        }
        return Character(scalar)
    }

    /// Makes the next `draw` repaint every cell (erasing sixel pixels ncurses does not know of).
    func invalidate() { clearok(window, true) }

    /// Draws `frame` and then `pictures` over it, removing `previous` cleanly. Sixel and iTerm2
    /// pictures become the cells' content, which ncurses does not know of: while one is up, any
    /// change repaints every cell and the pictures again. kitty pictures sit in a layer above the
    /// text: they are deleted (`a=d`) and sent again only when they change, on a resize, or when
    /// the cells under them are about to be drawn over (an overlay: `pictures` is empty).
    func show(_ frame: Frame, pictures: [PicturePlacement], replacing previous: [PicturePlacement], resized: Bool) {
        let kittyBefore = previous.contains { $0.mode == .kitty }
        let cellBound = previous.contains { $0.mode != .kitty }
        let changed = pictures != previous || resized
        if kittyBefore, changed {
            // Ours only, by id: another program's pictures in the same terminal stay.
            for id in previous.compactMap(\.kittyID) { write(passthrough(KittyGraphics.delete(id: id))) }
            kittyShown.subtract(previous.compactMap(\.kittyID))
        }
        if cellBound { invalidate() }
        draw(frame)
        for picture in pictures where picture.mode != .kitty || changed || !kittyBefore {
            var bytes = Array("\u{1B}7\u{1B}[\(picture.y + 1);\(picture.x + 1)H".utf8)
            // Pixels pass through tmux to the outer terminal; 24-bit text cells are for tmux itself.
            bytes += picture.mode.isPixels ? passthrough(picture.bytes) : picture.bytes
            bytes += Array("\u{1B}8".utf8)
            write(bytes)
            if picture.mode == .kitty, let id = picture.kittyID { kittyShown.insert(id) }
        }
    }

    /// Deletes the kitty pictures up straight on `terminals` (the tmux clients' own, as tmux
    /// passes nothing through for a pane that is not on screen); the next `show` sends them again.
    func deletePictures(on terminals: [String]) {
        let bytes = kittyShown.flatMap { KittyGraphics.delete(id: $0) }
        guard !bytes.isEmpty else { return }
        for path in terminals {
            let fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else { continue }
            _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            Glibc.close(fd)
        }
        kittyShown = []
    }

    /// Bytes for the outer terminal, wrapped for tmux when the studio runs inside it.
    private func passthrough(_ bytes: [UInt8]) -> [UInt8] { tmuxPassthrough ? TmuxPassthrough.wrap(bytes) : bytes }

    /// The kitty pictures up: `close` deletes them (they would stay on the screen after exit).
    private var kittyShown: Set<Int> = []

    /// Writes bytes straight to the terminal, after what ncurses has buffered.
    private func write(_ bytes: [UInt8]) {
        guard let output else { return }
        fflush(output)
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, output) }
        fflush(output)
    }

    /// The next key, or nil after the input timeout (50 ms) so the caller can poll for results.
    func key() -> Key? {
        var value: wint_t = 0
        let status = wget_wch(window, &value)
        if status == ERR { return nil }
        if status == KEY_CODE_YES { return Self.functionKey(Int32(value), window: window) }
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return escapeOrSequence()
        case 8, 127: return .backspace
        case 1...26: return .control(Character(UnicodeScalar(UInt8(value) + 96)))
        default: return UnicodeScalar(value).map { .character(Character($0)) }
        }
    }

    /// A lone Esc, or nil for an escape sequence ncurses does not know — above all a terminal's
    /// late answer to the capability queries (`ESC [ ? 6 2 ; 4 c`), which must not be taken for
    /// key presses (`?`, `6`, `c` …).
    private func escapeOrSequence() -> Key? {
        wtimeout(window, 0)
        defer { wtimeout(window, 50) }
        var value: wint_t = 0
        guard wget_wch(window, &value) != ERR else { return .escape }
        switch value {
        case 0x5B, 0x4F:  // CSI `[`, SS3 `O`: parameters, then one final byte 0x40–0x7E.
            for _ in 0..<64 {
                guard wget_wch(window, &value) != ERR else { return nil }
                if (0x40...0x7E).contains(value) { return nil }
            }
            return nil
        case 0x50, 0x5D, 0x5F:  // DCS `P`, OSC `]`, APC `_`: up to ST (ESC \) or BEL.
            var previous: wint_t = 0
            for _ in 0..<4096 {
                guard wget_wch(window, &value) != ERR else { return nil }
                if value == 7 || (previous == 27 && value == 0x5C) { return nil }
                previous = value
            }
            return nil
        default:
            // Esc and the next key typed quickly: both are keys.
            unget_wch(wchar_t(value))
            return .escape
        }
    }

    private static func functionKey(_ code: Int32, window: UnsafeMutablePointer<WINDOW>) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_NPAGE: return .pageDown
        case KEY_PPAGE: return .pageUp
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_BTAB: return .backTab
        case KEY_BACKSPACE: return .backspace
        case KEY_ENTER: return .enter
        case KEY_RESIZE: return .resize
        case KEY_MOUSE:
            var event = MEVENT()
            guard getmouse(&event) == OK else { return nil }
            if event.bstate & cncursesw_button4_pressed() != 0 { return .wheelUp }
            if event.bstate & cncursesw_button5_pressed() != 0 { return .wheelDown }
            return .click(x: Int(event.x), y: Int(event.y))
        default: return nil
        }
    }

    // MARK: Colours

    private func attributes(_ style: Frame.Style) -> attr_t {
        var a = cncursesw_normal()
        if style.bold { a |= cncursesw_bold() }
        // With colours, reverse rows get explicit colours in `pair` (A_REVERSE would paint the
        // text in the terminal's own background: invisible on a light terminal with a dark theme).
        let colored = colors != .none && has_colors()
        if (style.reverse && !colored) || (!colored && style.role == .gap) { a |= cncursesw_reverse() }
        if style.underline { a |= cncursesw_underline() }
        return a
    }

    private func pair(_ style: Frame.Style) -> Int16 {
        guard colors != .none, has_colors() else { return 0 }
        var foreground = style.foreground.map { colorNumber($0) } ?? colorNumber(theme.colors[style.role], text: true)
        var background = style.background.map { colorNumber($0) } ?? -1
        if style.reverse, style.background == nil, let rgb = theme.colors[style.role] {
            // The role's colour as the background, black or white text on it, whichever reads.
            let luminance = 0.2126 * Double(rgb.r) + 0.7152 * Double(rgb.g) + 0.0722 * Double(rgb.b)
            background = foreground
            foreground = colorNumber(luminance > 128 ? SIMD3<UInt8>(0, 0, 0) : SIMD3<UInt8>(255, 255, 255))
        }
        let key = Int64(foreground) << 32 | Int64(UInt32(bitPattern: background))
        if let known = pairs[key] { return known }
        guard Int(nextPair) < min(Int(cncursesw_color_pairs()), Int(Int16.max)) else { return 0 }
        let number = nextPair
        nextPair += 1
        init_pair(number, Int16(foreground), Int16(background))
        pairs[key] = number
        return number
    }

    private func colorNumber(_ rgb: Theme.RGB?, text: Bool = false) -> Int32 {
        guard let rgb else { return -1 }
        return colorNumber(SIMD3(rgb.r, rgb.g, rgb.b), text: text)
    }

    /// How many colours the terminal has, as terminfo says (8 for `xterm`, `screen`, `linux`).
    var colorCount: Int { Int(cncursesw_colors()) }

    /// Whether the theme is for a dark background (its text is light).
    private var darkTheme: Bool {
        guard let text = theme.colors[.text] else { return true }
        return 0.2126 * Double(text.r) + 0.7152 * Double(text.g) + 0.0722 * Double(text.b) > 128
    }

    /// The nearest colour the terminal has: xterm's 256, the 16 ANSI colours, or the 8 base ones.
    /// Text (a role's colour on the terminal's own background) never gets the background's colour:
    /// in 8 or 16 colours a dark theme's grey would become black on black and vanish.
    func colorNumber(_ c: SIMD3<UInt8>, text: Bool = false) -> Int32 {
        let (r, g, b) = (Int(c.x), Int(c.y), Int(c.z))
        if colorCount >= 256, colors != .palette16, colors != .palette8 { return Int32(ANSIColors.nearest256(r: r, g: g, b: b)) }
        var index = colorCount >= 16 && colors != .palette8 ? ANSIColors.nearest16(r: r, g: g, b: b) : ANSIColors.nearest8(r: r, g: g, b: b)
        if text {
            // Black on a dark theme, white or light grey on a light one: the terminal's background.
            let vanishing: Set<Int> = darkTheme ? [0] : [7, 15]
            if vanishing.contains(index) { index = darkTheme ? (colorCount >= 16 && colors != .palette8 ? 8 : 7) : 0 }
            // Bright black (dark grey) is barely readable on black in many palettes: grey instead.
            if darkTheme, index == 8, colorCount < 16 || colors == .palette8 { index = 7 }
        }
        return Int32(index)
    }
}

/// A TUI failure in words (a terminal ncurses does not know, a workspace that cannot open).
public struct TUIError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case terminal
        case workspace
    }

    public let code: Code
    public var description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
