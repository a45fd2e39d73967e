internal import Glibc

/// Smooth procedural shapes: swept tubes and ellipsoids with a normal per vertex, the parts
/// bodies, bicycles and street furniture are made of.
extension Mesh {
    /// A tube swept along `path` (at least two points) whose cross-section at point k is an
    /// ellipse with half-axes `radii[k]`: `.x` along `side` (made perpendicular to the path),
    /// `.y` across both. With `capped`, each end is closed by a rounded cap as deep as its
    /// radius, so limbs meet at joints without seams.
    static func tube(
        _ path: [SIMD3<Float>], radii: [SIMD2<Float>], side: SIMD3<Float>, segments: Int = 12, capped: Bool = true
    ) -> Mesh {
        precondition(path.count >= 2 && radii.count == path.count)
        var centres: [SIMD3<Float>] = [], sizes: [SIMD2<Float>] = [], tangents: [SIMD3<Float>] = []
        let n = path.count
        for k in 0..<n {
            let a = path[max(0, k - 1)], b = path[min(n - 1, k + 1)]
            tangents.append(normalized(b - a, or: SIMD3(0, 1, 0)))
        }
        // Caps: rings shrinking on a quarter circle beyond each end.
        let capRings = capped ? 3 : 0
        func cap(_ end: Int, _ direction: Float) -> [(SIMD3<Float>, SIMD2<Float>, SIMD3<Float>)] {
            let r = radii[end], t = tangents[end] * direction
            let depth = min(r.x, r.y)
            return (1...capRings).map { j in
                let angle = Float(j) / Float(capRings + 1) * .pi / 2
                return (path[end] + t * depth * sinf(angle), r * cosf(angle), tangents[end])
            }
        }
        if capped { for ring in cap(0, -1).reversed() { centres.append(ring.0); sizes.append(ring.1); tangents.insert(ring.2, at: 0) } }
        centres += path
        sizes += radii
        if capped { for ring in cap(n - 1, 1) { centres.append(ring.0); sizes.append(ring.1); tangents.append(ring.2) } }
        var mesh = Mesh()
        let reference = normalized(side, or: SIMD3(1, 0, 0))
        for (k, centre) in centres.enumerated() {
            let t = tangents[k]
            var u = reference - (reference * t).sum() * t
            if (u * u).sum() < 1e-6 { u = abs(t.x) < 0.9 ? SIMD3(1, 0, 0) : SIMD3(0, 0, 1) }
            u = normalized(u - (u * t).sum() * t)
            let v = cross(t, u)
            for s in 0..<segments {
                let a = Float(s) / Float(segments) * 2 * .pi
                mesh.vertices.append(centre + u * (sizes[k].x * cosf(a)) + v * (sizes[k].y * sinf(a)))
            }
        }
        let m = UInt32(segments), rings = UInt32(centres.count)
        for r in 0..<(rings - 1) {
            for s in 0..<m {
                let a = r * m + s, b = r * m + (s + 1) % m, c = (r + 1) * m + s, d = (r + 1) * m + (s + 1) % m
                mesh.triangles.append(SIMD3(a, b, c))
                mesh.triangles.append(SIMD3(b, d, c))
            }
        }
        // Close each end on a pole.
        for (ring, outward) in [(UInt32(0), Float(-1)), (rings - 1, Float(1))] {
            let k = Int(ring)
            let tip = centres[k] + tangents[k] * outward * (capped ? 0.35 * min(sizes[k].x, sizes[k].y) : 0)
            let index = UInt32(mesh.vertices.count)
            mesh.vertices.append(tip)
            for s in 0..<m {
                let a = ring * m + s, b = ring * m + (s + 1) % m
                mesh.triangles.append(outward < 0 ? SIMD3(index, b, a) : SIMD3(index, a, b))
            }
        }
        return mesh.smoothed()
    }

    /// A capsule from `a` to `b`, radius `r0` at `a` tapering to `r1` at `b`.
    static func limb(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ r0: Float, _ r1: Float, side: SIMD3<Float>, segments: Int = 10) -> Mesh {
        tube(
            [a, (a + b) / 2, b], radii: [SIMD2(repeating: r0), SIMD2(repeating: (r0 + r1) / 2), SIMD2(repeating: r1)], side: side,
            segments: segments)
    }

    /// An ellipsoid at `center` with half-axes `radii` along `axes` (three orthonormal
    /// directions; the second is the poles'), its latitude from the top pole down to
    /// `bottom(θ)` (π: the whole ellipsoid), θ the longitude measured from the first axis
    /// round to the third: hair caps stop at the hairline.
    static func ellipsoid(
        center: SIMD3<Float>, radii: SIMD3<Float>,
        axes: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>) = (SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1)),
        rings: Int = 8, segments: Int = 12, bottom: (Float) -> Float = { _ in .pi }
    ) -> Mesh {
        var mesh = Mesh()
        var normals: [SIMD3<Float>] = []
        for r in 0...rings {
            for s in 0..<segments {
                let theta = Float(s) / Float(segments) * 2 * .pi
                let phi = Float(r) / Float(rings) * min(.pi, bottom(theta))
                let local = SIMD3<Float>(sinf(phi) * cosf(theta), cosf(phi), sinf(phi) * sinf(theta))
                let p = radii * local
                mesh.vertices.append(center + axes.0 * p.x + axes.1 * p.y + axes.2 * p.z)
                let n = local / radii
                normals.append(normalized(axes.0 * n.x + axes.1 * n.y + axes.2 * n.z))
            }
        }
        let n = UInt32(segments)
        for r in 0..<UInt32(rings) {
            for s in 0..<n {
                let a = r * n + s, b = r * n + (s + 1) % n, c = (r + 1) * n + s, d = (r + 1) * n + (s + 1) % n
                mesh.triangles.append(SIMD3(a, c, b))
                mesh.triangles.append(SIMD3(b, c, d))
            }
        }
        // An open cap shows its inside too: the renderer turns normals to face the ray.
        mesh.normals = normals
        return mesh
    }

    /// A torus in the plane through `center` spanned by `u` and `v` (unit, perpendicular):
    /// radius `major` to the middle of the tube, tube radius `minor` (wheels, tyres).
    static func torus(
        center: SIMD3<Float>, u: SIMD3<Float>, v: SIMD3<Float>, major: Float, minor: Float, segments: Int = 24, sides: Int = 6
    )
        -> Mesh
    {
        var mesh = Mesh()
        let axis = cross(u, v)
        for s in 0..<segments {
            let a = Float(s) / Float(segments) * 2 * .pi
            let radial = u * cosf(a) + v * sinf(a)
            for k in 0..<sides {
                let b = Float(k) / Float(sides) * 2 * .pi
                let n = radial * cosf(b) + axis * sinf(b)
                mesh.vertices.append(center + radial * major + n * minor)
                mesh.normals.append(n)
            }
        }
        let m = UInt32(sides), count = UInt32(segments)
        for s in 0..<count {
            for k in 0..<m {
                let s1 = (s + 1) % count, k1 = (k + 1) % m
                let a = s * m + k, b = s * m + k1, c = s1 * m + k, d = s1 * m + k1
                mesh.triangles.append(SIMD3(a, c, b))
                mesh.triangles.append(SIMD3(b, c, d))
            }
        }
        return mesh
    }
}
