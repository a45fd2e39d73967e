internal import Glibc

/// Triangles in world space, built from procedural parts.
struct Mesh: Sendable {
    var vertices: [SIMD3<Float>] = []
    var triangles: [SIMD3<UInt32>] = []

    mutating func append(_ other: Mesh) {
        let base = UInt32(vertices.count)
        vertices += other.vertices
        triangles += other.triangles.map { $0 &+ SIMD3(repeating: base) }
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

    /// A low-poly sphere (heads, lamp globes).
    static func sphere(center: SIMD3<Float>, radius: Float, rings: Int = 6, segments: Int = 10) -> Mesh {
        var mesh = Mesh()
        for r in 0...rings {
            let phi = Float(r) / Float(rings) * .pi
            for s in 0..<segments {
                let theta = Float(s) / Float(segments) * 2 * .pi
                mesh.vertices.append(
                    center + radius * SIMD3(Float.sine(phi) * Float.cosine(theta), Float.cosine(phi), Float.sine(phi) * Float.sine(theta)))
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
        return mesh
    }

    /// A horizontal rectangle at height `y` (ground, road, markings).
    static func quad(x0: Float, x1: Float, z0: Float, z1: Float, y: Float) -> Mesh {
        Mesh(
            vertices: [SIMD3(x0, y, z0), SIMD3(x1, y, z0), SIMD3(x1, y, z1), SIMD3(x0, y, z1)], triangles: [SIMD3(0, 2, 1), SIMD3(0, 3, 2)])
    }
}

extension Float {
    static func sine(_ x: Float) -> Float { sinf(x) }
    static func cosine(_ x: Float) -> Float { cosf(x) }
}
