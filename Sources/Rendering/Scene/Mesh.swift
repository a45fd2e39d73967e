internal import Glibc

/// Triangles in world space, built from procedural parts.
///
/// A mesh may carry a normal per vertex (smooth surfaces: bodies, limbs, heads); a zero normal
/// marks a vertex of a flat part (boxes), shaded with its triangle's own normal. It may also
/// carry a part per triangle: which of its object's materials the triangle wears (skin, top,
/// trousers, hair…); none means all wear the first. An imported asset's mesh also carries
/// texture coordinates per vertex.
struct Mesh: Sendable {
    var vertices: [SIMD3<Float>] = []
    var triangles: [SIMD3<UInt32>] = []
    /// Empty, or one per vertex (zero for a flat vertex).
    var normals: [SIMD3<Float>] = []
    /// Empty, or one per triangle.
    var parts: [UInt8] = []
    /// Empty, or one per vertex (origin top left, as the asset's).
    var uvs: [SIMD2<Float>] = []

    init(vertices: [SIMD3<Float>] = [], triangles: [SIMD3<UInt32>] = []) {
        self.vertices = vertices
        self.triangles = triangles
    }

    /// Whether any vertex has a normal of its own.
    var isSmooth: Bool { !normals.isEmpty }

    mutating func append(_ other: Mesh) {
        let base = UInt32(vertices.count)
        if other.isSmooth || isSmooth {
            normals += [SIMD3<Float>](repeating: .zero, count: vertices.count - normals.count)
            normals += other.isSmooth ? other.normals : [SIMD3<Float>](repeating: .zero, count: other.vertices.count)
        }
        if !other.parts.isEmpty || !parts.isEmpty {
            parts += [UInt8](repeating: 0, count: triangles.count - parts.count)
            parts += other.parts.isEmpty ? [UInt8](repeating: 0, count: other.triangles.count) : other.parts
        }
        if !other.uvs.isEmpty || !uvs.isEmpty {
            uvs += [SIMD2<Float>](repeating: .zero, count: vertices.count - uvs.count)
            uvs += other.uvs.isEmpty ? [SIMD2<Float>](repeating: .zero, count: other.vertices.count) : other.uvs
        }
        vertices += other.vertices
        triangles += other.triangles.map { $0 &+ SIMD3(repeating: base) }
    }

    /// Appends `other` with every triangle wearing material `part`.
    mutating func append(_ other: Mesh, part: UInt8) {
        var other = other
        other.parts = [UInt8](repeating: part, count: other.triangles.count)
        append(other)
    }

    /// The mesh with a normal per vertex: the area-weighted mean of its triangles' normals, so
    /// a tessellated round surface shades round.
    func smoothed() -> Mesh {
        var mesh = self
        var sums = [SIMD3<Float>](repeating: .zero, count: vertices.count)
        for t in triangles {
            let a = vertices[Int(t.x)], b = vertices[Int(t.y)], c = vertices[Int(t.z)]
            let n = cross(b - a, c - a)
            sums[Int(t.x)] += n
            sums[Int(t.y)] += n
            sums[Int(t.z)] += n
        }
        mesh.normals = sums.map { n in
            let length = (n * n).sum().squareRoot()
            return length > 0 ? n / length : SIMD3(0, 1, 0)
        }
        return mesh
    }

    /// Axis-aligned bounds.
    var bounds: (min: SIMD3<Float>, max: SIMD3<Float>) {
        var lo = SIMD3<Float>(repeating: .greatestFiniteMagnitude), hi = -lo
        for v in vertices {
            lo = pointwiseMin(lo, v)
            hi = pointwiseMax(hi, v)
        }
        return (lo, hi)
    }

