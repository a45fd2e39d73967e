internal import StudioCore

/// Encodes a canvas as DEC sixel graphics.
///
/// Palette of up to 256 registers chosen for this image (`PaletteBuilder`), error diffusion
/// (`Ditherer`), raster attributes `"1;1;W;H` (square pixels, size known up front), run-length
/// compression (`!n`). Pixels with alpha below ½ are not drawn at all (the DCS asks for a
/// transparent background, P2 = 1), so the terminal's own background shows through; partly
/// transparent ones are blended over `background` first.
public struct SixelEncoder: Sendable {
    /// Largest number of colour registers used (1…256).
    public var colors: Int
    public var dithering: Dithering
    /// The colour semi-transparent pixels are blended over (the terminal background, if known).
    public var background: (Float, Float, Float)

    /// Largest number of colour registers a sixel image may define here.
    public static let maxColors = 256

    public init(colors: Int = SixelEncoder.maxColors, dithering: Dithering = .floydSteinberg, background: (Float, Float, Float) = (0, 0, 0))
    {
        self.colors = max(1, min(Self.maxColors, colors))
        self.dithering = dithering
        self.background = background
    }

    /// The complete DCS sequence, `ESC P … q … ESC \`; empty for an empty canvas.
    public func encode(_ canvas: Canvas) -> [UInt8] {
        guard canvas.width > 0, canvas.height > 0 else { return [] }
        // Blend partly transparent pixels; keep alpha to mark the ones not drawn.
        var prepared = canvas
        if !canvas.isOpaque {
            prepared = canvas.flattened(over: background)
            prepared.alpha = canvas.alpha
        }
        let palette = PaletteBuilder.build(prepared, maximum: colors)
        let ditherer = Ditherer(palette: palette)
        let indices = ditherer.indices(prepared, method: dithering)
        return Self.write(indices: indices, palette: palette, width: canvas.width, height: canvas.height)
    }

    /// Writes palette and bands. `indices` holds a palette index per pixel or `Ditherer.transparent`.
    /// Bands are independent, so the two halves of the image are written on two threads.
    package static func write(indices: [UInt16], palette: [SIMD3<Float>], width: Int, height: Int) -> [UInt8] {
        var out = SixelBytes()
        out.reserve(width * height / 2 + palette.count * 16 + 64)
        out.append("\u{1B}P0;1;0q\"1;1;")
        out.append(width)
        out.append(";")
        out.append(height)
        for (i, c) in palette.enumerated() {
            out.append("#")
            out.append(i)
            out.append(";2;")
            out.append(Int((c.x / 2.55).rounded()))
            out.append(";")
            out.append(Int((c.y / 2.55).rounded()))
            out.append(";")
            out.append(Int((c.z / 2.55).rounded()))
        }
        let bands = (height + 5) / 6
        let parts = bands >= 8 ? 2 : 1
        let chunks = Parallel.map(parts) { part in
            writeBands(
                (bands * part / parts)..<(bands * (part + 1) / parts), indices: indices, colors: palette.count, width: width, height: height
            )
        }
        for (part, chunk) in chunks.enumerated() {
            if part > 0 { out.append("-") }
            out.bytes += chunk
        }
        out.append("\u{1B}\\")
        return out.bytes
    }

    /// The sixel data of bands `range` (band `b` covers rows `6b ..< 6b + 6`), separated by `-`.
    private static func writeBands(_ range: Range<Int>, indices: [UInt16], colors: Int, width: Int, height: Int) -> [UInt8] {
        var out = SixelBytes()
        out.reserve(range.count * width * 4)
        // One row of sixel bits per colour, reused for every band; `used` lists the colours in
        // the band, `first`/`last` the columns each one spans (only those are written and cleared).
        var bits = [UInt8](repeating: 0, count: colors * width)
        var first = [Int](repeating: Int.max, count: colors)
        var last = [Int](repeating: -1, count: colors)
        var used: [Int] = []
        used.reserveCapacity(colors)
        indices.withUnsafeBufferPointer { pixels in
            bits.withUnsafeMutableBufferPointer { bits in
                for band in range {
                    let bandTop = band * 6
                    used.removeAll(keepingCapacity: true)
                    for dy in 0..<min(6, height - bandTop) {
                        let row = (bandTop + dy) * width
                        let bit = UInt8(1 << dy)
                        for x in 0..<width {
                            let index = pixels[row + x]
                            if index == Ditherer.transparent { continue }
                            let c = Int(index)
                            if last[c] < 0 { used.append(c) }
                            if x < first[c] { first[c] = x }
                            if x > last[c] { last[c] = x }
                            bits[c * width + x] |= bit
                        }
                    }
                    used.sort()
                    if band > range.lowerBound { out.append("-") }
                    for (n, c) in used.enumerated() {
                        if n > 0 { out.append("$") }
                        out.append("#")
                        out.append(c)
                        // Leading empty sixels as one run, then the colour's span.
                        out.appendEmpty(first[c])
                        out.appendRuns(bits, from: c * width + first[c], count: last[c] - first[c] + 1)
                        for x in first[c]...last[c] { bits[c * width + x] = 0 }
                        first[c] = Int.max
                        last[c] = -1
                    }
                }
            }
        }
        return out.bytes
    }
}

/// A growing byte buffer with the few appends sixel needs.
struct SixelBytes {
    var bytes: [UInt8] = []

    mutating func reserve(_ n: Int) { bytes.reserveCapacity(n) }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ n: Int) {
        if n < 10 {
            bytes.append(UInt8(48 + n))
        } else if n < 100 {
            bytes.append(UInt8(48 + n / 10))
            bytes.append(UInt8(48 + n % 10))
        } else {
            bytes.append(contentsOf: String(n).utf8)
        }
    }

    /// `count` empty sixels (`?`), as a run when long.
    mutating func appendEmpty(_ count: Int) {
        if count >= 4 {
            bytes.append(33)
            append(count)
            bytes.append(63)
        } else {
            for _ in 0..<count { bytes.append(63) }
        }
    }

    /// Sixel characters (`?` + bits) for one colour across the band, runs of 4 or more as `!n`,
    /// trailing empty sixels dropped.
    mutating func appendRuns(_ bits: UnsafeMutableBufferPointer<UInt8>, from start: Int, count: Int) {
        var end = start + count
        while end > start && bits[end - 1] == 0 { end -= 1 }
        var i = start
        while i < end {
            let value = bits[i]
            var run = 1
            while i + run < end && bits[i + run] == value { run += 1 }
            let char = 63 + value
            if run >= 4 {
                bytes.append(33)  // "!"
                append(run)
                bytes.append(char)
            } else {
                for _ in 0..<run { bytes.append(char) }
            }
            i += run
        }
    }
}
