internal import Glibc

/// Procedural surface patterns of the built-in street, evaluated where a ray meets a surface
/// (solid texturing: positions in metres, no UVs): asphalt with grain, stains, cracks and
/// repaired patches; paving slabs; brick in running bond; concrete panels; plaster; worn road
/// paint. Each scales a base colour (the object's own, so a street's walls still differ), and
/// `variant` (hashed from the object) moves the pattern so no two buildings share one.
///
/// Band-limited by the ray's footprint (the width in metres a pixel covers there): a feature
/// smaller than the footprint fades to its average, and a joint or crack narrower than it darkens
/// by the share of the footprint it covers, so far surfaces average instead of sparkling — the
/// procedural counterpart of a mip-map.
enum Pattern: UInt8, Sendable, Hashable {
    case asphalt, paving, brick, concrete, plaster, paint
    /// Clothing (`Fabric.swift`): evaluated in the wearer's frame, not the street's.
    case cloth, denim, knit, stripes, check, dots

    /// Albedo at `p` on a surface facing `n`, for a base colour.
    @inline(__always) func albedo(_ base: SIMD3<Float>, at p: SIMD3<Float>, normal n: SIMD3<Float>, footprint: Float, variant: UInt32)
        -> SIMD3<Float>
    {
        if isFabric { return fabric(base, at: p, normal: n, footprint: max(footprint, 1e-4), variant: variant) }
        // Two surface coordinates: the ground plane, or along a wall and up it.
        let flat = abs(n.y) > 0.7
        let u = flat ? p.x : (abs(n.x) > abs(n.z) ? p.z : p.x)
        let v = flat ? p.z : p.y
        let f = max(footprint, 1e-4)
        switch self {
        case .asphalt: return base * Self.asphalt(u, v, f, variant)
        case .paving: return base * Self.slabs(u, v, f, variant, size: SIMD2(0.6, 0.6), joint: 0.008, jitter: 0.12, grain: 0.18)
        case .concrete:
            return base * Self.slabs(u, v, f, variant, size: SIMD2(3, 1.5), joint: 0.015, jitter: 0.06, grain: 0.12, streaks: true)
        case .brick: return Self.brick(base, u, v, f, variant)
        case .plaster: return base * Self.plaster(u, v, f, variant, wall: !flat)
        case .paint: return Self.paint(base, u, v, f, variant)
        case .cloth, .denim, .knit, .stripes, .check, .dots: return base
        }
    }

    // MARK: The patterns

    /// Aggregate grain of 3 cm, tar stains over metres, cracks along the edges of a
    /// cellular pattern where a slow noise says the surface is old, and rectangular patches of
    /// newer, darker tar.
    static func asphalt(_ u: Float, _ v: Float, _ f: Float, _ seed: UInt32) -> Float {
        var shade = 0.82 + 0.36 * fbm(u, v, f, seed, frequency: 1 / 0.03, octaves: 1)
        shade *= 0.86 + 0.28 * fbm(u, v, f, seed &+ 7, frequency: 1 / 2.5, octaves: 2)
        // Patches: cells of 3 × 2 m, one in eight repaired.
        let (pu, pv) = (u / 3, v / 2)
        let (cu, cv) = (floorf(pu), floorf(pv))
        if hash(Int32(cu), Int32(cv), seed &+ 11) < 0.12 {
            let inset = min(min(pu - cu, cu + 1 - pu) * 3, min(pv - cv, cv + 1 - pv) * 2)
            // Inside the patch's rectangle (0.3 m in from its cell), its edge softened by the footprint.
            let inside = smoothstep(0.3 - f, 0.3 + f, inset)
            shade *= 1 - 0.22 * inside
        }
        // Cracks: thin dark lines where the two nearest cell points are nearly equidistant,
        // only where an old-surface noise is high.
        let age = fbm(u, v, f, seed &+ 23, frequency: 1 / 7, octaves: 1)
        if age > 0.62 {
            // Wavering, not straight: the cells' coordinates bent by a noise of their own.
            let (wu, wv) = (
                u + 0.35 * (value(u * 1.7, v * 1.7, seed &+ 43) - 0.5), v + 0.35 * (value(u * 1.7 + 19, v * 1.7 + 7, seed &+ 47) - 0.5)
            )
            let gap = cellularGap(wu / 1.8, wv / 1.8, seed &+ 31) * 1.8
            shade *= 1 - 0.4 * line(gap, 0.005, f) * smoothstep(0.62, 0.75, age)
        }
        return shade
    }

