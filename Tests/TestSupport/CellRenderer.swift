import Foundation
public import StudioCore

/// Renders terminal text (SGR colours + block characters) back into pixels, as a terminal would
/// with a font whose block elements fill their cell exactly. An oracle independent of our
/// encoders, for tests and for comparing block output with chafa's in the benchmark.
public enum CellRenderer {
    /// Pixels per cell of the rendering: 1:2 like a real cell; divides halves, quadrants and eighths
    /// exactly (sextant rows split 5/6/5 pixels).
    public static let cellWidth = 8
    public static let cellHeight = 16

    public struct Cell: Equatable {
        public var character: Unicode.Scalar
        public var foreground: (UInt8, UInt8, UInt8)
        public var background: (UInt8, UInt8, UInt8)

        public static func == (a: Cell, b: Cell) -> Bool {
            a.character == b.character && a.foreground == b.foreground && a.background == b.background
        }
    }

    /// Parses text into rows of cells. Default colours: white on black.
    public static func parse(
        _ text: String, defaultForeground: (UInt8, UInt8, UInt8) = (255, 255, 255), defaultBackground: (UInt8, UInt8, UInt8) = (0, 0, 0)
    ) -> [[Cell]] {
        var rows: [[Cell]] = [[]]
        var fg = defaultForeground, bg = defaultBackground
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            if s == "\u{1B}", i + 1 < scalars.count, scalars[i + 1] == "[" {
                var j = i + 2
                var params = ""
                while j < scalars.count, !(("@"..."~").contains(scalars[j])) {
                    params.unicodeScalars.append(scalars[j])
                    j += 1
                }
                if j < scalars.count, scalars[j] == "m" {
                    apply(params, &fg, &bg, defaultForeground, defaultBackground)
                }
                i = j + 1
                continue
            }
            if s == "\n" {
                rows.append([])
            } else if s != "\r" {
                rows[rows.count - 1].append(Cell(character: s, foreground: fg, background: bg))
            }
            i += 1
        }
        while let last = rows.last, last.isEmpty { rows.removeLast() }
        return rows
    }

    /// RGB pixels, `columns * cellWidth` × `rows * cellHeight`.
    public static func render(_ rows: [[Cell]]) -> Image {
        let columns = rows.map(\.count).max() ?? 0
        let width = columns * cellWidth, height = rows.count * cellHeight
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for (r, row) in rows.enumerated() {
            for (c, cell) in row.enumerated() {
                for py in 0..<cellHeight {
                    for px in 0..<cellWidth {
                        let u = (Double(px) + 0.5) / Double(cellWidth), v = (Double(py) + 0.5) / Double(cellHeight)
                        let ink = coverage(cell.character, u, v)
                        let o = ((r * cellHeight + py) * width + c * cellWidth + px) * 3
                        rgb[o] = mix(cell.foreground.0, cell.background.0, ink)
                        rgb[o + 1] = mix(cell.foreground.1, cell.background.1, ink)
                        rgb[o + 2] = mix(cell.foreground.2, cell.background.2, ink)
                    }
                }
            }
        }
        return Image(width: width, height: height, layout: .rgb, pixels: .eight(rgb))
    }

    /// How much of the point (u, v) of a cell (0…1, origin top-left) is foreground.
    public static func coverage(_ c: Unicode.Scalar, _ u: Double, _ v: Double) -> Double {
        let code = c.value
        switch code {
        case 0x20: return 0
        case 0x2588: return 1  // █
        case 0x2580: return v < 0.5 ? 1 : 0  // ▀
        case 0x2594: return v < 0.125 ? 1 : 0  // ▔
        case 0x2595: return u >= 0.875 ? 1 : 0  // ▕
        case 0x2590: return u >= 0.5 ? 1 : 0  // ▐
        case 0x2581...0x2587: return v >= 1 - Double(code - 0x2580) / 8 ? 1 : 0  // ▁…▇ lower eighths
        case 0x2589...0x258F: return u < Double(0x2590 - code) / 8 ? 1 : 0  // ▉…▏ left eighths
        case 0x2591: return 0.25
        case 0x2592: return 0.5
        case 0x2593: return 0.75
        case 0x2596...0x259F:
            // Quadrants: bit 0 UL, 1 UR, 2 LL, 3 LR.
            let masks: [Int] = [4, 8, 1, 13, 9, 7, 11, 2, 6, 14]
            let bit = (v < 0.5 ? 0 : 2) + (u < 0.5 ? 0 : 1)
            return masks[Int(code - 0x2596)] >> bit & 1 != 0 ? 1 : 0
        case 0x1FB00...0x1FB3B:
            // Sextants: value 1…62 without 21 (left half) and 42 (right half).
            var value = Int(code - 0x1FB00) + 1
            if value >= 21 { value += 1 }
            if value >= 42 { value += 1 }
            let bit = min(2, Int(v * 3)) * 2 + (u < 0.5 ? 0 : 1)
            return value >> bit & 1 != 0 ? 1 : 0
        default:
            // Text: a glyph covers roughly a fifth of its cell.
            return code > 0x20 && code < 0x7F ? 0.2 : 0
        }
    }

    private static func mix(_ f: UInt8, _ b: UInt8, _ t: Double) -> UInt8 {
        UInt8((Double(f) * t + Double(b) * (1 - t)).rounded())
    }

    private static func apply(
        _ params: String, _ fg: inout (UInt8, UInt8, UInt8), _ bg: inout (UInt8, UInt8, UInt8), _ dfg: (UInt8, UInt8, UInt8),
        _ dbg: (UInt8, UInt8, UInt8)
    ) {
        let p = params.isEmpty ? [0] : params.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
        var i = 0
        while i < p.count {
            switch p[i] {
            case 0:
                fg = dfg
                bg = dbg
            case 7: swap(&fg, &bg)
            case 30...37: fg = xterm(p[i] - 30)
            case 90...97: fg = xterm(p[i] - 90 + 8)
            case 40...47: bg = xterm(p[i] - 40)
            case 100...107: bg = xterm(p[i] - 100 + 8)
            case 39: fg = dfg
            case 49: bg = dbg
            case 38, 48:
                let isFg = p[i] == 38
                if i + 1 < p.count, p[i + 1] == 2, i + 4 < p.count {
                    let c = (UInt8(clamping: p[i + 2]), UInt8(clamping: p[i + 3]), UInt8(clamping: p[i + 4]))
                    if isFg { fg = c } else { bg = c }
                    i += 4
                } else if i + 1 < p.count, p[i + 1] == 5, i + 2 < p.count {
                    let c = xterm(p[i + 2])
                    if isFg { fg = c } else { bg = c }
                    i += 2
                }
            default: break
            }
            i += 1
        }
    }

    /// xterm's palette for index 0…255.
    public static func xterm(_ index: Int) -> (UInt8, UInt8, UInt8) {
        let base: [(UInt8, UInt8, UInt8)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
            (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
        ]
        if index < 16 { return base[max(0, index)] }
        if index >= 232 {
            let v = UInt8(8 + (index - 232) * 10)
            return (v, v, v)
        }
        let steps: [UInt8] = [0, 95, 135, 175, 215, 255]
        let i = index - 16
        return (steps[i / 36], steps[i / 6 % 6], steps[i % 6])
    }
}
