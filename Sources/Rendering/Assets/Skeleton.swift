internal import Glibc

/// The joints of a skinned asset, their animation, and how each skinned mesh hangs from them:
/// what `Asset.posed(at:)` needs to pose the asset at a moment of its animation (a walker at a
/// phase of its gait, a door half open). Node transforms are the file's, in the asset's space.
public struct Skeleton: Sendable {
    /// A node of the file's hierarchy: its parent (-1 for the root), its transform relative to
    /// it at rest, its name (what animation channels and bones refer to).
    struct Node: Sendable {
        let name: String
        let parent: Int
        let rest: Affine
    }

    /// One animated node's keys, times in seconds.
    struct Channel: Sendable {
        var positions: [(time: Double, value: SIMD3<Float>)]
        var rotations: [(time: Double, value: Quaternion)]
        var scales: [(time: Double, value: SIMD3<Float>)]
    }

    /// A mesh of the asset bound to joints: its vertices in the mesh's own space at the bind
    /// pose, and for each vertex up to four (bone, weight) pairs; each bone a node and the
    /// matrix from mesh space to that node's space at the bind pose (the inverse bind matrix).
    struct Skin: Sendable {
        let mesh: Int
        let positions: [SIMD3<Float>]
        let normals: [SIMD3<Float>]
        let tangents: [SIMD4<Float>]
        let influences: [(bones: SIMD4<UInt16>, weights: SIMD4<Float>)]
        let bones: [(node: Int, offset: Affine)]
    }

    let nodes: [Node]
    /// Animated nodes (by index) of the file's first animation.
    let channels: [Int: Channel]
    let skins: [Skin]
    /// The first animation's length in seconds (0 when the file has none).
    public let duration: Double

    /// Every node's transform in the asset's space at `time` seconds into the animation
    /// (wrapped into its length), or at rest (nil, or a file without animation). Parents come
    /// before children.
    func globals(at time: Double?) -> [Affine] {
        let t = time.map { duration > 0 ? $0 - ($0 / duration).rounded(.down) * duration : 0 }
        var out = [Affine](repeating: .identity, count: nodes.count)
        for (i, node) in nodes.enumerated() {
            let local = t.flatMap { t in channels[i].map { $0.transform(at: t, rest: node.rest) } } ?? node.rest
            out[i] = node.parent >= 0 ? out[node.parent] * local : local
        }
        return out
    }
}

extension Skeleton.Channel {
    /// The node's local transform at `t`: each of position, rotation and scale interpolated
    /// between its keys (held before the first and after the last), the rest pose's where the
    /// channel has no keys for it.
    func transform(at t: Double, rest: Affine) -> Affine {
        let (restPosition, restRotation, restScale) = rest.decomposed
        let position = Self.sample(positions, at: t, { $0 + ($1 - $0) * $2 }) ?? restPosition
        let rotation = Self.sample(rotations, at: t, { $0.slerp($1, $2) }) ?? restRotation
        let scale = Self.sample(scales, at: t, { $0 + ($1 - $0) * $2 }) ?? restScale
        return Affine(rotation: rotation, scale: scale, translation: position)
    }

    static func sample<Value>(_ keys: [(time: Double, value: Value)], at t: Double, _ mix: (Value, Value, Float) -> Value) -> Value? {
        guard let first = keys.first, let last = keys.last else { return nil }
        if t <= first.time { return first.value }
        if t >= last.time { return last.value }
        var lo = 0, hi = keys.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if keys[mid].time <= t { lo = mid } else { hi = mid }
        }
        let span = keys[hi].time - keys[lo].time
        return mix(keys[lo].value, keys[hi].value, span > 0 ? Float((t - keys[lo].time) / span) : 0)
    }
}

/// A unit quaternion (x, y, z, w): a rotation.
struct Quaternion: Sendable {
    var v: SIMD4<Float>

    init(x: Float, y: Float, z: Float, w: Float) {
        let q = SIMD4(x, y, z, w)
        let length = (q * q).sum().squareRoot()
        v = length > 0 && length.isFinite ? q / length : SIMD4(0, 0, 0, 1)
    }

    /// Spherical interpolation toward `other` by `t`, the short way round.
    func slerp(_ other: Quaternion, _ t: Float) -> Quaternion {
        var b = other.v
        var cosine = (v * b).sum()
        if cosine < 0 {
            b = -b
            cosine = -cosine
        }
        let q: SIMD4<Float>
        if cosine > 0.9995 {
            q = v + (b - v) * t
        } else {
            let angle = acosf(min(1, cosine)), sine = sinf(angle)
            q = v * (sinf((1 - t) * angle) / sine) + b * (sinf(t * angle) / sine)
        }
        return Quaternion(x: q.x, y: q.y, z: q.z, w: q.w)
    }

