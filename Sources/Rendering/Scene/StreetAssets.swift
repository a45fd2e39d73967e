internal import StudioCore

/// A model file of the user's own as the street places it: read (`Asset`), posed at a drawn
/// moment of its animation when it has one, stood upright on the ground, and shaded with the
/// street's own diffuse model — base colour times the base-colour texture, an alpha cut-out
/// (glTF's MASK) a hole camera and mirror rays go through (shadows fall as if it were solid).
/// Metallic, roughness and normal maps are the composed renderer's (`scene: assets`).
public struct StreetModel: Sendable {
    /// The axis that is up in the file: glTF's is y; many Blender, 3ds Max and DirectX exports
    /// have z.
    public enum Up: String, Sendable, CaseIterable { case y, z }
    /// The way the model faces in the file (after `up`): glTF's convention is +z.
    public enum Facing: String, Sendable, CaseIterable {
        case plusZ = "+z", minusZ = "-z", plusX = "+x", minusX = "-x"

        /// Radians that turn the model from this facing to +z about the vertical.
        var turn: Float {
            switch self {
            case .plusZ: 0
            case .minusZ: .pi
            case .plusX: -.pi / 2
            case .minusX: .pi / 2
            }
        }
    }

    /// How a placement is sized: to a height at rest (people), or by a factor on the file's
    /// own units, metres by glTF's convention (everything else).
    enum Size {
        case height(Float), scale(Float)
    }

    /// The file's name as the annotation's `asset` attribute gives it (the file's stem).
    public var name: String
    public var asset: Asset
    /// Seconds into the file's animation each placement is posed at, drawn uniformly; nil: at
    /// rest (its bind pose).
    public var animationTimes: ClosedRange<Double>?
    public var up: Up
    public var facing: Facing
    /// How far each placement's colours may shift (0…1, as a composed scene's
    /// `color_variation`): 0 keeps the file's.
    public var colorVariation: Float = 0

    public init(name: String, asset: Asset, animationTimes: ClosedRange<Double>? = nil, up: Up = .y, facing: Facing = .plusZ) {
        self.name = name
        self.asset = asset
        self.animationTimes = animationTimes
        self.up = up
        self.facing = facing
    }

    /// `materials` (the model's, as `materials(firstTexture:)` gives them) in a colour drawn
    /// for one placement; as they are, and nothing drawn, without colour variation.
    func varied(_ materials: [Material], _ random: inout RandomStream) -> [Material] {
        guard colorVariation > 0 else { return materials }
        let tint = Placement.tint(variation: colorVariation, &random)
        return materials.map { material in
            switch material {
            case .diffuse(let c): .diffuse(pointwiseMin(c * tint, SIMD3(repeating: 1)))
            case .image(let c, let texture, let cutoff):
                .image(pointwiseMin(c * tint, SIMD3(repeating: 1)), texture: texture, cutoff: cutoff)
            default: material
            }
        }
    }

    /// A moment of the animation, drawn (nothing is drawn without an animation time).
    func time(_ random: inout RandomStream) -> Double? {
        animationTimes.map { $0.lowerBound + ($0.upperBound - $0.lowerBound) * random.nextUnit() }
    }

    /// The model standing on the origin and facing +z, sized by `size`, posed at `time` (nil:
    /// at rest), in the street's layout frame (+x on the camera's right: x mirrored, as
    /// `StreetScene.mirror()` mirrors it back). Triangles wear the asset's materials by index.
    func mesh(_ size: Size, time: Double?) -> Mesh {
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
        let scale: Float
        switch size {
        case .scale(let factor): scale = factor
        case .height(let height):
            // By its height at rest: arms raised in a pose do not shrink the person.
            let rest = asset.bounds
            let stature = up == .z ? rest.max.z - rest.min.z : rest.max.y - rest.min.y
            scale = stature > 0 ? height / stature : 1
        }
        // The pose's lowest point on the ground, the middle of its footprint on the origin.
        let (lo, hi) = mesh.bounds
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
    /// texture where there is one (`firstTexture` is where this model's textures start in the
    /// scene's list, in the order `textures` gives them).
    func materials(firstTexture: Int) -> [Material] {
        var next = firstTexture
        return asset.materials.map { m in
            let base = SIMD3(m.baseColor.x, m.baseColor.y, m.baseColor.z)
            guard m.baseColorTexture != nil else { return .diffuse(base) }
            defer { next += 1 }
            return .image(base, texture: next, cutoff: m.alphaCutoff.map { $0 / max(1e-6, m.baseColor.w) } ?? 0)
        }
    }

    /// The asset's base-colour textures, in its materials' order.
    var textures: [Texture] { asset.materials.compactMap(\.baseColorTexture) }
}

/// A human model of the user's own — rigged and animated (a glTF with skins) or static — that
/// the street places among its pedestrians when a recipe lists it under `people:`: on the
/// sidewalks and crossings, facing and moving the way the street's own people do, scaled to a
/// drawn height, and labelled `pedestrian`.
public struct PersonAsset: Sendable {
    public var model: StreetModel
    /// The share of the street's pedestrians drawn from this model (the recipe's shares add
    /// to at most 1; the rest are the street's own people).
    public var share: Float
    /// Metres from the soles to the top of the head at rest (the file's bind pose), drawn
    /// uniformly per person.
    public var heights: ClosedRange<Float>

    public init(_ model: StreetModel, share: Float, heights: ClosedRange<Float>) {
        self.model = model
        self.share = share
        self.heights = heights
    }
}

/// Any other model of the user's own the street places when a recipe lists it under
/// `assets:` — vehicles, signs, street furniture, props — on the road (lined up with the
/// traffic) or on the sidewalks (turned any way), clear of the cars and of one another, and
/// labelled with the recipe's class.
public struct PropAsset: Sendable {
    public enum Place: String, Sendable, CaseIterable { case road, sidewalk }

    public var model: StreetModel
    public var className: String
    /// How many to place in an image, drawn uniformly.
    public var counts: ClosedRange<Int>
    /// A factor on the file's units, drawn uniformly per placement.
    public var scales: ClosedRange<Float>
    public var place: Place

    public init(_ model: StreetModel, className: String, counts: ClosedRange<Int>, scales: ClosedRange<Float>, place: Place) {
        self.model = model
        self.className = className
        self.counts = counts
        self.scales = scales
        self.place = place
    }
}
