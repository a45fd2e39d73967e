/// A 6×10 bitmap font (X11 misc-fixed, public domain) for labels drawn into pixels.
enum FixedFont {
    static let width = 6
    static let height = 10

    /// The glyph of a character: printable ASCII as itself, anything else as `?`.
    static func glyph(_ scalar: Unicode.Scalar) -> UInt64 {
        let v = Int(scalar.value)
        return (0x20...0x7E).contains(v) ? glyphs[v - 0x20] : glyphs[Int(UInt8(ascii: "?")) - 0x20]
    }

    /// Whether the glyph has ink at `(x, y)`.
    static func ink(_ glyph: UInt64, x: Int, y: Int) -> Bool { glyph >> UInt64(y * width + x) & 1 != 0 }
}