    /// The rotation as the rows of a 3 × 3 matrix.
    var rows: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>) {
        let (x, y, z, w) = (v.x, v.y, v.z, v.w)
        return (
            SIMD3(1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)),
            SIMD3(2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)),
            SIMD3(2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y))
        )
    }

    /// The rotation of an orthonormal 3 × 3 matrix given by its rows (Shepperd's method).
    init(rows m: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>)) {
        let trace = m.0.x + m.1.y + m.2.z
        if trace > 0 {
            let s = (trace + 1).squareRoot() * 2
            self.init(x: (m.2.y - m.1.z) / s, y: (m.0.z - m.2.x) / s, z: (m.1.x - m.0.y) / s, w: s / 4)
        } else if m.0.x > m.1.y && m.0.x > m.2.z {
            let s = (1 + m.0.x - m.1.y - m.2.z).squareRoot() * 2
            self.init(x: s / 4, y: (m.0.y + m.1.x) / s, z: (m.0.z + m.2.x) / s, w: (m.2.y - m.1.z) / s)
        } else if m.1.y > m.2.z {
            let s = (1 + m.1.y - m.0.x - m.2.z).squareRoot() * 2
            self.init(x: (m.0.y + m.1.x) / s, y: s / 4, z: (m.1.z + m.2.y) / s, w: (m.0.z - m.2.x) / s)
        } else {
            let s = (1 + m.2.z - m.0.x - m.1.y).squareRoot() * 2
            self.init(x: (m.0.z + m.2.x) / s, y: (m.1.z + m.2.y) / s, z: s / 4, w: (m.1.x - m.0.y) / s)
        }
    }
}

extension Affine {
    /// Rotate, then scale along the rotated axes' originals (T · R · S), then move.
    init(rotation: Quaternion, scale: SIMD3<Float>, translation: SIMD3<Float>) {
        let r = rotation.rows
        self.init(rows: (r.0 * scale, r.1 * scale, r.2 * scale), translation: translation)
    }

    /// Translation, rotation and scale of a transform that is T · R · S.
    var decomposed: (translation: SIMD3<Float>, rotation: Quaternion, scale: SIMD3<Float>) {
        let columns = (
            SIMD3(rows.0.x, rows.1.x, rows.2.x), SIMD3(rows.0.y, rows.1.y, rows.2.y), SIMD3(rows.0.z, rows.1.z, rows.2.z)
        )
        var scale = SIMD3(
            (columns.0 * columns.0).sum().squareRoot(), (columns.1 * columns.1).sum().squareRoot(),
            (columns.2 * columns.2).sum().squareRoot())
        // A mirror: one axis negative.
        if (rows.0 * cross(rows.1, rows.2)).sum() < 0 { scale.x = -scale.x }
        let safe = SIMD3(scale.x == 0 ? 1 : scale.x, scale.y == 0 ? 1 : scale.y, scale.z == 0 ? 1 : scale.z)
        let rotation = Quaternion(rows: (rows.0 / safe, rows.1 / safe, rows.2 / safe))
        return (translation, rotation, scale)
    }
}

extension Asset {
    /// The length of the file's first animation in seconds; nil when it has none.
    public var animationDuration: Double? { skeleton.flatMap { $0.duration > 0 ? $0.duration : nil } }

    /// A placement's `animation_time_s` attribute: the seconds it is posed at, to two decimals.
    public static func animationTimeAttribute(_ seconds: Double) -> String { String(Double(Int((seconds * 100).rounded())) / 100) }

    /// The asset with its skinned meshes posed at `time` seconds into its first animation
    /// (wrapped into the animation's length): each vertex moved by its bones' transforms at that
    /// moment, weighted (linear blend skinning), normals and tangents turned with it. An asset
    /// without skins is returned as it is.
    public func posed(at time: Double) -> Asset { posed(time) }

    /// Posed at `time`, or at rest (nil).
    func posed(_ time: Double?) -> Asset {
        guard let skeleton, !skeleton.skins.isEmpty else { return self }
        var out = self
        let globals = skeleton.globals(at: time)
        for skin in skeleton.skins {
            let matrices = skin.bones.map { globals[$0.node] * $0.offset }
            let normalMatrices = matrices.map(\.normalMatrix)
            var mesh = out.meshes[skin.mesh]
            for i in skin.positions.indices {
                let (bones, weights) = skin.influences[i]
                var p = SIMD3<Float>.zero, n = SIMD3<Float>.zero, t = SIMD3<Float>.zero
                let tangent = skin.tangents.isEmpty ? SIMD3<Float>.zero : SIMD3(skin.tangents[i].x, skin.tangents[i].y, skin.tangents[i].z)
                for k in 0..<4 where weights[k] > 0 {
                    let b = Int(bones[k])
                    p += matrices[b].point(skin.positions[i]) * weights[k]
                    n += normalMatrices[b].vector(skin.normals[i]) * weights[k]
                    t += matrices[b].vector(tangent) * weights[k]
                }
                mesh.positions[i] = p
                let length = (n * n).sum().squareRoot()
                mesh.normals[i] = length > 0 ? n / length : skin.normals[i]
                if !skin.tangents.isEmpty {
                    let tl = (t * t).sum().squareRoot()
                    if tl > 0 { mesh.tangents[i] = SIMD4(t.x / tl, t.y / tl, t.z / tl, skin.tangents[i].w) }
                }
            }
            out.meshes[skin.mesh] = mesh
        }
        return out
    }
}
