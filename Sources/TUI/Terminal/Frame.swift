/// What one screen looks like: a grid of cells, each a character with a theme role and
/// attributes, or a true colour (previews). Views draw into a frame; the terminal copies frames
/// to ncurses, and tests read them back as text.
public struct Frame: Sendable, Equatable {
    public struct Style: Sendable, Hashable {
        public var role: Theme.Role = .text
        public var bold = false
        public var reverse = false
        public var underline = false
        /// Preview pixels: exact colours instead of a role.
        public var foreground: SIMD3<UInt8>?
        public var background: SIMD3<UInt8>?

        public init(
            _ role: Theme.Role = .text, bold: Bool = false, reverse: Bool = false, underline: Bool = false,
            foreground: SIMD3<UInt8>? = nil, background: SIMD3<UInt8>? = nil
        ) {
            self.role = role
            self.bold = bold
            self.reverse = reverse
            self.underline = underline
            self.foreground = foreground
            self.background = background
        }

        public static let text = Style()
    }

    public struct Cell: Sendable, Equatable {
        public var character: Character = " "
        public var style = Style()
    }

    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0, y >= 0, x < width, y < height { cells[y * width + x] = newValue } }
    }

    /// Writes `text` from column `x` of row `y`, clipped at `limit` columns (and the frame's edge).
    /// Names from datasets must be passed through `String.terminalSafe` first; control characters
    /// that slip through are drawn as `?` so nothing reaches the terminal as a control.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .text, limit: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        var column = x
        let end = min(width, limit.map { x + $0 } ?? width)
        for character in text {
            guard column < end else { break }
            let safe: Character =
                character.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) } ? "?" : character
            if column >= 0 { cells[y * width + column] = Cell(character: safe, style: style) }
            column += 1
        }
        return column
    }

    /// Fills a rectangle with one character and style.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ character: Character = " ", style: Style = .text) {
        let rows = max(0, y)..<max(max(0, y), min(height, y + h))
        let columns = max(0, x)..<max(max(0, x), min(width, x + w))
        for row in rows {
            for column in columns { cells[row * width + column] = Cell(character: character, style: style) }
        }
    }

    /// A box outline with an optional title in its top edge.
    public mutating func box(x: Int, y: Int, width w: Int, height h: Int, title: String? = nil, style: Style = Style(.muted)) {
        guard w >= 2, h >= 2 else { return }
        put("┌" + String(repeating: "─", count: w - 2) + "┐", x: x, y: y, style: style)
        for row in (y + 1)..<(y + h - 1) {
            put("│", x: x, y: row, style: style)
            put("│", x: x + w - 1, y: row, style: style)
        }
        put("└" + String(repeating: "─", count: w - 2) + "┘", x: x, y: y + h - 1, style: style)
        if let title, w > 6 { put(" \(title) ", x: x + 2, y: y, style: Style(.heading, bold: true), limit: w - 4) }
    }

    /// Row `y` as plain text, trailing spaces removed (tests).
    public func text(row y: Int) -> String {
        let line = String(cells[(y * width)..<((y + 1) * width)].map(\.character))
        return String(line.reversed().drop { $0 == " " }.reversed())
    }

    /// The whole frame as text, one line per row (tests).
    public var text: String { (0..<height).map { text(row: $0) }.joined(separator: "\n") }
}
