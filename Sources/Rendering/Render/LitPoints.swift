internal import StudioCore

/// The surface points of a row to be lit by the sun and the lamps, gathered while the row's
/// waves are shaded and lit together afterwards: each lamp is then tested against eight points
/// at a time (distance, facing and brightness in SIMD lanes) and a square root is taken only for
/// the points it reaches; its shadow rays come out together, which Embree traces faster.
struct LitPoints {
    struct Point {
        var position: SIMD3<Float>
        /// Where its shadow rays start: just off the surface.
        var origin: SIMD3<Float>
        var normal: SIMD3<Float>
        /// The weight of its light in its sample (albedo × path weight).
        var albedo: SIMD3<Float>
        var sample: Int32
        /// The pixel whose random stream it draws from.
        var pixel: Int32
    }

    /// Eight points' positions and normals, one SIMD vector per coordinate, and the box
    /// around the points.
    struct Block {
        var x, y, z: SIMD8<Float>
        var nx, ny, nz: SIMD8<Float>
        var lower = SIMD3<Float>(repeating: .infinity), upper = SIMD3<Float>(repeating: -.infinity)

        /// Lanes without a point hold one beyond any lamp's reach.
        static let unfilled = Block(
            x: SIMD8(repeating: 1e18), y: SIMD8(repeating: 1e18), z: SIMD8(repeating: 1e18), nx: .zero, ny: SIMD8(repeating: 1),
            nz: .zero)
    }

    let points: [Point]

    var count: Int { points.count }

    /// At most `capacity` points, written in place by `fill` (`ArrayWriter`: no per-point checks).
    init(capacity: Int, _ fill: (inout ArrayWriter<Point>) -> Void) { points = Array(capacity: capacity, writing: fill) }

    subscript(i: Int) -> Point { points[i] }

    /// The points eight to a block.
    var blocks: [Block] {
        stride(from: 0, to: points.count, by: 8).map { start in
            var block = Block.unfilled
            for (lane, point) in points[start..<min(start + 8, points.count)].enumerated() {
                block.x[lane] = point.position.x
                block.y[lane] = point.position.y
                block.z[lane] = point.position.z
                block.nx[lane] = point.normal.x
                block.ny[lane] = point.normal.y
                block.nz[lane] = point.normal.z
                block.lower = SIMD3(
                    min(block.lower.x, point.position.x), min(block.lower.y, point.position.y), min(block.lower.z, point.position.z))
                block.upper = SIMD3(
                    max(block.upper.x, point.position.x), max(block.upper.y, point.position.y), max(block.upper.z, point.position.z))
            }
            return block
        }
    }
}

extension ArrayWriter<LitPoints.Point> {
    /// Writes a point to light.
    @inline(__always) mutating func write(_ point: SIMD3<Float>, normal n: SIMD3<Float>, albedo: SIMD3<Float>, sample: Int, pixel: Int) {
        write(Element(position: point, origin: point + n * 2e-3, normal: n, albedo: albedo, sample: Int32(sample), pixel: Int32(pixel)))
    }
}

extension SIMDMask<SIMD8<Int32>> {
    /// Lane k set ⇔ bit k set.
    @inline(__always) var bits: Int32 {
        let lanes = SIMD8<Int32>.zero.replacing(with: SIMD8(1, 2, 4, 8, 16, 32, 64, 128), where: self)
        let four = lanes.lowHalf | lanes.highHalf, two = four.lowHalf | four.highHalf
        return two.x | two.y
    }
}

