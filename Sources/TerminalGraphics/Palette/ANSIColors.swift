/// How many colours a terminal shows, and the escape sequences that select them.
public enum ColorMode: String, Sendable, Hashable, CaseIterable {
    /// 24-bit `38;2;r;g;b`.
    case truecolor = "true"
    /// xterm's 256: the 6×6×6 cube and 24 grays.
    case palette256 = "256"
    /// The 16 ANSI colours.
    case palette16 = "16"
    /// The 8 base ANSI colours (`TERM=xterm`, `screen`, the Linux console as terminfo says).
    case palette8 = "8"
    /// No colour at all (NO_COLOR): shapes and shades only.
    case none
}

/// The xterm 256-colour and 16-colour palettes, and the nearest entry for any colour.
public enum ANSIColors {
    /// Nearest xterm-256 index (16…255: cube or gray ramp) by squared RGB distance.
    public static func nearest256(r: Int, g: Int, b: Int) -> Int {
        func level(_ v: Int) -> Int { v < 48 ? 0 : v < 115 ? 1 : min(5, (v - 35) / 40) }
        let steps = [0, 95, 135, 175, 215, 255]
        let (lr, lg, lb) = (level(r), level(g), level(b))
        let cubeError = sq(steps[lr] - r) + sq(steps[lg] - g) + sq(steps[lb] - b)
        let gray = (r + g + b) / 3
        let grayIndex = max(0, min(23, (gray - 8 + 5) / 10))
        let grayValue = 8 + grayIndex * 10
        let grayError = sq(grayValue - r) + sq(grayValue - g) + sq(grayValue - b)
        return grayError < cubeError ? 232 + grayIndex : 16 + 36 * lr + 6 * lg + lb
    }

    /// The RGB value xterm shows for a 256-colour index ≥ 16.
    public static func rgb256(_ index: Int) -> (Int, Int, Int) {
        if index >= 232 {
            let v = 8 + (index - 232) * 10
            return (v, v, v)
        }
        if index < 16 { return palette16[index] }
        let steps = [0, 95, 135, 175, 215, 255]
        let i = index - 16
        return (steps[i / 36], steps[i / 6 % 6], steps[i % 6])
    }

    /// xterm's default 16 colours.
    public static let palette16: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    /// Nearest of the 16 colours (0…15).
    public static func nearest16(r: Int, g: Int, b: Int) -> Int {
        palette16.indices.min { x, y in
            distance(palette16[x], r, g, b) < distance(palette16[y], r, g, b)
        }!
    }

    /// Nearest of the 8 base colours (0…7), by luma and chroma with chroma weighted three times:
    /// plain RGB distance sends every mid grey to cyan (the 8 have only black and light grey
    /// for greys), and a grey road drawn cyan reads as water.
    public static func nearest8(r: Int, g: Int, b: Int) -> Int {
        func ycc(_ r: Int, _ g: Int, _ b: Int) -> (Double, Double, Double) {
            let y = 0.299 * Double(r) + 0.587 * Double(g) + 0.114 * Double(b)
            return (y, 0.564 * (Double(b) - y), 0.713 * (Double(r) - y))
        }
        let c = ycc(r, g, b)
        func d(_ i: Int) -> Double {
            let p = ycc(palette16[i].0, palette16[i].1, palette16[i].2)
            return (p.0 - c.0) * (p.0 - c.0) + 3 * ((p.1 - c.1) * (p.1 - c.1) + (p.2 - c.2) * (p.2 - c.2))
        }
        return (0..<8).min { d($0) < d($1) }!
    }

    /// The colours of a palette mode as floats, for dithering into it (nil for 256 and true colour).
    public static func floats(_ mode: ColorMode) -> [SIMD3<Float>]? {
        switch mode {
        case .palette8: palette16.prefix(8).map { SIMD3(Float($0.0), Float($0.1), Float($0.2)) }
        case .palette16: palette16.map { SIMD3(Float($0.0), Float($0.1), Float($0.2)) }
        default: nil
        }
    }

    /// The SGR parameters selecting a colour as foreground (or background) in `mode`; empty for `.none`.
    public static func sgr(r: Int, g: Int, b: Int, mode: ColorMode, background: Bool) -> String {
        switch mode {
        case .truecolor: return "\(background ? 48 : 38);2;\(r);\(g);\(b)"
        case .palette256: return "\(background ? 48 : 38);5;\(nearest256(r: r, g: g, b: b))"
        case .palette16:
            let i = nearest16(r: r, g: g, b: b)
            return "\((i < 8 ? 30 : 90) + (background ? 10 : 0) + i % 8)"
        case .palette8: return "\(30 + (background ? 10 : 0) + nearest8(r: r, g: g, b: b))"
        case .none: return ""
        }
    }

    /// What the terminal will actually show for a colour in `mode` (for choosing colours that
    /// survive quantization).
    static func shown(r: Int, g: Int, b: Int, mode: ColorMode) -> (Int, Int, Int) {
        switch mode {
        case .truecolor, .none: return (r, g, b)
        case .palette256: return rgb256(nearest256(r: r, g: g, b: b))
        case .palette16: return palette16[nearest16(r: r, g: g, b: b)]
        case .palette8: return palette16[nearest8(r: r, g: g, b: b)]
        }
    }

    private static func distance(_ c: (Int, Int, Int), _ r: Int, _ g: Int, _ b: Int) -> Int {
        sq(c.0 - r) + sq(c.1 - g) + sq(c.2 - b)
    }
}

private func sq(_ v: Int) -> Int { v * v }
