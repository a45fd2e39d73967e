internal import Glibc

/// Clothing fabrics, the procedural patterns people wear: plain cloth, denim, knit, stripes,
/// checks and dotted prints, each over folds that shade the cloth unevenly. Evaluated in the
/// wearer's frame: `v` is height, `u` runs across the body's front and back (and along its sides
/// there, with a seam where they meet, as a garment has), so stripes ring the body and a check's
/// lines run straight down the front whatever way the person faces.
///
/// A fabric's `variant` carries two things: its low 24 bits draw the pattern's scale and second
/// colour (so two striped shirts differ), its top 8 bits the way the wearer faces
/// (`Fabric.facing`), set once the street is laid out. Band-limited like the street's patterns:
/// stripes and checks are box-filtered exactly over the footprint, finer features fade to their
/// average, so a pattern seen from afar becomes its mean colour instead of a moiré.
extension Pattern {
    static let fabrics: [Pattern] = [.cloth, .denim, .knit, .stripes, .check, .dots]

    /// The fabrics are the last cases.
    @inline(__always) var isFabric: Bool { rawValue >= Pattern.cloth.rawValue }

    /// A fabric's albedo at `p` with normal `n`.
    @inline(__always) func fabric(_ base: SIMD3<Float>, at p: SIMD3<Float>, normal n: SIMD3<Float>, footprint f: Float, variant: UInt32)
        -> SIMD3<Float>
    {
        let seed = variant & 0xFF_FFFF
        let angle = Float(variant >> 24) * (2 * .pi / 256)
        let forward = SIMD3<Float>(sinf(angle), 0, cosf(angle)), right = SIMD3<Float>(cosf(angle), 0, -sinf(angle))
        // Across the front and back, or along the sides: whichever the surface faces least.
        let (facingFront, facingSide) = (abs((n * forward).sum()), abs((n * right).sum()))
        let front = facingFront >= facingSide
        let u = ((front ? right : forward) * p).sum()
        let v = p.y
        // Where the cloth turns away from the axis a coordinate runs along, that coordinate
        // changes faster across the pixel than the footprint says: widen it there.
        let fu = f / max(0.25, front ? facingFront : facingSide)
        let fv = f / max(0.25, (1 - min(1, n.y * n.y)).squareRoot())
        let folds = Fabric.folds(u, v, min(fu, fv), seed)
        let second = Fabric.secondColor(base, seed)
        switch self {
        case .denim: return Fabric.denim(base, u, v, fu, fv, seed) * folds
        case .knit: return base * Fabric.knit(u, v, fu, fv, seed) * folds
        case .stripes:
            // Horizontal bands (Breton shirts, rugby tops) 1.5–6 cm apart.
            let period = 0.015 + 0.045 * Fabric.draw(seed, 1), duty = 0.3 + 0.35 * Fabric.draw(seed, 2)
            let share = Fabric.squareWave(v, period: period, duty: duty, footprint: fv)
            return (base + (second - base) * share) * folds
        case .check:
            // Gingham or tartan: bands of the second colour both ways, darker where they cross.
            let period = 0.02 + 0.08 * Fabric.draw(seed, 3), duty = 0.25 + 0.3 * Fabric.draw(seed, 4)
            let a = Fabric.squareWave(u, period: period, duty: duty, footprint: fu)
            let b = Fabric.squareWave(v + 0.37 * period, period: period, duty: duty, footprint: fv)
            let mid = base + (second - base) * 0.55
            let color = base * ((1 - a) * (1 - b)) + mid * (a * (1 - b) + b * (1 - a)) + second * (a * b)
            return color * folds
        case .dots:
            let share = Fabric.dots(u, v, min(fu, fv), seed)
            return (base + (second - base) * share) * folds
        default:
            // Plain cloth: a woven grain that averages out past a few metres.
            let grain = 0.94 + 0.12 * Self.fbm(u, v, min(fu, fv), seed &+ 5, frequency: 1 / 0.004, octaves: 1)
            return base * grain * folds
        }
    }
}

/// The parts of the fabrics that do not depend on which one.
enum Fabric {
    /// The top 8 bits of a fabric's variant for a wearer facing `direction` (horizontal).
    static func facing(_ direction: SIMD3<Float>) -> UInt32 {
        var angle = atan2f(direction.x, direction.z)
        if angle < 0 { angle += 2 * .pi }
        return (UInt32(angle / (2 * .pi) * 256 + 0.5) & 0xFF) << 24
    }

    /// A number in 0…1 drawn from a fabric's seed, one per `slot`.
    @inline(__always) static func draw(_ seed: UInt32, _ slot: Int32) -> Float { Pattern.hash(slot, 7, seed) }

    /// The colour a pattern sets against the cloth's own: white, black, navy, red, a grey, or a
    /// much darker or lighter shade of the cloth.
    static func secondColor(_ base: SIMD3<Float>, _ seed: UInt32) -> SIMD3<Float> {
        let choice = Int(draw(seed, 0) * 7)
        switch choice {
        case 0: return SIMD3(0.75, 0.74, 0.7)
        case 1: return SIMD3(0.02, 0.02, 0.022)
        case 2: return SIMD3(0.02, 0.03, 0.1)
        case 3: return SIMD3(0.5, 0.05, 0.05)
        case 4: return SIMD3(repeating: 0.3)
        case 5: return base * 0.3
        default: return pointwiseMin(SIMD3(repeating: 0.8), base * 2.2 + SIMD3(repeating: 0.08))
        }
    }