    /// Slabs of `size` metres with `joint`-wide dark joints, each slab its own tint, fine grain,
    /// and for concrete vertical rain streaks.
    static func slabs(
        _ u: Float, _ v: Float, _ f: Float, _ seed: UInt32, size: SIMD2<Float>, joint: Float, jitter: Float, grain: Float,
        streaks: Bool = false
    ) -> Float {
        let (su, sv) = (u / size.x, v / size.y)
        let (cu, cv) = (floorf(su), floorf(sv))
        let tint = 1 + jitter * (2 * hash(Int32(cu), Int32(cv), seed) - 1) * fade(f, size.x)
        var shade = tint * (1 - grain / 2 + grain * fbm(u, v, f, seed &+ 3, frequency: 1 / 0.03, octaves: 2))
        if streaks { shade *= 0.9 + 0.2 * fbm(u * 6, v * 0.35, f * 6, seed &+ 5, frequency: 1, octaves: 2) }
        let edge = min(min(su - cu, cu + 1 - su) * size.x, min(sv - cv, cv + 1 - sv) * size.y)
        return shade * (1 - 0.45 * line(edge, joint / 2, f))
    }

    /// Bricks of 24 × 7.5 cm in running bond with 1.2 cm mortar; each brick its own shade.
    static func brick(_ base: SIMD3<Float>, _ u: Float, _ v: Float, _ f: Float, _ seed: UInt32) -> SIMD3<Float> {
        let (length, course, mortar): (Float, Float, Float) = (0.24, 0.075, 0.012)
        let mortarColor = SIMD3<Float>(0.42, 0.4, 0.37)
        // Far away: bricks and mortar in proportion, and the wall's own slow variation.
        let share = mortar / course + mortar / length
        let average = base * (1 - share) + mortarColor * share
        let slow = 0.9 + 0.2 * fbm(u, v, f, seed &+ 1, frequency: 1 / 3, octaves: 1)
        let near = fade(f, course)
        guard near > 0 else { return average * slow }
        let row = floorf(v / course)
        let shifted = u / length + (Int(row) & 1 == 0 ? 0 : 0.5)
        let column = floorf(shifted)
        let tone = 0.78 + 0.44 * hash(Int32(column), Int32(row), seed)
        let edge = min(min(shifted - column, column + 1 - shifted) * length, min(v / course - row, row + 1 - v / course) * course)
        let inMortar = line(edge, mortar / 2, f)
        let grain = 0.9 + 0.2 * fbm(u, v, f, seed &+ 9, frequency: 1 / 0.02, octaves: 1)
        let close = (base * tone * grain) * (1 - inMortar) + mortarColor * inMortar
        return (close * near + average * (1 - near)) * slow
    }

    /// Plaster (or snow on the ground): blotchy weathering over metres, a fine grain; on a
    /// wall, grime darkening its lowest metres.
    static func plaster(_ u: Float, _ v: Float, _ f: Float, _ seed: UInt32, wall: Bool) -> Float {
        let blotch = 0.85 + 0.3 * fbm(u, v, f, seed, frequency: 1 / 1.5, octaves: 2)
        let grain = 0.92 + 0.16 * fbm(u, v, f, seed &+ 2, frequency: 1 / 0.01, octaves: 1)
        return blotch * grain * (wall ? 0.9 + 0.1 * smoothstep(0, 2.5, v) : 1)
    }

    /// How wet the road is at a point when it rains, 0…1: standing water in the hollows that a
    /// slow noise marks, damp elsewhere.
    static func puddle(_ u: Float, _ v: Float, _ f: Float, _ seed: UInt32) -> Float {
        let hollow = fbm(u, v, f, seed &+ 57, frequency: 1 / 4, octaves: 2)
        return 0.35 + 0.65 * smoothstep(0.55, 0.68, hollow)
    }

    /// Road paint, worn through to the asphalt in patches and speckles.
    static func paint(_ base: SIMD3<Float>, _ u: Float, _ v: Float, _ f: Float, _ seed: UInt32) -> SIMD3<Float> {
        let asphalt = SIMD3<Float>(repeating: 0.13) * asphalt(u, v, f, seed)
        // Wear is a threshold of a noise: where the footprint averages the noise away, the
        // worn share it would show on average instead (a threshold of the average is not).
        let detail = fade(f, 0.25)
        let worn = detail > 0 ? smoothstep(0.52, 0.72, fbm(u, v, f, seed &+ 41, frequency: 1 / 0.25, octaves: 3)) : 0
        let share = worn * detail + averageWear * (1 - detail)
        return base * (1 - share) + asphalt * share
    }

    /// The share of paint worn through, over a large area (measured once on the noise itself).
    static let averageWear: Float = {
        var sum: Float = 0
        for i in 0..<4096 {
            let (u, v) = (Float(i % 64) * 0.37, Float(i / 64) * 0.41)
            sum += smoothstep(0.52, 0.72, fbm(u, v, 0, 41, frequency: 1 / 0.25, octaves: 3))
        }
        return sum / 4096
    }()