extension StreetRenderer {
    /// Light for every gathered point of row `y`, as two batches of shadow rays carrying what
    /// each adds to its sample when nothing blocks it: towards the sun, one per point facing it,
    /// its direction drawn from the sun's cone (from the point's pixel stream, in point order; a
    /// pixel's samples take different parts of the cone, in an order that varies from pixel to
    /// pixel); towards the lamps, lamp by lamp, one per point a lamp would add a visible amount
    /// to. Lamps are tested against eight points at a time; the bits of what each reaches size
    /// the batch, and the rays are then written straight into it.
    static func light(
        _ points: LitPoints, row y: Int, samplesPerPixel spp: Int, _ ctx: Context, _ randoms: UnsafeMutableBufferPointer<RandomStream>
    ) -> (
        sun: Shadows, lamps: Shadows
    ) {
        let light = ctx.light
        var sun = Shadows(), lamps = Shadows()
        // A shadow ray sees moving things when its sample does.
        let timed = ctx.camera.lens.shutter > 0, rowStart = y * Int(ctx.camera.width)
        @inline(__always) func time(_ point: LitPoints.Point) -> Float {
            timed ? Lens.time(sample: Int(point.sample) % spp, of: spp, pixel: rowStart + Int(point.pixel)) : 0.5
        }
        if light.sunIntensity.max() > 0 {
            let side = Lighting.sunStrata(samplesPerPixel: spp), strata = side * side
            sun = Shadows(capacity: points.count) { rays in
                for point in points.points {
                    let x = Int(point.pixel)
                    let turn = Int(
                        truncatingIfNeeded: (UInt32(truncatingIfNeeded: x) &* 73_856_093 ^ UInt32(truncatingIfNeeded: y) &* 19_349_663) >> 7
                    )
                    let stratum = (Int(point.sample) % spp + turn) % strata
                    let toSun = light.sunDirection(stratum: stratum, side: side, Int(truncatingIfNeeded: randoms[x].next()))
                    let cosine = (point.normal * toSun).sum()
                    guard cosine > 0 else { continue }
                    rays.write(
                        point.origin, toSun, time: time(point),
                        ShadowRay(sample: Int(point.sample), contribution: point.albedo * light.sunIntensity * cosine))
                }
            }
        }
        guard !ctx.scene.lights.isEmpty else { return (sun, lamps) }
        let blocks = points.blocks
        let visible = ctx.visibleLight
        let lights = ctx.scene.lights
        // Which points of each block each lamp reaches, as bits: first to count the rays, then
        // to write them straight into a batch of that size.
        var reachedBy = [UInt8](repeating: 0, count: lights.count * blocks.count)
        var total = 0
        for (k, lamp) in lights.enumerated() {
            let reach = ctx.lampReach[k], brightest2 = lamp.brightest * lamp.brightest
            for (b, block) in blocks.enumerated() {
                // Beyond the lamp's reach from every point of the box: nothing to test.
                let gx = max(max(0, block.lower.x - lamp.position.x), lamp.position.x - block.upper.x)
                let gy = max(max(0, block.lower.y - lamp.position.y), lamp.position.y - block.upper.y)
                let gz = max(max(0, block.lower.z - lamp.position.z), lamp.position.z - block.upper.z)
                guard gx * gx + gy * gy + gz * gz < reach else { continue }
                let tx = lamp.position.x - block.x, ty = lamp.position.y - block.y, tz = lamp.position.z - block.z
                let d2 = tx * tx + ty * ty + tz * tz
                let along = block.nx * tx + block.ny * ty + block.nz * tz
                // cosine · brightest / (d² + 1) > visible, with cosine = along / d, tested
                // squared: no square root for the points the lamp does not reach.
                let bound = visible * (d2 + 1)
                let reached = ((d2 .< reach) .& (along .> 0) .& (along * along * brightest2 .> bound * bound * d2)).bits
                reachedBy[k * blocks.count + b] = UInt8(reached)
                total += reached.nonzeroBitCount
            }
        }
        lamps = Shadows(capacity: total) { rays in
            for (k, lamp) in lights.enumerated() {
                for (b, block) in blocks.enumerated() where reachedBy[k * blocks.count + b] != 0 {
                    let tx = lamp.position.x - block.x, ty = lamp.position.y - block.y, tz = lamp.position.z - block.z
                    let d2 = tx * tx + ty * ty + tz * tz
                    let along = block.nx * tx + block.ny * ty + block.nz * tz
                    let d = d2.squareRoot()
                    let inverse = 1 / d
                    // Per lane: the distance, its inverse and the light's scale, read from memory once.
                    var lanes = (d, inverse, along * inverse / (d2 + 1))
                    withUnsafeBytes(of: &lanes) { lanes in
                        func value(_ k: Int) -> Float { lanes.load(fromByteOffset: k * 4, as: Float.self) }
                        var rest = reachedBy[k * blocks.count + b]
                        while rest != 0 {
                            let lane = Int(rest.trailingZeroBitCount)
                            rest &= rest - 1
                            let point = points[b * 8 + lane]
                            rays.write(
                                point.origin, (lamp.position - point.position) * value(8 + lane), far: value(lane) - 0.3, time: time(point),
                                ShadowRay(sample: Int(point.sample), contribution: point.albedo * lamp.color * value(16 + lane)))
                        }
                    }
                }
            }
        }
        return (sun, lamps)
    }
}
