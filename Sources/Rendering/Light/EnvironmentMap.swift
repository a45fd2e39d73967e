internal import Glibc
public import ImageIO

/// Light from every direction: an equirectangular HDR picture around the scene (y up; the
/// picture's centre column looks down −z, its left edge +x… turned by `rotation`), scaled by
/// `strength`. Seen in the background and in reflections, and importance-sampled for lighting:
/// a direction is drawn with probability proportional to the light it brings (luminance × the
/// pixel's solid angle), so a small bright sun costs no more samples than the sky around it.
public struct EnvironmentMap: Sendable {
    let width: Int, height: Int
    let radiance: [SIMD3<Float>]
    /// Turn about the vertical, radians.
    let rotation: Float
    /// The grid importance is sampled on: the picture in cells of `cell` × `cell` pixels (at most
    /// 256 × 128 cells), so the tables stay in cache; within a cell directions are uniform.
    let cell: Int
    /// log₂ of `cell`: a pixel's cell by shifts, not divisions.
    let cellShift: Int
    let columns: Int, rows: Int
    /// Walker's alias table over the cells, 4 bytes a cell: cell i is kept with probability
    /// `keep` / 65535, else its `alias` is taken — a cell drawn in proportion to its weight in
    /// constant time. Apart from `cells`, and small (128 KB for the largest grid), so a draw's
    /// first read stays in cache and its one likely miss is the cell it lands on.
    let slots: [Slot]
    /// Per cell, what a draw returns and a lookup needs, in 16 bytes: xyz its mean radiance (the
    /// light diffuse and rough surfaces are lit with: the map box-filtered to the cells, a table
    /// that stays in cache where the picture's own misses it), w its density per steradian times
    /// sin θ — the probability the alias table draws it with, over the solid angle its spanX ×
    /// spanY pixels cover at the equator, (2π spanX / W)(π spanY / H), worked out once so that a
    /// draw or a lookup divides only by sin θ.
    let cells: [SIMD4<Float>]

    /// A cell's slot; the grid has at most 257 × 129 cells, so an alias fits 16 bits.
    struct Slot {
        var keep: UInt16
        var alias: UInt16
    }

    public init(_ image: HDRImage, rotationDegrees: Float = 0, strength: Float = 1) {
        width = image.width
        height = image.height
        rotation = rotationDegrees * .pi / 180
        var cell = 1
        while width / cell > 256 || height / cell > 128 { cell *= 2 }
        self.cell = cell
        cellShift = cell.trailingZeroBitCount
        columns = (width + cell - 1) / cell
        rows = (height + cell - 1) / cell
        var radiance = [SIMD3<Float>](repeating: .zero, count: width * height)
        var weights = [Double](repeating: 0, count: columns * rows)
        var sums = [SIMD3<Double>](repeating: .zero, count: columns * rows), counts = [Double](repeating: 0, count: columns * rows)
        for y in 0..<height {
            let sine = sinf((Float(y) + 0.5) / Float(height) * .pi)
            for x in 0..<width {
                let c = image.pixel(x, y) * strength
                radiance[y * width + x] = c
                let k = (y / cell) * columns + x / cell
                weights[k] += Double(max(0, 0.2126 * c.x + 0.7152 * c.y + 0.0722 * c.z) * sine)
                sums[k] += SIMD3<Double>(Double(c.x), Double(c.y), Double(c.z))
                counts[k] += 1
            }
        }
        let coarse = zip(sums, counts).map { s, n in SIMD3<Float>(Float(s.x / n), Float(s.y / n), Float(s.z / n)) }
        // A black map still samples (uniformly over the sphere) rather than dividing by zero.
        if weights.allSatisfy({ $0 <= 0 }) {
            for r in 0..<rows {
                for c in 0..<columns { weights[r * columns + c] = Double(sinf((Float(r) + 0.5) / Float(rows) * .pi)) }
            }
        }
        self.radiance = radiance
        let total = weights.reduce(0, +)
        slots = Self.aliasTable(weights.map { $0 / total }).map {
            Slot(keep: UInt16((Double($0.keep) * 65535).rounded()), alias: UInt16($0.alias))
        }
        // The probability each cell is drawn with, from the table as stored (its keeps rounded to
        // 16 bits), so the density a lookup reports is the one draws are made with.
        var drawn = [Double](repeating: 0, count: slots.count)
        for (i, slot) in slots.enumerated() {
            let keep = Double(slot.keep) / 65535
            drawn[i] += keep
            drawn[Int(slot.alias)] += 1 - keep
        }
        let (width, height, columns, count) = (width, height, columns, Double(slots.count))
        cells = drawn.indices.map { i in
            let (cx, cy) = (i % columns, i / columns)
            let (spanX, spanY) = (min(cell, width - cx * cell), min(cell, height - cy * cell))
            let density = drawn[i] / count * Double(width * height) / (Double(spanX * spanY) * 2 * .pi * .pi)
            return SIMD4(coarse[i], Float(density))
        }
    }

