/// What a ray's hit looks like — its material and its shading normal — for every mesh of a
/// street, in flat arrays read per ray (an array of per-mesh arrays would retain the inner
/// array on every read).
struct Surfaces: Sendable {
    /// Every object's materials, one after another, and where each mesh's start.
    private let palette: [Material]
    private let paletteStart: [Int32]
    /// Per triangle of a mesh with parts, which of its materials; `partStart` is -1 for a mesh
    /// without parts.
    private let parts: [UInt8]
    private let partStart: [Int32]
    /// Per triangle of a smooth mesh, its three vertex normals; `normalStart` is -1 for a flat
    /// mesh.
    private let corners: [(SIMD3<Float>, SIMD3<Float>, SIMD3<Float>)]
    private let normalStart: [Int32]
    /// Per triangle of a mesh with texture coordinates, its three corners' and how many texture
    /// repeats a metre spans on it (for the texture's level of detail); `uvStart` is -1 for a
    /// mesh without.
    private let uvCorners: [(SIMD2<Float>, SIMD2<Float>, SIMD2<Float>, perMetre: Float)]
    private let uvStart: [Int32]

    init(_ objects: [SceneObject]) {
        var palette: [Material] = [], paletteStart: [Int32] = [], parts: [UInt8] = [], partStart: [Int32] = []
        var corners: [(SIMD3<Float>, SIMD3<Float>, SIMD3<Float>)] = [], normalStart: [Int32] = []
        var uvCorners: [(SIMD2<Float>, SIMD2<Float>, SIMD2<Float>, perMetre: Float)] = [], uvStart: [Int32] = []
        for object in objects {
            paletteStart.append(Int32(palette.count))
            palette += object.materials
            let mesh = object.mesh
            partStart.append(mesh.parts.isEmpty ? -1 : Int32(parts.count))
            parts += mesh.parts.map { min($0, UInt8(object.materials.count - 1)) }
            normalStart.append(mesh.isSmooth ? Int32(corners.count) : -1)
            if mesh.isSmooth {
                corners += mesh.triangles.map { t in (mesh.normals[Int(t.x)], mesh.normals[Int(t.y)], mesh.normals[Int(t.z)]) }
            }
            let textured = mesh.uvs.count == mesh.vertices.count && !mesh.uvs.isEmpty
            uvStart.append(textured ? Int32(uvCorners.count) : -1)
            if textured {
                uvCorners += mesh.triangles.map { t in
                    let (a, b, c) = (mesh.uvs[Int(t.x)], mesh.uvs[Int(t.y)], mesh.uvs[Int(t.z)])
                    let (p, q, r) = (mesh.vertices[Int(t.x)], mesh.vertices[Int(t.y)], mesh.vertices[Int(t.z)])
                    // Square root of the ratio of the triangle's areas in texture and in space.
                    let e = cross(q - p, r - p), area = (e * e).sum().squareRoot()
                    let (u, v) = (b - a, c - a)
                    let uvArea = abs(u.x * v.y - u.y * v.x)
                    return (a, b, c, perMetre: area > 1e-12 ? (uvArea / area).squareRoot() : 0)
                }
            }
        }
        (self.palette, self.paletteStart, self.parts, self.partStart) = (palette, paletteStart, parts, partStart)
        (self.corners, self.normalStart) = (corners, normalStart)
        (self.uvCorners, self.uvStart) = (uvCorners, uvStart)
    }

    /// The hit's texture coordinates, and the texture repeats a metre spans there (zero on a
    /// mesh without texture coordinates).
    @inline(__always) func uv(_ hit: Hit) -> (SIMD2<Float>, perMetre: Float) {
        let start = uvStart[hit.mesh]
        guard start >= 0 else { return (.zero, 0) }
        let (a, b, c, perMetre) = uvCorners[Int(start) + hit.primitive]
        return (a * (1 - hit.u - hit.v) + b * hit.u + c * hit.v, perMetre)
    }

    /// The material the hit triangle wears.
    @inline(__always) func material(_ hit: Hit) -> Material {
        palette[Int(paletteStart[hit.mesh]) + part(hit)]
    }

    /// Which of its mesh's materials the hit triangle wears.
    @inline(__always) func part(_ hit: Hit) -> Int {
        let start = partStart[hit.mesh]
        return start < 0 ? 0 : Int(parts[Int(start) + hit.primitive])
    }

    /// The normal to shade the hit with, facing against `direction`: its vertex normals
    /// interpolated on a smooth mesh, the triangle's own where a vertex is flat.
    @inline(__always) func normal(_ hit: Hit, _ direction: SIMD3<Float>) -> SIMD3<Float> {
        let start = normalStart[hit.mesh]
        guard start >= 0 else { return hit.normal }
        let (a, b, c) = corners[Int(start) + hit.primitive]
        guard a != .zero, b != .zero, c != .zero else { return hit.normal }
        var n = a * (1 - hit.u - hit.v) + b * hit.u + c * hit.v
        let length = (n * n).sum().squareRoot()
        guard length > 1e-6 else { return hit.normal }
        n /= length
        // Keep it on the geometric normal's side, facing the ray.
        return (n * hit.normal).sum() < 0 ? -n : n
    }
}
