/// What the terminal can show, decided once at start-up.
public struct Capabilities: Sendable, Hashable {
    public var graphics: GraphicsMode
    public var colors: ColorMode
    public var cell: CellSize
    /// Size of the terminal in cells, when known.
    public var columns: Int?
    public var rows: Int?
    /// Inside tmux: whether sixel must be wrapped for passthrough.
    public var tmuxPassthrough: Bool
    /// The terminal's background, when it said (OSC 11) or `COLORFGBG` hinted.
    public var background: Background?

    public enum Background: String, Sendable, Hashable {
        case light, dark
    }

    public init(
        graphics: GraphicsMode, colors: ColorMode, cell: CellSize = .fallback, columns: Int? = nil, rows: Int? = nil,
        tmuxPassthrough: Bool = false, background: Background? = nil
    ) {
        self.background = background
        self.graphics = graphics
        self.colors = colors
        self.cell = cell
        self.columns = columns
        self.rows = rows
        self.tmuxPassthrough = tmuxPassthrough
    }

    /// The colours to use, from `NO_COLOR`, `COLORTERM` and `TERM`.
    public static func colors(environment env: [String: String]) -> ColorMode {
        if let value = env["NO_COLOR"], !value.isEmpty { return .none }
        let term = env["TERM"] ?? ""
        if term.isEmpty || term == "dumb" { return .none }
        if let c = env["COLORTERM"]?.lowercased(), c == "truecolor" || c == "24bit" { return .truecolor }
        if term.hasSuffix("-direct") { return .truecolor }
        if term.contains("256color") { return .palette256 }
        return .palette16
    }

    /// Terminals known to draw sixel, by `TERM_PROGRAM` or `TERM`, for when they cannot be asked.
    static let sixelTerminals: Set<String> = ["mlterm", "wezterm", "foot", "contour", "yaft-256color", "mintty", "konsole", "blackbox"]

    /// The background from an OSC 11 reply (`ESC ] 11 ; rgb:RRRR/GGGG/BBBB ST`, 1–4 hex digits a
    /// channel), else from `COLORFGBG` (`fg;bg`, or `fg;default;bg`: ANSI 7 and 9–15 are light).
    public static func background(reply: String?, environment env: [String: String]) -> Background? {
        if let reply, let body = between(reply, "]11;rgb:", "\u{1B}") ?? between(reply, "]11;rgb:", "\u{07}") {
            let channels = body.split(separator: "/").map { part -> Double? in
                guard (1...4).contains(part.count), let v = Int(part, radix: 16) else { return nil }
                return Double(v) / Double((1 << (4 * part.count)) - 1)
            }
            if channels.count == 3, let r = channels[0], let g = channels[1], let b = channels[2] {
                return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 ? .light : .dark
            }
        }
        if let hint = env["COLORFGBG"], let last = hint.split(separator: ";").last, let bg = Int(last), (0...15).contains(bg) {
            return bg == 7 || bg >= 9 ? .light : .dark
        }
        return nil
    }

    /// Terminals known to show iTerm2 inline images, by `TERM_PROGRAM` (or `LC_TERMINAL`).
    static let itermTerminals: Set<String> = ["iterm.app", "iterm2", "vscode", "tabby", "mintty"]

    /// Decides the graphics mode, in the order yazi and timg prefer: kitty (the terminal answered
    /// the kitty query), iTerm2 inline images (a terminal known to show them), sixel (DA1 has 4,
    /// or a terminal known to draw it), blocks, ASCII. Inside tmux pictures reach the outer
    /// terminal only with `allow-passthrough`: kitty when it answered the query sent through, else
    /// sixel (iTerm2's are not asked for there).
    public static func graphics(
        environment env: [String: String], da1: String?, kitty: Bool, insideTmux: Bool, tmuxPassthrough: Bool
    ) -> GraphicsMode {
        let fallback = graphics(environment: env, da1: da1, insideTmux: insideTmux, tmuxPassthrough: tmuxPassthrough)
        guard fallback != .ascii else { return fallback }
        if insideTmux { return kitty && tmuxPassthrough ? .kitty : fallback }
        if kitty { return .kitty }
        let program = (env["TERM_PROGRAM"] ?? env["LC_TERMINAL"] ?? "").lowercased()
        if itermTerminals.contains(program) { return .iterm }
        if program == "wezterm" || program == "ghostty" || (env["TERM"] ?? "") == "xterm-kitty" { return .kitty }
        return fallback
    }

    /// Decides the graphics mode among sixel, blocks and ASCII.
    /// - Parameters:
    ///   - da1: the terminal's Primary Device Attributes reply (`ESC [ ? 62 ; 4 ; … c`), or `nil`
    ///     when it did not answer in time; parameter 4 means sixel.
    ///   - insideTmux: `TMUX` is set; sixel then needs `allow-passthrough` (`tmuxPassthrough`).
    public static func graphics(environment env: [String: String], da1: String?, insideTmux: Bool, tmuxPassthrough: Bool) -> GraphicsMode {
        let term = env["TERM"] ?? ""
        let locale =
            (env["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 } ?? env["LC_CTYPE"].flatMap { $0.isEmpty ? nil : $0 } ?? env["LANG"] ?? "")
            .lowercased()
        let unicode = locale.isEmpty || locale.contains("utf-8") || locale.contains("utf8")
        if term == "dumb" || !unicode { return .ascii }
        let blocks: GraphicsMode = term == "linux" ? .blocks(.half) : .blocks(.block)
        if insideTmux && !tmuxPassthrough { return blocks }
        if let da1 {
            return deviceAttributes(da1).contains(4) ? .sixel : blocks
        }
        let program = (env["TERM_PROGRAM"] ?? "").lowercased()
        if sixelTerminals.contains(program) || sixelTerminals.contains(term) { return .sixel }
        return blocks
    }

    /// The numeric parameters of a DA1 reply `ESC [ ? p1 ; p2 ; … c`.
    public static func deviceAttributes(_ reply: String) -> [Int] {
        guard let body = between(reply, "[?", "c") else { return [] }
        return body.split(separator: ";").compactMap { Int($0) }
    }

    /// Cell size from a `CSI 16 t` reply `ESC [ 6 ; height ; width t`.
    public static func cellSize(fromReply reply: String) -> CellSize? {
        guard let body = between(reply, "[6;", "t") else { return nil }
        let numbers = body.split(separator: ";").compactMap { Int($0) }
        guard numbers.count == 2, numbers[0] > 0, numbers[1] > 0 else { return nil }
        return CellSize(width: numbers[1], height: numbers[0])
    }

    /// The text after the first `opening` up to the next `closing`.
    static func between(_ text: String, _ opening: String, _ closing: Character) -> Substring? {
        let chars = Array(text)
        let open = Array(opening)
        guard chars.count >= open.count else { return nil }
        for i in 0...(chars.count - open.count) where Array(chars[i..<(i + open.count)]) == open {
            let start = text.index(text.startIndex, offsetBy: i + open.count)
            guard let end = text[start...].firstIndex(of: closing) else { return nil }
            return text[start..<end]
        }
        return nil
    }
}