    /// Vose's alias table for the distribution `p` (summing to 1): every slot holds its own
    /// share and, for the rest of a uniform slot, one other entry.
    static func aliasTable(_ p: [Double]) -> [(keep: Float, alias: UInt32)] {
        let n = p.count
        var scaled = p.map { $0 * Double(n) }
        var table = (0..<n).map { (keep: Float(1), alias: UInt32($0)) }
        var small: [Int] = [], large: [Int] = []
        for (i, v) in scaled.enumerated() { if v < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast(), let l = large.last {
            table[s] = (Float(scaled[s]), UInt32(l))
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 {
                large.removeLast()
                small.append(l)
            }
        }
        return table
    }

    /// A uniform sky of one colour (tests, and a fallback).
    public init(constant color: SIMD3<Float>, width: Int = 64, height: Int = 32) {
        self.init(HDRImage(width: width, height: height, rgb: (0..<(width * height)).flatMap { _ in [color.x, color.y, color.z] }))
    }

    /// The light arriving from direction `d` (unit).
    @inline(__always) public func radiance(_ d: SIMD3<Float>) -> SIMD3<Float> {
        let (x, y) = pixel(d)
        return radiance[y * width + x]
    }

    /// The light from direction `d` as diffuse and rough surfaces see it: the map box-filtered to
    /// the sampling cells (what `sample` returns too, so both estimators light with one map).
    @inline(__always) public func lighting(_ d: SIMD3<Float>) -> SIMD3<Float> { seen(d, filtered: true).radiance }

    /// What a path that leaves the scene along `d` finds: the light (`filtered`: as `lighting`
    /// gives it, else as `displayed` does) and the density `sample` draws `d` with — one
    /// direction-to-pixel mapping and one cell read for both.
    @inline(__always) func seen(_ d: SIMD3<Float>, filtered: Bool) -> (radiance: SIMD3<Float>, pdf: Float) {
        let p = position(d)
        let (x, y) = pixel(at: p)
        let (cx, cy) = (x >> cellShift, y >> cellShift)
        let cell = cells[cy * columns + cx]
        let pdf = Self.density(cell.w, sine: (1 - min(1, d.y * d.y)).squareRoot())
        return (filtered ? SIMD3(cell.x, cell.y, cell.z) : interpolated(at: p), pdf)
    }

    /// Where `d` falls on the picture, in pixels (x from 0 to `width`, y from 0 to `height`).
    @inline(__always) private func position(_ d: SIMD3<Float>) -> SIMD2<Float> {
        var u = FastMath.atan2(d.x, -d.z) / (2 * .pi) + 0.5 - rotation / (2 * .pi)
        u -= u.rounded(.down)
        // θ from the vertical by its tangent: exact at the poles, where an arccosine's is not.
        let v = FastMath.atan2((d.x * d.x + d.z * d.z).squareRoot(), d.y) / .pi
        return SIMD2(u * Float(width), v * Float(height))
    }

    @inline(__always) private func pixel(_ d: SIMD3<Float>) -> (Int, Int) { pixel(at: position(d)) }

    @inline(__always) private func pixel(at p: SIMD2<Float>) -> (Int, Int) { (min(width - 1, Int(p.x)), min(height - 1, Int(p.y))) }

    /// The light from `d` as a camera or a mirror shows it: the picture interpolated between its
    /// four nearest pixels (around the vertical it wraps, at the poles it stops), so a lens that
    /// magnifies the map — a 1024-pixel map seen through a 40° lens spreads each of its pixels
    /// over six of a 640-pixel image — shows it smooth, not in blocks.
    @inline(__always) public func displayed(_ d: SIMD3<Float>) -> SIMD3<Float> { interpolated(at: position(d)) }

    @inline(__always) private func interpolated(at position: SIMD2<Float>) -> SIMD3<Float> {
        let p = position - 0.5
        let corner = SIMD2(p.x.rounded(.down), p.y.rounded(.down))
        let t = p - corner
        var x0 = Int(corner.x)
        if x0 < 0 { x0 += width }
        let x1 = x0 + 1 >= width ? 0 : x0 + 1
        let y0 = max(0, Int(corner.y)), y1 = min(height - 1, Int(corner.y) + 1)
        let top = radiance[y0 * width + x0] * (1 - t.x) + radiance[y0 * width + x1] * t.x
        let bottom = radiance[y1 * width + x0] * (1 - t.x) + radiance[y1 * width + x1] * t.x
        return top * (1 - t.y) + bottom * t.y
    }

    /// A direction drawn in proportion to the light it brings, from two uniform numbers in
    /// [0, 1), with its radiance (as `lighting` gives it) and its density per steradian: `pick` chooses a cell through
    /// the alias table (what is left of it after the choice, rescaled, places the direction
    /// across the cell: doubles keep enough bits for both), `down` places it down the cell.
    public func sample(_ pick: Double, _ down: Double) -> (direction: SIMD3<Float>, radiance: SIMD3<Float>, pdf: Float) {
        let count = columns * rows
        let scaled = pick * Double(count)
        var i = min(count - 1, Int(scaled))
        var across = scaled - Double(i)
        let slot = slots[i]
        let share = Double(slot.keep) / 65535
        if across < share {
            across /= share
        } else {
            across = (across - share) / max(1e-12, 1 - share)
            i = Int(slot.alias)
        }
        let entry = cells[i]
        let (cx, cy) = (i % columns, i / columns)
        // The cell's span on the picture (the last row or column may be cut short).
        let spanX = min(cell, width - cx * cell), spanY = min(cell, height - cy * cell)
        let u = (Float(cx * cell) + Float(max(0, min(1, across))) * Float(spanX)) / Float(width)
        let v = (Float(cy * cell) + Float(max(0, min(1, down))) * Float(spanY)) / Float(height)
        let phi = (u - 0.5 + rotation / (2 * .pi)) * 2 * .pi, theta = v * .pi
        let (sine, cosine) = FastMath.sinCos(theta), turn = FastMath.sinCos(phi)
        let direction = SIMD3(sine * turn.sin, cosine, -sine * turn.cos)
        return (direction, SIMD3(entry.x, entry.y, entry.z), Self.density(entry.w, sine: sine))
    }

    /// The density per steradian with which `sample` draws direction `d`.
    public func pdf(_ d: SIMD3<Float>) -> Float { seen(d, filtered: true).pdf }

    @inline(__always) private static func density(_ density: Float, sine: Float) -> Float {
        // Uniform in the picture's coordinates, so per steradian it grows as 1 / sin θ.
        sine > 1e-6 ? density / sine : 0
    }
}
