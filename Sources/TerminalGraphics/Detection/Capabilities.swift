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

    public init(
        graphics: GraphicsMode, colors: ColorMode, cell: CellSize = .fallback, columns: Int? = nil, rows: Int? = nil,
        tmuxPassthrough: Bool = false
    ) {
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

    /// Decides the graphics mode.
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
