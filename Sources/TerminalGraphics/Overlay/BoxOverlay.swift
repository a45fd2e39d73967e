public import StudioCore

/// An annotation to draw over a preview: a box in the source image's pixels and its label.
public struct OverlayBox: Sendable, Hashable {
    public var box: BoundingBox
    public var label: String

    public init(box: BoundingBox, label: String) {
        self.box = box
        self.label = label
    }

    /// The box in the coordinates of the image scaled by `x`, `y` (a preview decoded reduced).
    public func scaled(x: Double, y: Double) -> OverlayBox {
        OverlayBox(box: BoundingBox(x: box.x * x, y: box.y * y, width: box.width * x, height: box.height * y), label: label)
    }

    /// Twelve colours chosen to be told apart, on photos and on each other: the Okabe–Ito palette
    /// (distinct for colour-blind readers) first, then violet, wine, olive, grey and lime, each
    /// away from the seven in hue or lightness.
    public static let palette: [SIMD3<Float>] = [
        SIMD3(230, 159, 0), SIMD3(86, 180, 233), SIMD3(0, 158, 115), SIMD3(240, 228, 66),
        SIMD3(0, 114, 178), SIMD3(213, 94, 0), SIMD3(204, 121, 167), SIMD3(120, 63, 193),
        SIMD3(136, 34, 85), SIMD3(153, 153, 51), SIMD3(187, 187, 187), SIMD3(153, 230, 77),
    ]

    /// A label's own slot in the palette (a hash of its name: the same class, the same colour).
    var slot: Int {
        var hash: UInt32 = 2_166_136_261
        for b in label.utf8 { hash = (hash ^ UInt32(b)) &* 16_777_619 }
        return Int(hash % UInt32(Self.palette.count))
    }

    var color: SIMD3<Float> { Self.palette[slot] }

    /// Colours for the labels drawn together: each label its own slot, unless another label of
    /// the same picture has it — then the next free one (labels in name order), so up to twelve
    /// classes in one picture never share a colour, and a class keeps its colour wherever it has
    /// no clash.
    static func colors(for boxes: [OverlayBox]) -> [String: SIMD3<Float>] {
        var taken = [Bool](repeating: false, count: palette.count)
        var out: [String: SIMD3<Float>] = [:]
        let labels = Set(boxes.map(\.label)).sorted()
        var waiting: [OverlayBox] = []
        // Every label that has its own slot free keeps it; clashing ones then take the next free.
        for label in labels {
            let box = OverlayBox(box: BoundingBox(x: 0, y: 0, width: 0, height: 0), label: label)
            if !taken[box.slot] {
                taken[box.slot] = true
                out[label] = palette[box.slot]
            } else {
                waiting.append(box)
            }
        }
        for box in waiting {
            let free = (0..<palette.count).map { (box.slot + $0) % palette.count }.first { !taken[$0] }
            if let free { taken[free] = true }
            out[box.label] = palette[free ?? box.slot]
        }
        return out
    }

    /// Label text that is safe in pixels and in cells: printable ASCII, other characters as `?`.
    var printableLabel: String {
        String(label.unicodeScalars.map { (0x20...0x7E).contains($0.value) ? Character($0) : "?" })
    }

    /// The box scaled from a `sourceWidth`-wide image to a canvas `scale` times as large.
    func scaled(x sx: Double, y sy: Double) -> (x0: Int, y0: Int, x1: Int, y1: Int) {
        // Kept within ±2^30 as doubles: a box from a hostile file (1e300, NaN) must not trap.
        func pixel(_ v: Double) -> Int { v.isNaN ? 0 : Int(min(max(v, -1_073_741_824), 1_073_741_824)) }
        return (
            pixel((box.x * sx).rounded(.down)), pixel((box.y * sy).rounded(.down)), pixel((box.maxX * sx).rounded(.up)) - 1,
            pixel((box.maxY * sy).rounded(.up)) - 1
        )
    }
}

