internal import Glibc

/// Which block characters draw the picture: each cell shows two colours in a pattern.
public enum BlockSymbols: String, Sendable, Hashable, CaseIterable {
    /// ▀ only: 1×2 sub-pixels per cell, square on a 1:2 cell. Works in every Unicode terminal.
    case half
    /// All Unicode 1.1 block elements: quadrants ▘▝▖▗▚▞▙▛▜▟, halves ▀▄▌▐ and eighths ▁▂▃▅▆▇
    /// ▏▎▍▋▊▉▔▕, chosen per cell on an 8×8 sample grid.
    case block
    /// 2×3 sextants (Unicode 13 "Symbols for Legacy Computing"): needs a recent font.
    case sextant

    /// Samples per cell, across and down.
    public var subpixels: (x: Int, y: Int) {
        switch self {
        case .half: (1, 2)
        case .block: (8, 8)
        case .sextant: (2, 3)
        }
    }
}

/// Unicode block art: for each cell, the split of its sub-pixels into two groups (and the two
/// mean colours) with the least squared error, drawn as the block character of that split.
/// Without colour (`ColorMode.none`) each cell becomes a shade ` ░▒▓█` by its lightness.
public struct BlockEncoder: Sendable {
    public var symbols: BlockSymbols
    public var colors: ColorMode

    public init(symbols: BlockSymbols = .block, colors: ColorMode = .truecolor) {
        self.symbols = symbols
        self.colors = colors
    }

    /// `canvas` must be `columns × subpixels.x` wide and `rows × subpixels.y` high, opaque.
    public func encode(_ canvas: Canvas) -> CellGrid {
        let (sx, sy) = symbols.subpixels
        let columns = canvas.width / sx, rows = canvas.height / sy
        var cells: [TerminalCell] = []
        cells.reserveCapacity(columns * rows)
        let n = sx * sy
        var pixels = [SIMD3<Float>](repeating: .zero, count: n)
        for row in 0..<rows {
            for column in 0..<columns {
                for j in 0..<sy {
                    for i in 0..<sx {
                        let p = (row * sy + j) * canvas.width + column * sx + i
                        pixels[j * sx + i] = SIMD3(canvas.rgb[p * 3], canvas.rgb[p * 3 + 1], canvas.rgb[p * 3 + 2])
                    }
                }
                if colors == .none {
                    cells.append(shade(pixels))
                } else if symbols == .block {
                    cells.append(blockCell(pixels))
                } else {
                    cells.append(cell(pixels))
                }
            }
        }
        return CellGrid(columns: columns, rows: rows, cells: cells)
    }

    /// The best split of the sub-pixels into foreground (mask bits set) and background.
    private func cell(_ pixels: [SIMD3<Float>]) -> TerminalCell {
        let n = pixels.count
        var total = SIMD3<Float>.zero
        for p in pixels { total += p }
        var bestMask = 0, bestError = Float.greatestFiniteMagnitude
        var bestFg = total / Float(n), bestBg = total / Float(n)
        // Masks with the last sub-pixel in the background cover every split once.
        for mask in 0..<(1 << (n - 1)) {
            var fgSum = SIMD3<Float>.zero, fgCount: Float = 0
            for i in 0..<n where mask >> i & 1 != 0 {
                fgSum += pixels[i]
                fgCount += 1
            }
            let bgCount = Float(n) - fgCount
            let fg = fgCount > 0 ? fgSum / fgCount : .zero
            let bg = (total - fgSum) / bgCount
            var error: Float = 0
            for i in 0..<n {
                let d = pixels[i] - (mask >> i & 1 != 0 ? fg : bg)
                error += (d * d).sum()
            }
            if error < bestError - 1e-3 {
                (bestMask, bestError, bestFg, bestBg) = (mask, error, fg, bg)
            }
        }
        let fg = Self.shown(bestFg, colors), bg = Self.shown(bestBg, colors)
        guard bestMask != 0, fg != bg else { return TerminalCell(" ", background: bg) }
        return TerminalCell(character(bestMask), foreground: fg, background: bg)
    }

    private func shade(_ pixels: [SIMD3<Float>]) -> TerminalCell {
        var lightness: Float = 0
        for p in pixels { lightness += Luminance.lightness(p) }
        lightness /= Float(pixels.count)
        let ramp: [Unicode.Scalar] = [" ", "░", "▒", "▓", "█"]
        return TerminalCell(ramp[min(4, Int(lightness / 100 * 5))])
    }

    /// A colour as the terminal will show it in `colors`, as 8-bit.
    static func shown(_ c: SIMD3<Float>, _ colors: ColorMode) -> SIMD3<UInt8> {
        let v = SIMD3<Int32>(c.clamped(lowerBound: .zero, upperBound: SIMD3(repeating: 255)).rounded(.toNearestOrAwayFromZero))
        let (r, g, b) = ANSIColors.shown(r: Int(v.x), g: Int(v.y), b: Int(v.z), mode: colors)
        return SIMD3(UInt8(r), UInt8(g), UInt8(b))
    }

