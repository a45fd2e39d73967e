/// kitty's graphics protocol: an image is sent as base64 PNG in APC sequences
/// (`ESC _ G keys ; payload ESC \`), at most 4096 payload bytes each (`m=1` while more follow),
/// and displayed at the cursor over `c` × `r` cells. Images live in a layer of their own: text
/// drawn later does not erase them, so the studio deletes them (`a=d`) before the screen changes.
public enum KittyGraphics {
    public static let chunk = 4096

    /// Transmits `png` and shows it at the cursor, scaled to `columns` × `rows` cells when given
    /// (kitty stretches to fill them; without them it shows the picture's own pixels) (under image
    /// id `id`, or none: several pictures can be up at once, and `delete()` removes them all); the
    /// cursor does not move (`C=1`, unless `holdCursor` is false: it then goes below the picture,
    /// as a command's output should) and the terminal sends no replies (`q=2`).
    public static func display(png: [UInt8], id: Int? = nil, columns: Int? = nil, rows: Int? = nil, holdCursor: Bool = true) -> [UInt8] {
        let payload = Base64.encode(png)
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + payload.count / chunk * 12 + 64)
        var start = 0
        repeat {
            let end = min(payload.count, start + chunk)
            let more = end < payload.count ? 1 : 0
            var keys = "m=\(more)"
            if start == 0 {
                let identity = id.map { "i=\($0)," } ?? ""
                let area = (columns.map { "c=\(max(1, $0))," } ?? "") + (rows.map { "r=\(max(1, $0))," } ?? "")
                keys = "a=T,f=100,t=d,\(identity)\(area)\(holdCursor ? "C=1," : "")q=2," + keys
            }
            out += Array("\u{1B}_G\(keys);".utf8)
            out += payload[start..<end]
            out += Array("\u{1B}\\".utf8)
            start = end
        } while start < payload.count
        return out
    }

    /// Deletes image `id` and frees its data (`d=I`), or every image (`d=A`) when `id` is nil.
    public static func delete(id: Int? = nil) -> [UInt8] {
        Array((id.map { "\u{1B}_Ga=d,d=I,i=\($0),q=2\u{1B}\\" } ?? "\u{1B}_Ga=d,d=A,q=2\u{1B}\\").utf8)
    }

    /// The query that asks whether the terminal speaks the protocol: a 1×1 RGB image that is
    /// not stored (`a=q`); a terminal that does answers `ESC _ G i=31 ; OK ESC \`.
    public static let query = Array("\u{1B}_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\u{1B}\\".utf8)

    /// Whether `reply` holds the answer to `query`.
    public static func answered(_ reply: String) -> Bool { reply.contains("\u{1B}_Gi=31;OK") }
}

/// iTerm2's inline images: the file in base64 inside one `OSC 1337 ; File = … : payload BEL`,
/// drawn at the cursor over `width` × `height` cells. Like sixel, the picture becomes the cells'
/// content: text drawn over it erases it.
public enum ITermGraphics {
    public static func display(png: [UInt8], columns: Int, rows: Int) -> [UInt8] {
        var out = Array(
            "\u{1B}]1337;File=inline=1;size=\(png.count);width=\(max(1, columns));height=\(max(1, rows));preserveAspectRatio=1:".utf8)
        out += Base64.encode(png)
        out.append(0x07)
        return out
    }
}

/// RFC 4648 base64 with padding.
public enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], alphabet[Int(v & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let v = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], rest == 2 ? alphabet[Int(v >> 6 & 63)] : 61, 61]
        }
        return out
    }

    /// Decodes padded base64; nil on a character outside the alphabet or a bad length.
    public static func decode(_ text: [UInt8]) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var values = [Int](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { values[Int(c)] = i }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        var i = 0
        while i < text.count {
            let quad = text[i..<(i + 4)]
            let padding = quad.reversed().prefix { $0 == 61 }.count
            guard padding <= 2, i + 4 == text.count || padding == 0 else { return nil }
            var v = 0
            for (k, c) in quad.enumerated() {
                if k >= 4 - padding {
                    v <<= 6
                    continue
                }
                guard values[Int(c)] >= 0 else { return nil }
                v = v << 6 | values[Int(c)]
            }
            out.append(UInt8(v >> 16 & 255))
            if padding < 2 { out.append(UInt8(v >> 8 & 255)) }
            if padding < 1 { out.append(UInt8(v & 255)) }
            i += 4
        }
        return out
    }
}

extension Canvas {
    /// The cells a picture of this canvas covers on cells of `cell` pixels (rounded up).
    public func cells(_ cell: CellSize) -> (columns: Int, rows: Int) {
        ((width + cell.width - 1) / cell.width, (height + cell.height - 1) / cell.height)
    }

    /// 8-bit RGB samples, alpha composited over `background`.
    public func rgb8(over background: (Float, Float, Float) = (0, 0, 0)) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let bg = [background.0, background.1, background.2]
        for p in 0..<(width * height) {
            let a = alpha[p]
            for c in 0..<3 { out[p * 3 + c] = UInt8(max(0, min(255, (rgb[p * 3 + c] * a + bg[c] * (1 - a)).rounded()))) }
        }
        return out
    }
}