    /// Folds and creases: a slow, ridged shading of the cloth between 0.82 and 1.06. A crease
    /// is a threshold of a noise, so where the footprint averages the noise away the cloth takes
    /// the creases' mean shading instead (creasing the averaged noise would darken it all).
    @inline(__always) static func folds(_ u: Float, _ v: Float, _ f: Float, _ seed: UInt32) -> Float {
        let detail = Pattern.fade(f, 0.09)
        guard detail > 0 else { return averageFolds }
        let n = Pattern.fbm(u * 0.6, v, f, seed &+ 11, frequency: 1 / 0.09, octaves: 2)
        return crease(n) * detail + averageFolds * (1 - detail)
    }

    /// The shading of a fold noise: dark and narrow where the noise crosses its middle.
    @inline(__always) static func crease(_ n: Float) -> Float {
        let c = 1 - abs(n - 0.5) * 2
        return 1.06 - 0.24 * c * c * c
    }

    /// The mean of a nonlinear function of a fold-scale noise over a large area (measured once
    /// on the noise itself), what it fades to from afar.
    static func mean(_ shade: (Float) -> Float, frequency: Float, seed: UInt32) -> Float {
        var sum: Float = 0
        for i in 0..<4096 {
            let (u, v) = (Float(i % 64) * 0.37, Float(i / 64) * 0.41)
            sum += shade(Pattern.fbm(u, v, 0, seed, frequency: frequency, octaves: 2))
        }
        return sum / 4096
    }

    static let averageFolds = mean(crease, frequency: 1 / 0.09, seed: 11)
    static let averageWear = mean({ Pattern.smoothstep(0.45, 0.8, $0) }, frequency: 1 / 0.25, seed: 23)

    /// The share of a footprint `footprint` wide, centred at `x`, that falls on the bands of a
    /// square wave (bands `duty` of each `period` long): exact box filtering, so bands narrower
    /// than the footprint blend into their share instead of flickering.
    @inline(__always) static func squareWave(_ x: Float, period: Float, duty: Float, footprint: Float) -> Float {
        // The integral of the band indicator from 0 to t periods.
        @inline(__always) func integral(_ t: Float) -> Float {
            let whole = floorf(t)
            return whole * duty + min(t - whole, duty)
        }
        let width = max(footprint, 1e-5) / period
        if width > 64 { return duty }
        let t = x / period
        return (integral(t + width / 2) - integral(t - width / 2)) / width
    }

    /// Denim: a twill of fine diagonal lines, lighter where worn (thighs, knees) in slow patches,
    /// with a slub of uneven threads.
    static func denim(_ base: SIMD3<Float>, _ u: Float, _ v: Float, _ fu: Float, _ fv: Float, _ seed: UInt32) -> SIMD3<Float> {
        let f = min(fu, fv)
        let twill = Fabric.squareWave((u + v) * 0.7071, period: 0.0025, duty: 0.5, footprint: f)
        let slub = Pattern.fbm(u * 4, v, f, seed &+ 17, frequency: 1 / 0.01, octaves: 1)
        // Worn patches are a threshold of a noise too: their mean share from afar.
        let detail = Pattern.fade(f, 0.25)
        let worn = detail > 0 ? Pattern.smoothstep(0.45, 0.8, Pattern.fbm(u, v, f, seed &+ 23, frequency: 1 / 0.25, octaves: 2)) : 0
        let wear = worn * detail + averageWear * (1 - detail)
        let faded = pointwiseMin(SIMD3(repeating: 0.7), base * 1.8 + SIMD3(0.05, 0.07, 0.1))
        let color = base + (faded - base) * (0.55 * wear)
        return color * (0.86 + 0.2 * twill + 0.1 * (slub - 0.5))
    }

    /// Knitwear: ribs running down the body, a little uneven, seen as a fine shading.
    static func knit(_ u: Float, _ v: Float, _ fu: Float, _ fv: Float, _ seed: UInt32) -> Float {
        let rib = squareWave(u, period: 0.006, duty: 0.5, footprint: fu)
        let yarn = Pattern.fbm(u, v * 3, min(fu, fv), seed &+ 29, frequency: 1 / 0.008, octaves: 1)
        return 0.84 + 0.22 * rib + 0.1 * (yarn - 0.5)
    }

    /// Dots of the second colour on a jittered grid, 0.5–2 cm across: the share of the
    /// footprint they cover, their mean coverage once the footprint spans a cell.
    static func dots(_ u: Float, _ v: Float, _ f: Float, _ seed: UInt32) -> Float {
        let cell = 0.02 + 0.04 * draw(seed, 5)
        let radius = cell * (0.15 + 0.2 * draw(seed, 6))
        let average = Float.pi * radius * radius / (cell * cell)
        let detail = Pattern.fade(f, cell)
        guard detail > 0 else { return average }
        let (x, y) = (u / cell, v / cell)
        let (cx, cy) = (floorf(x), floorf(y))
        let (ix, iy) = (Int32(truncatingIfNeeded: Int(cx)), Int32(truncatingIfNeeded: Int(cy)))
        let jitter = 0.5 - radius / cell
        let px = cx + 0.5 + (Pattern.hash(ix, iy, seed &+ 31) - 0.5) * 2 * jitter
        let py = cy + 0.5 + (Pattern.hash(ix, iy, seed &+ 37) - 0.5) * 2 * jitter
        let d = ((x - px) * (x - px) + (y - py) * (y - py)).squareRoot() * cell
        let edge = max(f / 2, 1e-4)
        let inside = 1 - Pattern.smoothstep(radius - edge, radius + edge, d)
        return inside * detail + average * (1 - detail)
    }
}
