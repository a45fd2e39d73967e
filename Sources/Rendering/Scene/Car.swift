internal import Glibc

/// A procedural car in its own frame (ground at y = 0, centred on the origin, facing +z): a
/// body lofted through cross-sections along its length — bumpers, bonnet, windscreen, roof,
/// rear window and boot or hatch, the cabin narrowing above the waist — with glass all round
/// the cabin between its pillars, four wheels (tyre and rim), lamps at the corners of each end and
/// number plates. The body's proportions
/// follow its kind: a hatchback ends in a steep hatch, a saloon in a boot, an SUV and a van are
/// tall and boxy.
struct Car: Sendable {
    enum Kind: String, Sendable, CaseIterable { case hatchback, sedan, suv, van }

    /// The materials a car's mesh parts wear, in this order.
    enum Part: UInt8, CaseIterable { case paint, glass, tyre, rim, headlamp, taillamp, trim }

    var kind: Kind
    var length: Float
    var width: Float
    var height: Float

    /// The kind a car's drawn size makes it: tall is an SUV (a van when long too), short a
    /// hatchback, the rest saloons.
    init(length: Float, width: Float, height: Float) {
        self.length = length
        self.width = width
        self.height = height
        kind = height > 1.58 ? (length > 4.6 ? .van : .suv) : (length < 4.25 ? .hatchback : .sedan)
        if kind == .van { self.height = max(height, 1.85) }
    }

    /// Stations along the car from the rear (s = 0) to the front (s = 1): the top of the body
    /// there and the bottom, as shares of the height.
    var profile: [(s: Float, top: Float, bottom: Float)] {
        switch kind {
        case .sedan:
            [
                (0, 0.42, 0.2), (0.03, 0.6, 0.14), (0.12, 0.66, 0.13), (0.24, 0.68, 0.13), (0.37, 0.98, 0.13), (0.42, 1, 0.13),
                (0.6, 1, 0.13), (0.66, 0.96, 0.13), (0.76, 0.7, 0.13), (0.9, 0.64, 0.13), (0.97, 0.58, 0.14), (1, 0.4, 0.2),
            ]
        case .hatchback:
            [
                (0, 0.44, 0.2), (0.03, 0.64, 0.14), (0.08, 0.8, 0.13), (0.16, 0.98, 0.13), (0.22, 1, 0.13), (0.56, 1, 0.13),
                (0.62, 0.96, 0.13), (0.74, 0.68, 0.13), (0.9, 0.62, 0.13), (0.97, 0.56, 0.14), (1, 0.4, 0.2),
            ]
        case .suv:
            [
                (0, 0.48, 0.22), (0.03, 0.66, 0.17), (0.07, 0.94, 0.16), (0.12, 1, 0.16), (0.64, 1, 0.16), (0.7, 0.95, 0.16),
                (0.8, 0.72, 0.16), (0.93, 0.68, 0.16), (0.98, 0.62, 0.17), (1, 0.46, 0.22),
            ]
        case .van:
            [
                (0, 0.46, 0.18), (0.02, 0.7, 0.12), (0.04, 0.98, 0.12), (0.07, 1, 0.12), (0.78, 1, 0.12), (0.84, 0.94, 0.12),
                (0.92, 0.64, 0.12), (0.98, 0.58, 0.13), (1, 0.44, 0.18),
            ]
        }
    }

    /// Height of the waist (bottom of the side windows), a share of the height.
    var waist: Float { kind == .van ? 0.56 : (kind == .suv ? 0.6 : 0.64) }

    /// The ring of a cross-section at one station, right half from the bottom centre round to
    /// the top centre, then the left half back (x, y in metres).
    func ring(top: Float, bottom: Float) -> [SIMD2<Float>] {
        let w = width / 2
        let waistY = waist * height, topY = top * height, bottomY = bottom * height
        var right: [SIMD2<Float>] = [SIMD2(0, bottomY), SIMD2(0.82 * w, bottomY), SIMD2(0.97 * w, bottomY + 0.06)]
        let shoulder = min(topY, waistY)
        right += [SIMD2(w, bottomY + 0.4 * (shoulder - bottomY)), SIMD2(0.995 * w, shoulder - 0.03), SIMD2(0.96 * w, shoulder)]
        if topY > waistY + 0.02 {
            // The cabin: sides leaning in (tumblehome) to a rounded roof edge.
            let cabin = topY - waistY
            right += [SIMD2(0.9 * w, waistY + 0.45 * cabin), SIMD2(0.8 * w, topY - 0.05), SIMD2(0.7 * w, topY)]
        } else {
            // No cabin here (bumpers, bonnet, boot): as many points, along the flat top.
            right += [SIMD2(0.9 * w, topY), SIMD2(0.8 * w, topY), SIMD2(0.7 * w, topY)]
        }
        right.append(SIMD2(0, topY))
        let left = right.dropFirst().dropLast().reversed().map { SIMD2(-$0.x, $0.y) }
        return right + left
    }