extension Canvas {
    /// The canvas with box outlines (and, with `labels`, their names in the 6×10 font) drawn on.
    /// Boxes are in the pixels of a `sourceWidth × sourceHeight` image this canvas was resized from.
    public func drawing(_ boxes: [OverlayBox], sourceWidth: Int, sourceHeight: Int, labels: Bool) -> Canvas {
        guard !boxes.isEmpty, width > 0, height > 0, sourceWidth > 0, sourceHeight > 0 else { return self }
        var out = self
        let sx = Double(width) / Double(sourceWidth), sy = Double(height) / Double(sourceHeight)
        let colors = OverlayBox.colors(for: boxes)
        let drawn = boxes.filter(\.box.isWellFormed)
        // Outlines one pixel wide, all of them before any label, so labels stay readable on top.
        for overlay in drawn {
            let (x0, y0, x1, y1) = overlay.scaled(x: sx, y: sy)
            let color = colors[overlay.label] ?? overlay.color
            out.line(x0, y0, x1, y0, color)
            out.line(x0, y1, x1, y1, color)
            out.line(x0, y0, x0, y1, color)
            out.line(x1, y0, x1, y1, color)
        }
        guard labels else { return out }
        // Labels where they collide with no other: the largest boxes choose first, each among
        // above, inside the top, below and inside the bottom of its box (left, then right
        // aligned); a label with nowhere free is left out (the pane lists every class).
        let spots = Self.labelSpots(
            drawn.map { overlay in
                let (x0, y0, x1, y1) = overlay.scaled(x: sx, y: sy)
                return (x0, y0, x1, y1, overlay.printableLabel.unicodeScalars.count * FixedFont.width + 2)
            }, width: width, height: height)
        for (index, spot) in spots {
            let overlay = drawn[index]
            let color = colors[overlay.label] ?? overlay.color
            let text = overlay.printableLabel
            let (w, h) = (spot.w, spot.h)
            let ink: SIMD3<Float> = (color * SIMD3(0.299, 0.587, 0.114)).sum() > 140 ? .zero : SIMD3(repeating: 255)
            out.fill(spot.x, spot.y, w, h, color)
            for (i, scalar) in text.unicodeScalars.enumerated() {
                let glyph = FixedFont.glyph(scalar)
                for gy in 0..<FixedFont.height {
                    for gx in 0..<FixedFont.width where FixedFont.ink(glyph, x: gx, y: gy) {
                        out.set(spot.x + 1 + i * FixedFont.width + gx, spot.y + gy, ink)
                    }
                }
            }
        }
        return out
    }

    /// Where each box's label goes (by index into `boxes`: corners in canvas pixels and the
    /// label's width) so that no two labels overlap and each stays on the canvas; boxes without a
    /// free spot get none.
    static func labelSpots(_ boxes: [(x0: Int, y0: Int, x1: Int, y1: Int, labelWidth: Int)], width: Int, height: Int) -> [(
        Int, (x: Int, y: Int, w: Int, h: Int)
    )] {
        var taken: [(x: Int, y: Int, w: Int, h: Int)] = []
        var out: [(Int, (x: Int, y: Int, w: Int, h: Int))] = []
        func free(_ r: (x: Int, y: Int, w: Int, h: Int)) -> Bool {
            r.x >= 0 && r.y >= 0 && r.x + r.w <= width && r.y + r.h <= height
                && !taken.contains { r.x < $0.x + $0.w && $0.x < r.x + r.w && r.y < $0.y + $0.h && $0.y < r.y + r.h }
        }
        let order = boxes.indices.sorted { a, b in
            (boxes[a].x1 - boxes[a].x0) * (boxes[a].y1 - boxes[a].y0) > (boxes[b].x1 - boxes[b].x0) * (boxes[b].y1 - boxes[b].y0)
        }
        for i in order {
            let (x0, y0, x1, y1, w) = boxes[i]
            let h = FixedFont.height + 1
            let lefts = [max(0, min(x0, width - w)), max(0, min(x1 - w + 1, width - w))]
            let tops = [y0 - h, y0 + 1, y1 + 1, y1 - h]
            guard let spot = tops.lazy.flatMap({ top in lefts.map { (x: $0, y: top, w: w, h: h) } }).first(where: free) else { continue }
            taken.append(spot)
            out.append((i, spot))
        }
        return out
    }

    mutating func set(_ x: Int, _ y: Int, _ c: SIMD3<Float>) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let p = y * width + x
        rgb[p * 3] = c.x
        rgb[p * 3 + 1] = c.y
        rgb[p * 3 + 2] = c.z
        alpha[p] = 1
    }

    mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: SIMD3<Float>) {
        if y0 == y1 {
            for x in max(0, min(x0, x1))...max(0, min(width - 1, max(x0, x1))) { set(x, y0, c) }
        } else {
            for y in max(0, min(y0, y1))...max(0, min(height - 1, max(y0, y1))) { set(x0, y, c) }
        }
    }

    mutating func fill(_ x: Int, _ y: Int, _ w: Int, _ h: Int, _ c: SIMD3<Float>) {
        for yy in y..<(y + h) {
            for xx in x..<(x + w) { set(xx, yy, c) }
        }
    }
}