    // MARK: Noise, band-limited by the footprint

    /// How much of a feature `size` metres across survives a footprint of `f` metres: 1 while
    /// the feature spans several footprints, 0 once a footprint covers it.
    @inline(__always) static func fade(_ f: Float, _ size: Float) -> Float { 1 - smoothstep(0.25 * size, size, f) }

    /// A line of half-width `half` at distance `d` from its centre: 1 on it, 0 off it; under a
    /// footprint wider than the line, the share of the footprint it darkens.
    @inline(__always) static func line(_ d: Float, _ half: Float, _ f: Float) -> Float {
        let spread = max(half, f / 2)
        return (1 - smoothstep(spread * 0.7, spread * 1.3, d)) * min(1, half / spread)
    }

    /// Fractal value noise in 0…1 (mean ½): `octaves` octaves from `frequency` (per metre) up,
    /// each faded to its mean where the footprint covers its cells.
    @inline(__always) static func fbm(_ u: Float, _ v: Float, _ f: Float, _ seed: UInt32, frequency: Float, octaves: Int) -> Float {
        var sum: Float = 0, weight: Float = 0, amplitude: Float = 1, scale = frequency
        for octave in 0..<octaves {
            let keep = fade(f, 1 / scale)
            let n = keep > 0 ? value(u * scale, v * scale, seed &+ UInt32(octave) &* 101) : 0.5
            sum += amplitude * (0.5 + (n - 0.5) * keep)
            weight += amplitude
            amplitude *= 0.5
            scale *= 2.03
        }
        return sum / weight
    }

    /// Smooth value noise in 0…1 on a unit lattice.
    @inline(__always) static func value(_ x: Float, _ y: Float, _ seed: UInt32) -> Float {
        let (fx, fy) = (floorf(x), floorf(y))
        let (ix, iy) = (Int32(truncatingIfNeeded: Int(fx)), Int32(truncatingIfNeeded: Int(fy)))
        let (tx, ty) = (x - fx, y - fy)
        let (sx, sy) = (tx * tx * (3 - 2 * tx), ty * ty * (3 - 2 * ty))
        let a = hash(ix, iy, seed), b = hash(ix &+ 1, iy, seed), c = hash(ix, iy &+ 1, seed), d = hash(ix &+ 1, iy &+ 1, seed)
        return (a + (b - a) * sx) * (1 - sy) + (c + (d - c) * sx) * sy
    }

    /// The difference of the distances to the nearest and second-nearest jittered lattice
    /// points (0 on the boundary between two cells: where cracks run).
    static func cellularGap(_ x: Float, _ y: Float, _ seed: UInt32) -> Float {
        let (fx, fy) = (floorf(x), floorf(y))
        var first = Float.infinity, second = Float.infinity
        for dy in -1...1 {
            for dx in -1...1 {
                let (cx, cy) = (Int32(Int(fx)) &+ Int32(dx), Int32(Int(fy)) &+ Int32(dy))
                let px = Float(cx) + hash(cx, cy, seed), py = Float(cy) + hash(cx, cy, seed &+ 1)
                let d = ((px - x) * (px - x) + (py - y) * (py - y)).squareRoot()
                if d < first {
                    second = first
                    first = d
                } else if d < second {
                    second = d
                }
            }
        }
        return (second - first) / 2
    }

    /// A lattice point's value in 0…1.
    @inline(__always) static func hash(_ x: Int32, _ y: Int32, _ seed: UInt32) -> Float {
        var h = UInt32(bitPattern: x) &* 0x8DA6_B343 ^ UInt32(bitPattern: y) &* 0xD816_3841 ^ seed &* 0xCB1A_B31F
        h ^= h >> 16
        h = h &* 0x7FEB_352D
        h ^= h >> 15
        h = h &* 0x846C_A68B
        h ^= h >> 16
        return Float(h >> 8) * (1 / Float(1 << 24))
    }

    @inline(__always) static func smoothstep(_ a: Float, _ b: Float, _ x: Float) -> Float {
        let t = max(0, min(1, (x - a) / (b - a)))
        return t * t * (3 - 2 * t)
    }

    /// A variant from an object's place: different for every building, the same in every render.
    static func variant(_ p: SIMD3<Float>) -> UInt32 {
        UInt32(truncatingIfNeeded: Int(p.x * 7.3)) &* 0x9E37_79B1 ^ UInt32(truncatingIfNeeded: Int(p.z * 3.1)) &* 0x85EB_CA77
    }
}
