/// A human asset of the user's own — rigged and animated (a glTF with skins) or static — that
/// the street places among its pedestrians when a recipe lists it under `people:`: on the
/// sidewalks and crossings, facing and moving the way the street's own people do, scaled to a
/// drawn height, posed at a drawn moment of its animation, and labelled `pedestrian`.
///
/// The street shades it with its own diffuse model: base colour times the base-colour texture.
/// Metallic, roughness, normal maps and alpha cut-outs are the composed renderer's (`scene:
/// assets`); in the street a cut-out is drawn solid.
public struct PersonAsset: Sendable {
    /// The axis that is up in the file: glTF's is y; many Blender, 3ds Max and DirectX exports
    /// have z.
    public enum Up: String, Sendable, CaseIterable { case y, z }
    /// The way the figure faces in the file (after `up`): glTF's convention is +z.
    public enum Facing: String, Sendable, CaseIterable {
        case plusZ = "+z", minusZ = "-z", plusX = "+x", minusX = "-x"

        /// Radians that turn the figure from this facing to +z about the vertical.
        var turn: Float {
            switch self {
            case .plusZ: 0
            case .minusZ: .pi
            case .plusX: -.pi / 2
            case .minusX: .pi / 2
            }
        }
    }

    /// The file's name as the annotation's `asset` attribute gives it (the file's stem).
    public var name: String
    public var asset: Asset
    /// The share of the street's pedestrians drawn from this asset (the recipe's shares add
    /// to at most 1; the rest are the street's own people).
    public var share: Float
    /// Metres from the soles to the top of the head, drawn uniformly per person.
    public var heights: ClosedRange<Float>
    /// Seconds into the file's animation each person is posed at, drawn uniformly; nil: at
    /// rest (its bind pose), standing still.
    public var animationTimes: ClosedRange<Double>?
    public var up: Up
    public var facing: Facing

    public init(
        name: String, asset: Asset, share: Float, heights: ClosedRange<Float>, animationTimes: ClosedRange<Double>?, up: Up = .y,
        facing: Facing = .plusZ
    ) {
        self.name = name
        self.asset = asset
        self.share = share
        self.heights = heights
        self.animationTimes = animationTimes
        self.up = up
        self.facing = facing
    }

    /// The figure standing on the origin and facing +z, `height` tall, posed at `time` (nil:
    /// at rest), in the street's layout frame (+x on the camera's right: x mirrored, as
    /// `StreetScene.mirror()` mirrors it back). Triangles wear the asset's materials by index.
    func figure(height: Float, time: Double?) -> Mesh {
        let posed = time.map { asset.posed(at: $0) } ?? asset
        let (c, s) = (Float.cosine(facing.turn), Float.sine(facing.turn))
        func upright(_ v: SIMD3<Float>) -> SIMD3<Float> {
            let w = up == .z ? SIMD3(v.x, v.z, -v.y) : v
            return SIMD3(w.x * c + w.z * s, w.y, -w.x * s + w.z * c)
        }
        var mesh = Mesh()
        for part in posed.meshes {
            var piece = Mesh(vertices: part.positions.map(upright), triangles: part.triangles)
            piece.normals = part.normals.map(upright)
            piece.uvs = part.uvs.count == part.positions.count ? part.uvs : []
            mesh.append(piece, part: UInt8(min(part.material, Int(UInt8.max))))
        }
        let (lo, hi) = mesh.bounds
        let scale = hi.y > lo.y ? height / (hi.y - lo.y) : 1
        let foot = SIMD3((lo.x + hi.x) / 2, lo.y, (lo.z + hi.z) / 2)
        mesh.vertices = mesh.vertices.map { v in
            let p = (v - foot) * scale
            return SIMD3(-p.x, p.y, p.z)
        }
        mesh.normals = mesh.normals.map { SIMD3(-$0.x, $0.y, $0.z) }
        mesh.triangles = mesh.triangles.map { SIMD3($0.x, $0.z, $0.y) }
        return mesh
    }

    /// The street's materials for the asset's, by index: base colour, times the base-colour
    /// texture where there is one (`firstTexture` is where this asset's textures start in the
    /// scene's list, in the order `textures` gives them).
    func materials(firstTexture: Int) -> [Material] {
        var next = firstTexture
        return asset.materials.map { m in
            let base = SIMD3(m.baseColor.x, m.baseColor.y, m.baseColor.z)
            guard m.baseColorTexture != nil else { return .diffuse(base) }
            defer { next += 1 }
            return .image(base, texture: next)
        }
    }

    /// The asset's base-colour textures, in its materials' order.
    var textures: [Texture] { asset.materials.compactMap(\.baseColorTexture) }
}
