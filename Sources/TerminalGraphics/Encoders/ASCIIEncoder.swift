/// ASCII art: one character per cell from a ramp of increasing ink, chosen by perceptual
/// lightness (CIE L*, so mid-tones land mid-ramp instead of crowding the dark end), optionally
/// coloured. Works in any terminal, even without Unicode.
public struct ASCIIEncoder: Sendable {
    public var colors: ColorMode
    /// Light marks on a dark background (the default); `false` inverts the ramp for light terminals.
    public var darkBackground: Bool

    /// 70 characters from empty to full, after Paul Bourke's ramp.
    static let ramp: [Unicode.Scalar] = Array(#" .'`^",:;Il!i><~+_-?][}{1)(|\/tfjrxnuvczXYUJCLQ0OZmwqpdbkhao*#MW&8%B@$"#.unicodeScalars)

    /// Position of a character on the ramp (0 = blank), or -1.
    package static func rampIndex(of character: Unicode.Scalar) -> Int { ramp.firstIndex(of: character) ?? -1 }

    public init(colors: ColorMode = .none, darkBackground: Bool = true) {
        self.colors = colors
        self.darkBackground = darkBackground
    }

    /// `canvas` is one pixel per cell, opaque.
    public func encode(_ canvas: Canvas) -> CellGrid {
        var cells: [TerminalCell] = []
        cells.reserveCapacity(canvas.width * canvas.height)
        for p in 0..<(canvas.width * canvas.height) {
            let c = SIMD3(canvas.rgb[p * 3], canvas.rgb[p * 3 + 1], canvas.rgb[p * 3 + 2])
            var level = Luminance.lightness(c) / 100
            if !darkBackground { level = 1 - level }
            let index = max(0, min(Self.ramp.count - 1, Int((level * Float(Self.ramp.count - 1)).rounded())))
            let fg: SIMD3<UInt8>? = colors == .none ? nil : BlockEncoder.shown(c, colors)
            cells.append(TerminalCell(Self.ramp[index], foreground: fg))
        }
        return CellGrid(columns: canvas.width, rows: canvas.height, cells: cells)
    }
}