    /// The car's mesh: body (paint, glass, trim), wheels and lamps, parts by `Part`.
    var mesh: Mesh {
        var mesh = Mesh()
        let stations = profile
        let rings = stations.map { ring(top: $0.top, bottom: $0.bottom) }
        let perRing = rings[0].count
        precondition(rings.allSatisfy { $0.count == perRing }, "every cross-section has as many points")
        var body = Mesh()
        for (k, station) in stations.enumerated() {
            let z = (station.s - 0.5) * length
            for p in rings[k] { body.vertices.append(SIMD3(p.x, p.y, z)) }
        }
        let m = UInt32(perRing)
        for k in 0..<UInt32(stations.count - 1) {
            for j in 0..<m {
                let a = k * m + j, b = k * m + (j + 1) % m, c = (k + 1) * m + j, d = (k + 1) * m + (j + 1) % m
                body.triangles += [SIMD3(a, c, b), SIMD3(b, c, d)]
            }
        }
        // The ends: fans from each end's centre.
        for (k, outward) in [(0, Float(-1)), (stations.count - 1, 1)] {
            let centre = rings[k].reduce(SIMD2<Float>.zero, +) / Float(perRing)
            let index = UInt32(body.vertices.count)
            body.vertices.append(SIMD3(centre.x, centre.y, (stations[k].s - 0.5) * length))
            let base = UInt32(k) * m
            for j in 0..<m {
                let a = base + j, b = base + (j + 1) % m
                body.triangles.append(outward < 0 ? SIMD3(index, a, b) : SIMD3(index, b, a))
            }
        }
        body = body.smoothed()
        body.parts = body.triangles.map { part(of: $0, in: body) }
        mesh.append(body)
        // Wheels: a tyre and a rim at each corner, the tyres standing just inside the body's sides.
        let radius: Float = kind == .van || kind == .suv ? 0.36 : 0.32
        let axles = kind == .van ? [0.17, 0.8] : [0.18, 0.8] as [Float]
        for s in axles {
            for side: Float in [-1, 1] {
                let centre = SIMD3<Float>(side * (width / 2 - 0.13), radius, (s - 0.5) * length)
                let minor: Float = 0.095
                mesh.append(
                    .torus(
                        center: centre, u: SIMD3(0, 1, 0), v: SIMD3(0, 0, 1), major: radius - minor, minor: minor, segments: 20, sides: 8),
                    part: Part.tyre.rawValue)
                mesh.append(
                    .cylinder(
                        center: centre + SIMD3(side * 0.035, 0, 0), radius: radius - minor * 1.2, length: 0.05, alongX: true, segments: 14),
                    part: Part.rim.rawValue)
            }
        }
        // Lamps at the outer corners of each end, just above the bumper, on the body's surface.
        for (rear, part) in [(true, Part.taillamp), (false, Part.headlamp)] {
            let y = (rear ? 0.56 : 0.54) * height
            let z = end(rear: rear, at: y) + (rear ? -0.005 : 0.005)
            for side: Float in [-1, 1] {
                mesh.append(
                    .box(center: SIMD3(side * width * 0.34, y, z), size: SIMD3(width * (rear ? 0.18 : 0.2), rear ? 0.1 : 0.08, 0.06)),
                    part: part.rawValue)
            }
        }
        // Number plates, on the middle of each end.
        let front = stations.last!, rear = stations[0]
        for (z, y) in [
            (length / 2 + 0.01, (front.bottom + 0.12) * height + 0.05), (-length / 2 - 0.01, (rear.bottom + 0.15) * height + 0.08),
        ] {
            mesh.append(.box(center: SIMD3(0, y, z), size: SIMD3(0.5, 0.11, 0.02)), part: Part.trim.rawValue)
        }
        return mesh
    }

    /// Where the body's rear (or front) face is at height `y`: the z of the first station
    /// from that end whose top reaches `y`, interpolated between stations.
    func end(rear: Bool, at y: Float) -> Float {
        let stations = rear ? profile : profile.reversed()
        for k in 1..<stations.count where stations[k].top * height >= y {
            let (a, b) = (stations[k - 1], stations[k])
            let t = max(0, min(1, (y - a.top * height) / max(1e-4, (b.top - a.top) * height)))
            return (a.s + (b.s - a.s) * t - 0.5) * length
        }
        return (rear ? -0.5 : 0.5) * length
    }

    /// The material of a body triangle: glass above the waist within the cabin (but the roof
    /// and the pillars), black trim along the bottom, paint elsewhere.
    func part(of triangle: SIMD3<UInt32>, in body: Mesh) -> UInt8 {
        let a = body.vertices[Int(triangle.x)], b = body.vertices[Int(triangle.y)], c = body.vertices[Int(triangle.z)]
        let centre = (a + b + c) / 3
        let s = centre.z / length + 0.5
        let n = normalized(cross(b - a, c - a))
        if centre.y < 0.2 * height && abs(n.y) < 0.8 { return Part.trim.rawValue }
        guard centre.y > waist * height + 0.03 else { return Part.paint.rawValue }
        // The roof: facing up near the top of the cabin.
        let roofTop = profile.max { $0.top < $1.top }!.top * height
        if n.y > 0.85 && centre.y > roofTop - 0.06 { return Part.paint.rawValue }
        // Pillars: bands at the cabin's ends and between the doors.
        let cabin = profile.filter { $0.top > waist + 0.02 }
        let (start, end) = (cabin.first!.s, cabin.last!.s)
        let pillars = [start + 0.015, kind == .van ? 0.45 : (start + end) / 2, end - 0.015]
        let sideways = abs(n.x) > 0.5
        if sideways && pillars.contains(where: { abs(s - $0) < 0.018 }) { return Part.paint.rawValue }
        return Part.glass.rawValue
    }
}
