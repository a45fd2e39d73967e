/// One character cell: a character and its colours (sRGB), `nil` meaning the terminal's default.
public struct TerminalCell: Sendable, Hashable {
    public var character: Unicode.Scalar
    public var foreground: SIMD3<UInt8>?
    public var background: SIMD3<UInt8>?

    public init(_ character: Unicode.Scalar, foreground: SIMD3<UInt8>? = nil, background: SIMD3<UInt8>? = nil) {
        self.character = character
        self.foreground = foreground
        self.background = background
    }
}

/// Text-mode output (Unicode blocks or ASCII): a grid of cells that ncurses can draw directly or
/// that `ansi(colors:)` serializes for a plain terminal.
public struct CellGrid: Sendable, Hashable {
    public let columns: Int
    public let rows: Int
    /// Row-major, `columns * rows` cells.
    public var cells: [TerminalCell]

    public init(columns: Int, rows: Int, cells: [TerminalCell]) {
        precondition(cells.count == columns * rows, "cell count mismatch")
        self.columns = columns
        self.rows = rows
        self.cells = cells
    }

    public subscript(column: Int, row: Int) -> TerminalCell {
        get { cells[row * columns + column] }
        set { cells[row * columns + column] = newValue }
    }

    /// The grid as text with SGR colour sequences for `colors` (none for `.none`), each row
    /// ending with a reset and a newline. SGR is written only when a colour changes.
    public func ansi(colors: ColorMode) -> String { String(decoding: ansiBytes(colors: colors), as: UTF8.self) }

    /// The same as UTF-8 bytes, built without intermediate strings.
    public func ansiBytes(colors: ColorMode) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(columns * rows * (colors == .none ? 3 : 24) + rows * 8)
        func number(_ n: Int) {
            if n >= 100 { out.append(UInt8(48 + n / 100)) }
            if n >= 10 { out.append(UInt8(48 + n / 10 % 10)) }
            out.append(UInt8(48 + n % 10))
        }
        func color(_ c: SIMD3<UInt8>?, background: Bool) {
            guard let c else {
                out += background ? [52, 57] : [51, 57]  // "49" / "39"
                return
            }
            let (r, g, b) = (Int(c.x), Int(c.y), Int(c.z))
            switch colors {
            case .truecolor:
                number(background ? 48 : 38)
                out += [59, 50, 59]  // ";2;"
                number(r)
                out.append(59)
                number(g)
                out.append(59)
                number(b)
            case .palette256:
                number(background ? 48 : 38)
                out += [59, 53, 59]  // ";5;"
                number(ANSIColors.nearest256(r: r, g: g, b: b))
            case .palette16:
                let i = ANSIColors.nearest16(r: r, g: g, b: b)
                number((i < 8 ? 30 : 90) + (background ? 10 : 0) + i % 8)
            case .palette8:
                number(30 + (background ? 10 : 0) + ANSIColors.nearest8(r: r, g: g, b: b))
            case .none:
                break
            }
        }
        for row in 0..<rows {
            var foreground: SIMD3<UInt8>?? = .none
            var background: SIMD3<UInt8>?? = .none
            for column in 0..<columns {
                let cell = cells[row * columns + column]
                if colors != .none {
                    let fgChanged = foreground != .some(cell.foreground), bgChanged = background != .some(cell.background)
                    if fgChanged || bgChanged {
                        out += [0x1B, 0x5B]  // ESC [
                        if fgChanged { color(cell.foreground, background: false) }
                        if fgChanged && bgChanged { out.append(59) }
                        if bgChanged { color(cell.background, background: true) }
                        out.append(0x6D)  // m
                        foreground = .some(cell.foreground)
                        background = .some(cell.background)
                    }
                }
                UTF8.encode(cell.character) { out.append($0) }
            }
            if colors != .none { out += [0x1B, 0x5B, 0x30, 0x6D] }
            out.append(0x0A)
        }
        return out
    }

    /// Writes `text` into the grid from `(column, row)`, clipped at the right edge, in the given colours.
    mutating func write(_ text: String, column: Int, row: Int, foreground: SIMD3<UInt8>?, background: SIMD3<UInt8>?) {
        guard row >= 0, row < rows else { return }
        for (i, scalar) in text.unicodeScalars.enumerated() where column + i >= 0 && column + i < columns {
            self[column + i, row] = TerminalCell(scalar, foreground: foreground, background: background)
        }
    }
}