    /// The mesh turned by `yaw` radians about the vertical through the origin, then moved by
    /// `offset`: parts are built around the origin, then placed.
    func placed(at offset: SIMD3<Float>, yaw: Float) -> Mesh {
        let (c, s) = (Float.cosine(yaw), Float.sine(yaw))
        var mesh = self
        mesh.vertices = vertices.map { v in offset + SIMD3(v.x * c + v.z * s, v.y, -v.x * s + v.z * c) }
        mesh.normals = normals.map { n in SIMD3(n.x * c + n.z * s, n.y, -n.x * s + n.z * c) }
        return mesh
    }

    /// A box centred at `center` with full sizes `size`, turned by `yaw` radians about the vertical.
    static func box(center: SIMD3<Float>, size: SIMD3<Float>, yaw: Float = 0) -> Mesh {
        let h = size / 2
        var mesh = Mesh()
        let (c, s) = (Float.cosine(yaw), Float.sine(yaw))
        for i in 0..<8 {
            let local = SIMD3<Float>(i & 1 == 0 ? -h.x : h.x, i & 2 == 0 ? -h.y : h.y, i & 4 == 0 ? -h.z : h.z)
            mesh.vertices.append(center + SIMD3(local.x * c + local.z * s, local.y, -local.x * s + local.z * c))
        }
        let faces: [[UInt32]] = [[0, 2, 3, 1], [4, 5, 7, 6], [0, 1, 5, 4], [2, 6, 7, 3], [0, 4, 6, 2], [1, 3, 7, 5]]
        for f in faces {
            mesh.triangles.append(SIMD3(f[0], f[1], f[2]))
            mesh.triangles.append(SIMD3(f[0], f[2], f[3]))
        }
        return mesh
    }

    /// A cylinder along the x axis (wheels) or the y axis (posts), `segments` sides, capped.
    static func cylinder(center: SIMD3<Float>, radius: Float, length: Float, alongX: Bool, segments: Int = 12) -> Mesh {
        var mesh = Mesh()
        for end in [-0.5, 0.5] as [Float] {
            for k in 0..<segments {
                let a = Float(k) / Float(segments) * 2 * .pi
                let (u, v) = (radius * Float.cosine(a), radius * Float.sine(a))
                mesh.vertices.append(center + (alongX ? SIMD3(end * length, u, v) : SIMD3(u, end * length, v)))
            }
        }
        let n = UInt32(segments)
        for k in 0..<n {
            let k1 = (k + 1) % n
            mesh.triangles.append(SIMD3(k, k1, n + k1))
            mesh.triangles.append(SIMD3(k, n + k1, n + k))
        }
        for k in 1..<(n - 1) {
            mesh.triangles.append(SIMD3(0, k, k + 1))
            mesh.triangles.append(SIMD3(n, n + k + 1, n + k))
        }
        return mesh
    }

    /// A low-poly sphere with flat facets (lamp globes).
    static func sphere(center: SIMD3<Float>, radius: Float, rings: Int = 6, segments: Int = 10) -> Mesh {
        var mesh = ellipsoid(center: center, radii: SIMD3(repeating: radius), rings: rings, segments: segments)
        mesh.normals = []
        return mesh
    }

    /// A horizontal rectangle at height `y` (ground, road, markings).
    static func quad(x0: Float, x1: Float, z0: Float, z1: Float, y: Float) -> Mesh {
        Mesh(
            vertices: [SIMD3(x0, y, z0), SIMD3(x1, y, z0), SIMD3(x1, y, z1), SIMD3(x0, y, z1)], triangles: [SIMD3(0, 2, 1), SIMD3(0, 3, 2)])
    }
}

/// The cross product.
@inline(__always) func cross(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

/// `v` scaled to unit length (or `fallback` when it has none).
@inline(__always) func normalized(_ v: SIMD3<Float>, or fallback: SIMD3<Float> = SIMD3(0, 1, 0)) -> SIMD3<Float> {
    let length = (v * v).sum().squareRoot()
    return length > 1e-12 ? v / length : fallback
}

extension Float {
    static func sine(_ x: Float) -> Float { sinf(x) }
    static func cosine(_ x: Float) -> Float { cosf(x) }
}