    /// The character whose ink covers exactly the sub-pixels of `mask` (bit i = sub-pixel i,
    /// row-major within the cell).
    func character(_ mask: Int) -> Unicode.Scalar {
        switch symbols {
        case .half:
            return mask == 1 ? "▀" : mask == 2 ? "▄" : mask == 3 ? "█" : " "
        case .block:
            return Self.quadrants[mask & 15]
        case .sextant:
            switch mask {
            case 0: return " "
            case 63: return "█"
            case 21: return "▌"
            case 42: return "▐"
            default: return Unicode.Scalar(0x1FB00 + UInt32(mask - 1 - (mask > 21 ? 1 : 0) - (mask > 42 ? 1 : 0)))!
            }
        }
    }

    /// The best block element for an 8×8 sample grid: each candidate's fill is a union of
    /// rectangles, so with per-cell prefix sums its two mean colours and squared error cost O(1).
    private func blockCell(_ pixels: [SIMD3<Float>]) -> TerminalCell {
        // Prefix sums over the 8×8 samples: sum[y][x] = samples above-left of (x, y), exclusive.
        var sums = [SIMD3<Float>](repeating: .zero, count: 81)
        var total = SIMD3<Float>.zero, squares: Float = 0
        for y in 0..<8 {
            var row = SIMD3<Float>.zero
            for x in 0..<8 {
                let p = pixels[y * 8 + x]
                row += p
                squares += (p * p).sum()
                sums[(y + 1) * 9 + x + 1] = sums[y * 9 + x + 1] + row
            }
        }
        total = sums[80]
        func rect(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int) -> SIMD3<Float> {
            sums[y1 * 9 + x1] - sums[y0 * 9 + x1] - sums[y1 * 9 + x0] + sums[y0 * 9 + x0]
        }
        var best = Self.blockGlyphs[0], bestError = squares - (total * total).sum() / 64
        var bestFg = total / 64, bestBg = total / 64
        for glyph in Self.blockGlyphs.dropFirst() {
            var fg = SIMD3<Float>.zero
            for r in glyph.rects { fg += rect(r.0, r.1, r.2, r.3) }
            let nf = Float(glyph.area), nb = 64 - nf
            let bg = total - fg
            // Sum of squared errors = Σp² − |Σfg|²/nf − |Σbg|²/nb.
            let error = squares - (fg * fg).sum() / nf - (bg * bg).sum() / nb
            if error < bestError - 1e-3 {
                (best, bestError, bestFg, bestBg) = (glyph, error, fg / nf, bg / nb)
            }
        }
        let fg = Self.shown(bestFg, colors), bg = Self.shown(bestBg, colors)
        guard best.area > 0, fg != bg else { return TerminalCell(" ", background: bg) }
        return TerminalCell(best.character, foreground: fg, background: bg)
    }

    /// A block element and the 8×8 sample rectangles its ink covers (x0, y0, x1, y1; exclusive).
    struct BlockGlyph: Sendable {
        let character: Unicode.Scalar
        let rects: [(Int, Int, Int, Int)]
        var area: Int { rects.reduce(0) { $0 + ($1.2 - $1.0) * ($1.3 - $1.1) } }
    }

    /// Space first (one colour), then every block element; ▄ and ▌ come from both families once.
    static let blockGlyphs: [BlockGlyph] = {
        var glyphs = [BlockGlyph(character: " ", rects: [])]
        let quadrantRects = [(0, 0, 4, 4), (4, 0, 8, 4), (0, 4, 4, 8), (4, 4, 8, 8)]
        for mask in 1..<15 where mask != 3 && mask != 12 && mask != 5 && mask != 10 {
            glyphs.append(
                BlockGlyph(
                    character: quadrants[mask], rects: quadrantRects.indices.filter { mask >> $0 & 1 != 0 }.map { quadrantRects[$0] }))
        }
        // Lower eighths ▁…▇ (1…7 rows from the bottom) and ▀ as the complement of ▄.
        for k in 1...7 { glyphs.append(BlockGlyph(character: Unicode.Scalar(0x2580 + UInt32(k))!, rects: [(0, 8 - k, 8, 8)])) }
        // Left eighths ▉…▏ (7…1 columns from the left).
        for k in 1...7 { glyphs.append(BlockGlyph(character: Unicode.Scalar(0x2590 - UInt32(k))!, rects: [(0, 0, k, 8)])) }
        glyphs.append(BlockGlyph(character: "▔", rects: [(0, 0, 8, 1)]))
        glyphs.append(BlockGlyph(character: "▕", rects: [(7, 0, 8, 8)]))
        return glyphs
    }()

    /// Bits: 0 upper left, 1 upper right, 2 lower left, 3 lower right.
    private static let quadrants: [Unicode.Scalar] = [" ", "▘", "▝", "▀", "▖", "▌", "▞", "▛", "▗", "▚", "▐", "▜", "▄", "▙", "▟", "█"]
}

/// Perceptual lightness for shades and ASCII ramps.
enum Luminance {
    /// CIE L* (0…100) of an sRGB colour (0…255).
    static func lightness(_ c: SIMD3<Float>) -> Float {
        func linear(_ v: Float) -> Float {
            let s = max(0, min(1, v / 255))
            return s <= 0.04045 ? s / 12.92 : powf((s + 0.055) / 1.055, 2.4)
        }
        let y = 0.2126 * linear(c.x) + 0.7152 * linear(c.y) + 0.0722 * linear(c.z)
        return y > 0.008856 ? 116 * cbrtf(y) - 16 : 903.3 * y
    }
}
