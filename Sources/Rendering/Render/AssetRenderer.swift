internal import CEmbree
internal import Glibc
public import StudioCore

/// One object of a composed scene: an asset, where it stands, what it is labelled as, and the
/// variation drawn for it (the domain-randomization lever: colour, roughness).
public struct Placement: Sendable {
    public var asset: Int
    /// Metres; the asset's origin goes here.
    public var position: SIMD3<Float>
    /// Radians about the vertical.
    public var yaw: Float
    public var scale: Float
    /// Nil: stuff (the ground), not labelled.
    public var label: String?
    /// Multiplies the base colour.
    public var tint = SIMD3<Float>(repeating: 1)
    /// Multiplies the roughness (clamped to 0…1).
    public var roughness: Float = 1
    /// One of the scene's `textures` worn in place of its own colour (nil: its own).
    public var texture: Int?
    /// What its annotation says of it beyond the class (the animation time it is posed at…).
    public var attributes: [String: String] = [:]

    public init(asset: Int, position: SIMD3<Float>, yaw: Float = 0, scale: Float = 1, label: String?) {
        self.asset = asset
        self.position = position
        self.yaw = yaw
        self.scale = scale
        self.label = label
    }

    var transform: Affine { .placing(at: position, yaw: yaw, scale: scale) }

    /// A colour shift drawn for one object (`variation` 0…1: how far red, green and blue may
    /// move apart), multiplying its base colours.
    public static func tint(variation: Float, _ random: inout RandomStream) -> SIMD3<Float> {
        let shift = (random.nextSquare() * 2 - 1) * variation
        return SIMD3(1 + shift.x, 1 - shift.x * 0.5 + shift.y * 0.5, 1 - shift.y)
    }
}

/// What a composed scene's ground is made of beyond its material: a procedural pattern of the
/// street's (asphalt, paving, concrete, plaster) scaling its colour, and a film of water
/// (`wetness` 0…1): standing water in the hollows mirrors the scene, damp ground between them
/// darkens and turns glossy, as the street's road does in rain.
public struct GroundLook: Sendable {
    public var placement: Int
    var pattern: Pattern?
    public var wetness: Float
    var variant: UInt32

    /// The patterns a ground can have, by name.
    public static let patterns = ["asphalt", "paving", "concrete", "plaster"]

    /// Nil when `pattern` is not one of `patterns`.
    public init?(placement: Int, pattern: String?, wetness: Float, variant: UInt32) {
        let byName: [String: Pattern] = ["asphalt": .asphalt, "paving": .paving, "concrete": .concrete, "plaster": .plaster]
        if let pattern, byName[pattern] == nil { return nil }
        self.placement = placement
        self.pattern = pattern.flatMap { byName[$0] }
        self.wetness = max(0, min(1, wetness))
        self.variant = variant
    }

    /// The ground's colour and roughness at `point` (seen with a footprint of `footprint` metres).
    @inline(__always) func look(_ color: SIMD3<Float>, roughness: Float, at point: SIMD3<Float>, footprint: Float) -> (
        color: SIMD3<Float>, roughness: Float
    ) {
        let up = SIMD3<Float>(0, 1, 0)
        let patterned = pattern.map { $0.albedo(color, at: point, normal: up, footprint: footprint, variant: variant) } ?? color
        guard wetness > 0 else { return (patterned, roughness) }
        let water = min(0.9, wetness * 1.6 * Pattern.puddle(point.x, point.z, footprint, variant))
        // Water fills the pores (darker) and its film is smooth (a mirror in the puddles).
        return (patterned * (1 - 0.5 * water), roughness * (1 - water) + 0.02 * water)
    }
}

/// A scene built from assets: what stands where, the light around it, and the camera.
public struct ComposedScene: Sendable {
    /// The ground's pattern and water (nil: its material alone).
    public var ground: GroundLook?
    public var assets: [Asset]
    public var placements: [Placement]
    /// Pictures placements may wear (`Placement.texture`).
    public var textures: [Texture] = []
    public var environment: EnvironmentMap
    public var camera: (position: SIMD3<Float>, target: SIMD3<Float>, fieldOfView: Float)
    public var exposure: Float = 1
    /// The camera's optics: distortion, depth of field, shutter and motion.
    public var lens = Lens()
    /// What the camera makes of the light: exposure, white balance, vignetting, noise, JPEG.
    public var sensor = Sensor()

    public init(
        assets: [Asset], placements: [Placement], environment: EnvironmentMap,
        camera: (position: SIMD3<Float>, target: SIMD3<Float>, fieldOfView: Float)
    ) {
        self.assets = assets
        self.placements = placements
        self.environment = environment
        self.camera = camera
    }
}

/// A path tracer for composed scenes: glTF metallic-roughness materials with textures
/// (trilinear mip-mapping from each ray's footprint), normal maps, emission and alpha cut-outs,
/// glass (KHR_materials_transmission as a thin sheet: Fresnel reflection or straight through,
/// tinted; an unlabelled pane labels what is seen through it),
/// lit by an importance-sampled environment map with multiple importance sampling against the
/// BRDF, up to `bounces` bounces, seen through the scene's lens and sensor (the camera moves;
/// the objects stand). One BVH per asset, one Embree instance per placement. Labels come from
/// each pixel's first (centre) sample, as in the street renderer.
public struct AssetRenderer: Sendable {
    public var width: Int
    public var height: Int
    public var samplesPerPixel: Int
    public var bounces = Self.defaultBounces
    /// Where samples fall: Owen-scrambled Sobol points unless a comparison asks otherwise.
    public var sampling = Sampling.sobol
    /// The most one contribution of indirect light (found after the first bounce) may bring, in
    /// the sum of its channels; 0 leaves it unlimited. A bright light found by chance — the sun
    /// through a bottle, off a mirror — then makes a pixel a little brighter, not a white speck
    /// (Cycles' default, 10, which the Cycles peer renders with too). Direct light is never
    /// limited.
    public var clampIndirect: Float = 10
    /// Bounces of indirect light a path takes (Russian roulette after the second).
    public static let defaultBounces = 3

    public init(width: Int, height: Int, samplesPerPixel: Int) {
        self.width = width
        self.height = height
        self.samplesPerPixel = max(1, samplesPerPixel)
    }

    public func render(_ scene: ComposedScene, stream: RandomStream) -> RenderOutput {
        render(scene, stream: stream, recording: false).output
    }

    /// The image, and a copy of every ray it sent to Embree, a row's to a record (for the bench's
    /// replay: how long Embree alone takes on them).
    package func renderRecordingRays(_ scene: ComposedScene, stream: RandomStream) -> (output: RenderOutput, recorded: [RecordedRays]) {
        render(scene, stream: stream, recording: true)
    }

    private func render(_ scene: ComposedScene, stream: RandomStream, recording: Bool) -> (output: RenderOutput, recorded: [RecordedRays]) {
        let transforms = scene.placements.map(\.transform)
        let embree = EmbreeScene(assets: scene.assets, placements: zip(scene.placements, transforms).map { ($0.asset, $1) })
        let look = scene.camera.target - scene.camera.position
        let camera = Camera(
            position: scene.camera.position, forward: look, fieldOfView: scene.camera.fieldOfView, width: width, height: height,
            lens: scene.lens)
        var instanceOf = [Int](repeating: 0, count: scene.placements.count)
        var objects: [Int: RenderedObject] = [:]
        var meshes: [Int: Mesh] = [:]
        var next = 1
        for (i, placement) in scene.placements.enumerated() {
            guard let label = placement.label else { continue }
            instanceOf[i] = next
            let mesh = Self.worldMesh(scene.assets[placement.asset], transforms[i])
            meshes[next] = mesh
            objects[next] = RenderedObject(label: label, reflects: nil, amodal: camera.project(mesh.bounds))
            objects[next]?.attributes = placement.attributes
            next += 1
        }
        let context = Context(
            scene: scene, embree: embree, camera: camera, transforms: transforms, normalMatrices: transforms.map(\.normalMatrix),
            spread: 2 * camera.tanHalf / Float(height))
        let pixels = stream.derived(2), noise = stream.derived(4)
        let rows = Parallel.map(height) { y in trace(row: y, context, pixels, noise, instanceOf, recording: recording) }
        let instances = rows.flatMap(\.instances)
        var shown = [Int](repeating: 0, count: next)
        for id in instances where Int(id) < next { shown[Int(id)] += 1 }
        for (id, mesh) in meshes {
            guard shown[id] > 0, let box = objects[id]?.amodal else { continue }
            let silhouette = camera.silhouette(of: mesh, in: box)
            objects[id]?.visibility = silhouette > 0 ? min(1, Double(shown[id]) / Double(silhouette)) : 1
        }
        var output = RenderOutput(
            width: width, height: height, rgb: rows.flatMap(\.rgb), instances: instances, depth: rows.flatMap(\.depth), objects: objects,
            rays: rows.reduce(0) { $0 + $1.rays.count })
        output.jpegQuality = scene.sensor.jpegQuality
        return (output, recording ? rows.map { RecordedRays(hits: $0.rays.hits, occlusion: $0.rays.occlusions) } : [])
    }

    /// Embree alone on the rays a render traced (`renderRecordingRays`): the scene's BVHs built
    /// again, and every row's rays sent once more — one `rtcIntersect1`/`rtcOccluded1` call each,
    /// then the same as incoherent streams (`rtcIntersect1M`/`rtcOccluded1M`) — rows on all cores, nothing
    /// else. The ray count and each way's seconds, for the bench: what tracing alone costs of a
    /// render, the floor under any speed-up of the rest.
    package func embreeReplay(_ scene: ComposedScene, _ recorded: [RecordedRays]) -> (rays: Int, single: Double, streamed: Double) {
        let embree = EmbreeScene(assets: scene.assets, placements: scene.placements.map { ($0.asset, $0.transform) })
        let (_, single) = Rendering.seconds { Parallel.forEach(recorded.count) { recorded[$0].traceEach(embree) } }
        var batches = recorded.map { $0.replay() }
        let (_, streamed) = Rendering.seconds {
            batches.withUnsafeMutableBufferPointer { batches in
                nonisolated(unsafe) let batches = batches
                Parallel.forEach(batches.count) { i in
                    embree.intersect(&batches[i].hits, coherent: false)
                    embree.occluded(&batches[i].occlusion, coherent: false)
                }
            }
        }
        return (recorded.reduce(0) { $0 + $1.count }, single, streamed)
    }

    /// Embree alone on `scene`: every pixel's camera rays (`samplesPerPixel` each, jittered as
    /// the renderer jitters them), one `rtcIntersect1` call per ray, rows on all cores, nothing
    /// else. The ray count and the seconds, for the bench.
    package func embreeAlone(_ scene: ComposedScene) -> (rays: Int, seconds: Double) {
        let embree = EmbreeScene(assets: scene.assets, placements: scene.placements.map { ($0.asset, $0.transform) })
        let camera = Camera(
            position: scene.camera.position, forward: scene.camera.target - scene.camera.position, fieldOfView: scene.camera.fieldOfView,
            width: width, height: height)
        let (hits, time) = Rendering.seconds {
            Parallel.map(height) { y in
                var random = RandomStream(seed: UInt64(y))
                var hits = 0
                for x in 0..<width {
                    for _ in 0..<samplesPerPixel {
                        let jitter = random.nextSquare()
                        let ray = camera.ray(x: Float(x) + jitter.x, y: Float(y) + jitter.y)
                        if embree.trace(ray.origin, ray.direction).hit.geomID != cembree_invalid_geometry_id() { hits += 1 }
                    }
                }
                return hits
            }.reduce(0, +)
        }
        precondition(hits >= 0)
        return (width * height * samplesPerPixel, time)
    }

    /// The asset's triangles placed in the world, as one mesh (for boxes and silhouettes).
    static func worldMesh(_ asset: Asset, _ transform: Affine) -> Mesh {
        var mesh = Mesh()
        for part in asset.meshes {
            mesh.append(Mesh(vertices: part.positions.map(transform.point), triangles: part.triangles))
        }
        return mesh
    }

    /// What every ray of one render reads, shared by reference (a struct of arrays copied into
    /// each call retained and released them on every ray: a third of the render).
    final class Context: Sendable {
        let scene: ComposedScene
        let embree: EmbreeScene
        let camera: Camera
        let transforms: [Affine]
        let normalMatrices: [Affine]
        /// A pixel's angular width (radians): how fast a ray's footprint grows with distance.
        let spread: Float
        /// Every mesh of every asset as one reference (asset k's mesh j at `firstGeometry[k] + j`),
        /// and per placement what a hit needs of it: read per ray without copying (and retaining)
        /// the asset's arrays.
        let geometries: [Geometry]
        /// The same, unretained: what a hit reads them through (the context keeps them alive; a
        /// retain per hit made two cores contend for each mesh's reference count).
        private let unretained: [Unmanaged<Geometry>]
        let firstGeometry: [Int]
        let placed: [Placed]
        /// The pictures placements wear in place of their own colour.
        let textures: [Texture]
        /// Whether any material has an alpha cut-out or lets light through (shadow rays must then
        /// look at what they hit).
        let seeThrough: Bool
        /// The ground's look and which placements are unlabelled, read per hit: kept apart from
        /// `scene` so a hit reads a few bytes, not through the scene's arrays.
        let ground: GroundLook?
        let unlabelled: [Bool]
        /// The scene's environment map, read per path without copying it (a copy retains its
        /// tables).
        let environment: EnvironmentMap

        init(scene: ComposedScene, embree: EmbreeScene, camera: Camera, transforms: [Affine], normalMatrices: [Affine], spread: Float) {
            self.scene = scene
            ground = scene.ground
            environment = scene.environment
            unlabelled = scene.placements.map { $0.label == nil }
            self.embree = embree
            self.camera = camera
            self.transforms = transforms
            self.normalMatrices = normalMatrices
            self.spread = spread
            var geometries: [Geometry] = [], first: [Int] = []
            for asset in scene.assets {
                first.append(geometries.count)
                geometries += asset.meshes.map { Geometry($0, material: asset.materials[$0.material]) }
            }
            self.geometries = geometries
            unretained = geometries.map { Unmanaged.passUnretained($0) }
            seeThrough = geometries.contains { $0.material.alphaCutoff != nil || $0.material.transmission > 0 }
            firstGeometry = first
            placed = scene.placements.map {
                Placed(asset: $0.asset, scale: $0.scale, tint: $0.tint, roughness: $0.roughness, texture: $0.texture)
            }
            textures = scene.textures
        }

        /// The mesh a hit on `placement`'s instance met.
        @inline(__always) func geometry<T>(_ placement: Int, _ mesh: UInt32, _ body: (Geometry) -> T) -> T {
            unretained[firstGeometry[placed[placement].asset] + Int(mesh)]._withUnsafeGuaranteedRef(body)
        }
    }

    /// One mesh of an asset with its material, shared by reference.
    final class Geometry: Sendable {
        let positions: [SIMD3<Float>]
        let normals: [SIMD3<Float>]
        let uvs: [SIMD2<Float>]
        let tangents: [SIMD4<Float>]
        let triangles: [SIMD3<UInt32>]
        let material: SurfaceMaterial

        init(_ mesh: AssetMesh, material: SurfaceMaterial) {
            (positions, normals, uvs, tangents, triangles) = (mesh.positions, mesh.normals, mesh.uvs, mesh.tangents, mesh.triangles)
            self.material = material
        }
    }

    /// What shading needs of a placement (no label string to retain).
    struct Placed: Sendable {
        let asset: Int
        let scale: Float
        let tint: SIMD3<Float>
        let roughness: Float
        let texture: Int?
    }

    /// What a ray found: the point, its normals, and the material there (textures applied).
    struct Surface {
        var point: SIMD3<Float>
        var geometric: SIMD3<Float>
        var shading: SIMD3<Float>
        var brdf: BRDF
        var emission: SIMD3<Float>
        /// True where an alpha cut-out makes a hole: the ray goes on.
        var isHole: Bool
        /// Glass: the share let through, its tint and its index of refraction.
        var transmission: Float = 0
        var tint = SIMD3<Float>(repeating: 1)
        var ior: Float = 1.5
        /// A solid of glass's boundary (KHR_materials_volume), whether the ray enters it here
        /// (met from the side its normals face), and what it absorbs per metre.
        var volume = false
        var entering = true
        var absorption = SIMD3<Float>(repeating: 0)
    }

    private struct Row {
        var rgb: [UInt8]
        var instances: [UInt16]
        var depth: [UInt16]
        var rays: Tally
    }

    /// The rays a row sends to Embree, each through here: counted, and copied as sent when the
    /// render records them (`renderRecordingRays`).
    struct Tally {
        var count = 0
        let recording: Bool
        /// The rays as sent, when recording (arrays, not optionals: appending through an
        /// optional's unwrap copied the whole array each time).
        var hits: [RTCRayHit] = []
        var occlusions: [RTCRay] = []

        init(recording: Bool) { self.recording = recording }

        /// `EmbreeScene.trace`, counted.
        @inline(__always) mutating func trace(_ embree: EmbreeScene, _ origin: SIMD3<Float>, _ direction: SIMD3<Float>) -> RTCRayHit {
            count += 1
            if recording { hits.append(RTCRayHit(origin: origin, direction: direction, near: 1e-3, far: .infinity)) }
            return embree.trace(origin, direction)
        }

        /// `EmbreeScene.occluded`, counted.
        @inline(__always) mutating func occluded(_ embree: EmbreeScene, _ origin: SIMD3<Float>, _ direction: SIMD3<Float>) -> Bool {
            count += 1
            if recording { occlusions.append(RTCRay(origin: origin, direction: direction, near: 1e-3, far: .infinity)) }
            return embree.occluded(origin, direction)
        }
    }

    private func trace(
        row y: Int, _ ctx: Context, _ stream: RandomStream, _ noise: RandomStream, _ instanceOf: [Int], recording: Bool
    ) -> Row {
        var row = Row(
            rgb: [UInt8](repeating: 0, count: width * 3), instances: [UInt16](repeating: 0, count: width),
            depth: [UInt16](repeating: 0, count: width), rays: Tally(recording: recording))
        let curve = SRGB.curve
        let lens = ctx.camera.lens
        let scrambles = UnsafeMutablePointer<SIMD3<UInt32>>.allocate(capacity: Sampler.scrambleCount)
        defer { scrambles.deallocate() }
        let development = ctx.scene.sensor.development
        for x in 0..<width {
            let pixel = stream.derived(UInt64(y * width + x))
            let seed = Sampler.seed(of: pixel)
            if sampling == .sobol { Sampler.scrambles(scrambles, pixelSeed: seed) }
            var sum = SIMD3<Float>.zero
            for s in 0..<samplesPerPixel {
                var sampler = Sampler(sampling, pixel: pixel, seed: seed, index: s, scrambles: scrambles)
                // Sample 0 at the pixel centre, through the lens centre at mid-shutter: it also
                // makes the labels.
                let jitter = s == 0 ? SIMD2<Float>(0.5, 0.5) : sampler.square(Sampler.Dimension.pixel)
                let ray =
                    s == 0 || (!lens.hasAperture && !lens.isMoving)
                    ? ctx.camera.ray(x: Float(x) + jitter.x, y: Float(y) + jitter.y)
                    : ctx.camera.ray(
                        x: Float(x) + jitter.x, y: Float(y) + jitter.y,
                        aperture: lens.hasAperture ? sampler.square(Sampler.Dimension.aperture) : SIMD2(0.5, 0.5),
                        time: Lens.time(sample: s, of: samplesPerPixel, pixel: y * width + x))
                var first = First()
                sum += path(ray.origin, ray.direction, ctx, &sampler, &row.rays, labelling: s == 0, first: &first)
                if s == 0, let placement = first.placement {
                    row.instances[x] = UInt16(instanceOf[placement])
                    row.depth[x] = UInt16(min(65535, first.distance * ctx.camera.forwardCosine(ray.direction) * 1000 + 0.5))
                }
            }
            var pixelNoise = noise.derived(UInt64(y * width + x))
            let cosine = development.vignetting > 0 ? ctx.camera.centreCosine(x: x, y: y) : 1
            let color = development.develop(sum / Float(samplesPerPixel) * ctx.scene.exposure, cosine: cosine, random: &pixelNoise)
            for c in 0..<3 { row.rgb[x * 3 + c] = SRGB.displayed(color[c], curve) }
        }
        return row
    }

    /// What a camera ray met first: the placement (nil for the sky) and how far.
    private struct First {
        var placement: Int?
        var distance: Float = 0
    }

    /// The light a camera ray brings back; `first` is told what the ray met first. (A value
    /// written back, not a closure: a closure retained and released the render's shared context
    /// and tables on every sample, and two cores contending for their reference counts cost a
    /// tenth of the render.)
    private func path(
        _ origin: SIMD3<Float>, _ direction: SIMD3<Float>, _ ctx: Context, _ sampler: inout Sampler, _ rays: inout Tally,
        labelling: Bool = false, first: inout First
    ) -> SIMD3<Float> {
        var (o, d) = (origin, direction)
        var throughput = SIMD3<Float>(repeating: 1)
        var radiance = SIMD3<Float>.zero
        var travelled: Float = 0
        /// The BRDF density of the last bounce (nil for camera rays: no light sample competed).
        var lastPDF: Float? = nil
        /// Whether the ray shows detail: a camera ray, or one last turned by a smooth surface
        /// (not by a rough one, nor through frosted glass).
        var sharp = true
        var bounce = 0
        var holes = 0
        /// Sheets of glass met, mirrored or passed.
        var passes = 0
        /// What the medium the ray travels in absorbs per metre (inside a solid of glass).
        var absorbing = SIMD3<Float>(repeating: 0)
        while true {
            let rayhit = rays.trace(ctx.embree, o, d)
            guard rayhit.hit.geomID != cembree_invalid_geometry_id() else {
                // A camera ray that leaves the scene (through cut-out holes or past everything) shows sky.
                if bounce == 0 && passes == 0 { first = First() }
                // Seen directly or in a smooth reflection, the map at full resolution; lighting a
                // rough surface or through frosted glass, the filtered map its light samples drew
                // from.
                let (light, q) = ctx.environment.seen(d, filtered: !sharp)
                if let p = lastPDF {
                    radiance += clamped(throughput * light * (p * p / (p * p + q * q)), bounce: bounce)
                } else {
                    radiance += clamped(throughput * light, bounce: bounce)
                }
                return radiance
            }
            let placement = Int(rayhit.hit.instID)
            travelled += rayhit.ray.tfar
            if absorbing != .zero {
                // Beer–Lambert over the way through the glass.
                let t = rayhit.ray.tfar
                throughput *= SIMD3(expf(-absorbing.x * t), expf(-absorbing.y * t), expf(-absorbing.z * t))
            }
            if bounce == 0 && holes == 0 && passes == 0 { first = First(placement: placement, distance: rayhit.ray.tfar) }
            let surface = self.surface(rayhit, o, d, placement, footprint: travelled * ctx.spread, ctx)
            if surface.isHole, holes < 16 {
                holes += 1
                o = surface.point + d * 1e-3
                continue
            }
            if bounce == 0 && holes > 0 && passes == 0 { first = First(placement: placement, distance: travelled) }
            radiance += clamped(throughput * surface.emission, bounce: bounce)
            // Glass (a thin sheet): mirrored by Fresnel's share, else let through and tinted as
            // its transmission says, else shaded as an opaque surface. Smooth glass mirrors
            // exactly and lets light through straight, so light samples pass it too (tinted,
            // `visibility`) and what comes through it is weighed against them as usual. Rough
            // (frosted) glass mirrors and lets through about a microfacet normal drawn from its
            // roughness; light samples stop at it, so what comes through counts whole.
            if surface.transmission > 0, Self.passesLabels(surface), bounce == 0, passes == 0, labelling, ctx.unlabelled[placement] {
                // Unlabelled clear glass (a window) labels what is seen through it, whichever way
                // this sample's light goes; frosted glass, or a solid that bends the view, hides
                // it (the glass's depth, no label).
                let seen = seenThroughGlass(surface.point, d, travelled, ctx, &rays)
                first = First(placement: seen.placement, distance: seen.distance)
            }
            if surface.transmission > 0, surface.volume, passes < 16 {
                // A solid of glass (KHR_materials_volume): its boundary mirrors by Fresnel's
                // share (all of it past the critical angle) and bends the rest by Snell's law
                // into or out of the glass, tinted by the base colour at each crossing; inside,
                // the glass absorbs. A rough boundary does both about a microfacet normal drawn
                // from GGX (Walter et al. 2007). Light samples cannot pass a solid, but on its
                // outside one can find what its rough mirror shows, weighed against the mirror's
                // own sampling; what the rest finds counts whole.
                let n = (surface.shading * d).sum() < 0 ? surface.shading : -surface.shading
                let rough = !Self.isSmooth(surface.brdf)
                let outside = rough && surface.entering
                if outside, bounce < bounces {
                    let u = sampler.square(Sampler.Dimension.glassLight(pass: passes))
                    let light = lightSample(u, throughput, surface, bothSides: false, ctx, &rays) { l in
                        let (f, p) = Self.roughMirror(v: -d, l: l, n: n, alpha: surface.brdf.alpha, ior: surface.ior)
                        return (SIMD3(repeating: f), p)
                    }
                    radiance += clamped(light, bounce: bounce)
                }
                let h =
                    rough
                    ? BRDF.microfacet(n: n, alpha: surface.brdf.alpha, sampler.square(Sampler.Dimension.glassLobe(pass: passes))) : n
                let eta = surface.entering ? 1 / surface.ior : surface.ior
                let cosine = min(1, -(d * h).sum())
                let (fresnel, bent) = Self.refraction(d, h, cosine: cosine, eta: eta)
                let pick = sampler.square(Sampler.Dimension.glass(pass: passes)).x
                passes += 1
                let reflects = pick < fresnel
                if reflects || pick < fresnel + (1 - fresnel) * surface.transmission {
                    let out = reflects ? d + h * (2 * cosine) : bent
                    if rough {
                        // h drawn by D(h)(n·h), then a side by Fresnel's share: the weight is
                        // G₂ (v·h) / ((n·v)(n·h)) either way. A microfacet facing away from the
                        // ray, or a direction on the wrong side of the surface, ends the path.
                        let (nv, nl, nh) = (-(d * n).sum(), abs((out * n).sum()), (n * h).sum())
                        guard cosine > 0, nv > 0, nh > 0, (out * n).sum() * (reflects ? 1 : -1) > 0 else { return radiance }
                        let a2 = surface.brdf.alpha * surface.brdf.alpha
                        throughput *= 4 * BRDF.visibility(nl: nl, nv: nv, a2: a2) * nl * cosine / nh
                        // The mirror's density, to weigh what it finds against the light sample.
                        lastPDF =
                            reflects && outside && bounce < bounces ? fresnel * BRDF.distribution(nh: nh, a2: a2) * nh / (4 * cosine) : nil
                    } else {
                        lastPDF = nil
                    }
                    // A smooth mirror shows detail; bending through smooth glass keeps what the
                    // ray showed; a rough boundary blurs.
                    if rough || reflects { sharp = !rough }
                    d = out
                    if reflects {
                        guard bounce < bounces else { return radiance }
                        o = surface.point + surface.geometric * ((surface.geometric * d).sum() > 0 ? 1e-3 : -1e-3)
                        bounce += 1
                        continue
                    }
                    throughput *= surface.tint
                    o = surface.point + d * 1e-3
                    absorbing = surface.entering ? surface.absorption : .zero
                    continue
                }
            } else if surface.transmission > 0, passes < 16 {
                // The normal on the ray's side, and the microfacet the ray meets.
                let n = (surface.shading * d).sum() < 0 ? surface.shading : -surface.shading
                let rough = !Self.isSmooth(surface.brdf)
                let sheet = Sheet(
                    n: n, alpha: surface.brdf.alpha, ior: surface.ior, transmission: surface.transmission, tint: surface.tint)
                if rough, bounce < bounces {
                    // Light from the environment through or off frosted glass (smooth glass has
                    // no spread for a light sample to find).
                    let u = sampler.square(Sampler.Dimension.glassLight(pass: passes))
                    let light = lightSample(u, throughput, surface, bothSides: true, ctx, &rays) { sheet.evaluate(v: -d, l: $0) }
                    radiance += clamped(light, bounce: bounce)
                }
                let h =
                    rough
                    ? BRDF.microfacet(n: n, alpha: surface.brdf.alpha, sampler.square(Sampler.Dimension.glassLobe(pass: passes))) : n
                let fresnel = Sheet.fresnel(cosine: min(1, abs((d * h).sum())), ior: surface.ior)
                let pick = sampler.square(Sampler.Dimension.glass(pass: passes)).x
                passes += 1
                let transmits = pick >= fresnel
                if !transmits || pick < fresnel + (1 - fresnel) * surface.transmission {
                    // Mirrored about the microfacet; let through, that mirror image turned back
                    // through the sheet's plane (a thin sheet's two faces undo each other's bending).
                    let mirrored = d - h * (2 * (d * h).sum())
                    let out = !transmits ? mirrored : rough ? mirrored - n * (2 * (mirrored * n).sum()) : d
                    if rough {
                        // GGX sampled by D(h)(n·h): the weight is G₂ (v·h) / ((n·v)(n·h)).
                        let (nv, nl, nh, vh) = (-(d * n).sum(), abs((out * n).sum()), (n * h).sum(), -(d * h).sum())
                        guard (out * n).sum() * (transmits ? -1 : 1) > 0, nv > 0, nh > 0, vh > 0 else { return radiance }
                        let a2 = surface.brdf.alpha * surface.brdf.alpha
                        throughput *= 4 * BRDF.visibility(nl: nl, nv: nv, a2: a2) * nl * vh / nh
                        // Its density, to weigh what it finds against the light sample above
                        // (none past the last bounce: then what it finds counts whole).
                        lastPDF = bounce < bounces ? sheet.evaluate(v: -d, l: out).pdf : nil
                    }
                    if transmits {
                        throughput *= surface.tint
                        o = surface.point + out * 1e-3
                        d = out
                        // Straight through smooth glass the direction is the one last drawn, so
                        // its density still weighs it against light samples.
                        if rough { sharp = false }
                        continue
                    }
                    guard bounce < bounces else { return radiance }
                    d = out
                    o = surface.point + surface.geometric * 1e-3
                    if !rough { lastPDF = nil }
                    sharp = !rough
                    bounce += 1
                    continue
                }
            }
            guard bounce < bounces else { return radiance }
            let v = -d
            let n = surface.shading
            // Light from the environment, drawn where it is bright, if nothing is in the way.
            let u = sampler.square(Sampler.Dimension.light(bounce: bounce))
            let light = lightSample(u, throughput, surface, bothSides: false, ctx, &rays) { surface.brdf.evaluate(n: n, v: v, l: $0) }
            radiance += clamped(light, bounce: bounce)
            // The next direction, drawn from the BRDF.
            let r = sampler.square(Sampler.Dimension.direction(bounce: bounce))
            let choice = sampler.square(Sampler.Dimension.choice(bounce: bounce))
            guard let l = surface.brdf.sample(n: n, v: v, SIMD3(r.x, r.y, choice.x)),
                (surface.geometric * l).sum() > 0
            else { return radiance }
            let (f, p) = surface.brdf.evaluate(n: n, v: v, l: l)
            guard p > 0, f.max() > 0 else { return radiance }
            throughput *= f / p
            // Russian roulette after two bounces keeps long paths rare but unbiased.
            if bounce >= 2 {
                let keep = min(0.95, throughput.max())
                if choice.y >= keep { return radiance }
                throughput /= keep
            }
            lastPDF = p
            sharp = surface.brdf.alpha < 0.06
            o = surface.point + surface.geometric * 1e-3
            d = l
            bounce += 1
        }
    }

    /// What a ray from `point` along `d` meets first beyond every sheet of unlabelled clear glass
    /// (nil for the sky; a frosted sheet stops it), and how far from the camera, `travelled` being
    /// the distance to `point`.
    private func seenThroughGlass(_ point: SIMD3<Float>, _ d: SIMD3<Float>, _ travelled: Float, _ ctx: Context, _ rays: inout Tally)
        -> (placement: Int?, distance: Float)
    {
        var (o, distance) = (point + d * 1e-3, travelled + 1e-3)
        for _ in 0..<16 {
            let rayhit = rays.trace(ctx.embree, o, d)
            guard rayhit.hit.geomID != cembree_invalid_geometry_id() else { return (nil, 0) }
            let placement = Int(rayhit.hit.instID)
            distance += rayhit.ray.tfar
            guard ctx.geometry(placement, rayhit.hit.geomID, { $0.material.transmission }) > 0, ctx.unlabelled[placement],
                Self.passesLabels(surface(rayhit, o, d, placement, footprint: 0, ctx))
            else { return (placement, distance) }
            o += d * (rayhit.ray.tfar + 1e-3)
            distance += 1e-3
        }
        return (nil, 0)
    }

    /// The share of light that comes along the ray (per channel): 0 where anything opaque or
    /// any rough glass lies on it, else the product of each smooth sheet's Fresnel transmission
    /// and tint (cut-out holes let light through).
    private func visibility(_ origin: SIMD3<Float>, _ direction: SIMD3<Float>, _ ctx: Context, _ rays: inout Tally) -> SIMD3<Float> {
        // Without cut-outs or glass any hit blocks the light: Embree's occlusion query stops at
        // the first triangle it finds, where an intersection must find the nearest.
        guard ctx.seeThrough else { return rays.occluded(ctx.embree, origin, direction) ? .zero : SIMD3(repeating: 1) }
        var o = origin
        var share = SIMD3<Float>(repeating: 1)
        for _ in 0..<16 {
            let rayhit = rays.trace(ctx.embree, o, direction)
            guard rayhit.hit.geomID != cembree_invalid_geometry_id() else { return share }
            let placement = Int(rayhit.hit.instID)
            let material = ctx.geometry(placement, rayhit.hit.geomID) { ($0.material.alphaCutoff, $0.material.transmission) }
            guard material.0 != nil || material.1 > 0 else { return .zero }
            let surface = self.surface(rayhit, o, direction, placement, footprint: 0, ctx)
            if surface.transmission > 0, !surface.isHole {
                // Frosted glass spreads the light and a solid bends it: neither lets a straight
                // light sample through.
                guard Self.isSmooth(surface.brdf), !surface.volume else { return .zero }
                let fresnel = Sheet.fresnel(cosine: min(1, abs((direction * surface.shading).sum())), ior: surface.ior)
                share *= surface.tint * ((1 - fresnel) * surface.transmission)
            } else if !surface.isHole {
                return .zero
            }
            o = surface.point + direction * 1e-3
        }
        return .zero
    }

    /// Light from the environment, drawn where it is bright, that reaches the eye by `surface`:
    /// `throughput` × what comes along the light's way (`visibility`) × the surface's response
    /// f · cos θ to light from `l` (`response`, with the density its own sampling draws `l` by),
    /// weighed against that sampling (MIS). Light from below the surface counts only where it
    /// passes (`bothSides`: a sheet of glass).
    @inline(__always) private func lightSample(
        _ u: SIMD2<Float>, _ throughput: SIMD3<Float>, _ surface: Surface, bothSides: Bool, _ ctx: Context, _ rays: inout Tally,
        response: (SIMD3<Float>) -> (value: SIMD3<Float>, pdf: Float)
    ) -> SIMD3<Float> {
        let light = ctx.environment.sample(Double(u.x), Double(u.y))
        let above = (surface.geometric * light.direction).sum() > 0
        guard light.pdf > 0, above || bothSides else { return .zero }
        let (f, p) = response(light.direction)
        guard f.max() > 0 else { return .zero }
        let through = visibility(surface.point + surface.geometric * (above ? 1e-3 : -1e-3), light.direction, ctx, &rays)
        guard through.max() > 0 else { return .zero }
        let q = light.pdf
        return throughput * through * f * light.radiance / q * (q * q / (q * q + p * p))
    }

    /// What a contribution found at `bounce` adds: indirect light limited to `clampIndirect`.
    @inline(__always) private func clamped(_ light: SIMD3<Float>, bounce: Int) -> SIMD3<Float> {
        guard bounce > 0, clampIndirect > 0 else { return light }
        let sum = light.x + light.y + light.z
        return sum > clampIndirect ? light * (clampIndirect / sum) : light
    }

    /// Whether unlabelled glass leaves its pixel's label to what is behind it: a clear sheet, not
    /// a frosted one nor a solid that bends the view.
    @inline(__always) static func passesLabels(_ surface: Surface) -> Bool { !surface.volume && isSmooth(surface.brdf) }

    /// A rough solid's mirror seen from outside, for light from `l` seen along `v` about the
    /// surface normal `n` (facing `v`): f · cos θ_l, and the density with which a microfacet drawn
    /// by D(h)(n·h), then mirrored by Fresnel's choice, sends the ray along `l`.
    @inline(__always) static func roughMirror(v: SIMD3<Float>, l: SIMD3<Float>, n: SIMD3<Float>, alpha: Float, ior: Float) -> (
        value: Float, pdf: Float
    ) {
        var h = v + l
        h /= max(1e-8, (h * h).sum().squareRoot())
        let (nv, nl, nh, vh) = ((n * v).sum(), (n * l).sum(), (n * h).sum(), (v * h).sum())
        guard nv > 0, nl > 0, nh > 0, vh > 0 else { return (0, 0) }
        let a2 = alpha * alpha
        let d = BRDF.distribution(nh: nh, a2: a2)
        let fresnel = refraction(-v, h, cosine: min(1, vh), eta: 1 / ior).fresnel
        return (fresnel * d * BRDF.visibility(nl: nl, nv: nv, a2: a2) * nl, fresnel * d * nh / (4 * vh))
    }

    /// Fresnel's reflectance (exact, for unpolarised light) where a ray along `d` meets a boundary
    /// with normal `n` (facing the ray) at incidence `cosine`, the indices' ratio on either side
    /// being `eta` (n₁/n₂), and the direction it bends into (any, where all of it is mirrored).
    @inline(__always) static func refraction(_ d: SIMD3<Float>, _ n: SIMD3<Float>, cosine: Float, eta: Float) -> (
        fresnel: Float, direction: SIMD3<Float>
    ) {
        let sine2 = eta * eta * max(0, 1 - cosine * cosine)
        guard sine2 < 1 else { return (1, d) }
        let cosT = (1 - sine2).squareRoot()
        let s = (eta * cosine - cosT) / (eta * cosine + cosT), p = (cosine - eta * cosT) / (cosine + eta * cosT)
        let bent = d * eta + n * (eta * cosine - cosT)
        return ((s * s + p * p) / 2, bent / max(1e-12, (bent * bent).sum().squareRoot()))
    }

    /// Whether glass of this BRDF is smooth: a mirror and a clear pane, not frosted.
    @inline(__always) static func isSmooth(_ brdf: BRDF) -> Bool { brdf.alpha <= smoothAlpha }

    /// GGX α at or below which glass is smooth (roughness 0.05).
    static let smoothAlpha: Float = 0.0025

    /// The surface a ray met: barycentric interpolation of the mesh's normals and UVs, the
    /// material's textures at the ray's footprint (`footprint` metres across).
    private func surface(
        _ rayhit: RTCRayHit, _ origin: SIMD3<Float>, _ d: SIMD3<Float>, _ placement: Int, footprint: Float, _ ctx: Context
    ) -> Surface {
        ctx.geometry(placement, rayhit.hit.geomID) { mesh in surface(rayhit, origin, d, placement, footprint: footprint, ctx, mesh) }
    }

    /// The same on the mesh the hit met.
    @inline(__always) private func surface(
        _ rayhit: RTCRayHit, _ origin: SIMD3<Float>, _ d: SIMD3<Float>, _ placement: Int, footprint: Float, _ ctx: Context,
        _ mesh: Geometry
    ) -> Surface {
        let place = ctx.placed[placement]
        let triangle = mesh.triangles[Int(rayhit.hit.primID)]
        let (a, b, c) = (Int(triangle.x), Int(triangle.y), Int(triangle.z))
        let (u, v) = (rayhit.hit.u, rayhit.hit.v)
        let w = 1 - u - v
        let normalMatrix = ctx.normalMatrices[placement]
        func unit(_ x: SIMD3<Float>) -> SIMD3<Float> { x / max(1e-12, (x * x).sum().squareRoot()) }
        var geometric = unit(normalMatrix.vector(SIMD3(rayhit.hit.Ng_x, rayhit.hit.Ng_y, rayhit.hit.Ng_z)))
        var shading = unit(normalMatrix.vector(mesh.normals[a] * w + mesh.normals[b] * u + mesh.normals[c] * v))
        // The side its normals face is the outside.
        let entering = (shading * d).sum() < 0
        // Both normals face the ray's side.
        if (geometric * d).sum() > 0 { geometric = -geometric }
        if (shading * geometric).sum() < 0 { shading = -shading }
        var base = mesh.material.baseColor
        var (metallic, roughness) = (mesh.material.metallic, mesh.material.roughness)
        var emission = mesh.material.emissive
        // A picture the object wears in place of its colour (glass keeps its tint).
        let worn = mesh.material.transmission > 0 ? nil : place.texture
        // How much a texture's footprint stretches where the surface is seen at a grazing angle.
        let grazing = max(0.05, abs((geometric * d).sum()))
        if let k = worn, mesh.uvs.isEmpty {
            // No UVs: the picture projected onto the object's own space along its normal's main
            // axis, a repeat per half metre.
            let p = mesh.positions[a] * w + mesh.positions[b] * u + mesh.positions[c] * v
            let normal: SIMD3<Float> = mesh.normals[a] * w + mesh.normals[b] * u + mesh.normals[c] * v
            let n = SIMD3(abs(normal.x), abs(normal.y), abs(normal.z))
            let plane: SIMD2<Float>
            if n.x >= max(n.y, n.z) {
                plane = SIMD2(p.z, p.y)
            } else if n.y >= n.z {
                plane = SIMD2(p.x, p.z)
            } else {
                plane = SIMD2(p.x, p.y)
            }
            base = Self.wearing(ctx.textures[k].sample(plane * 2, footprint: footprint * 2 / (place.scale * grazing)), alpha: base.w)
        }
        if !mesh.uvs.isEmpty {
            let uv = mesh.uvs[a] * w + mesh.uvs[b] * u + mesh.uvs[c] * v
            // Footprint in texture repeats: metres across × repeats per metre on this triangle,
            // stretched where the surface is seen at a grazing angle.
            let scale = place.scale
            let worldArea = Self.area(mesh.positions[a], mesh.positions[b], mesh.positions[c]) * scale * scale
            let uvArea = abs(Self.cross2(mesh.uvs[b] - mesh.uvs[a], mesh.uvs[c] - mesh.uvs[a])) / 2
            let repeats = worldArea > 0 ? footprint * (uvArea / worldArea).squareRoot() / grazing : 0
            if let t = mesh.material.baseColorTexture { base *= t.sample(uv, footprint: repeats) }
            if let k = worn { base = Self.wearing(ctx.textures[k].sample(uv, footprint: repeats), alpha: base.w) }
            if let t = mesh.material.metallicRoughnessTexture {
                let mr = t.sample(uv, footprint: repeats)
                roughness *= mr.y
                metallic *= mr.z
            }
            if let t = mesh.material.emissiveTexture {
                let e = t.sample(uv, footprint: repeats)
                emission *= SIMD3(e.x, e.y, e.z)
            }
            if let t = mesh.material.normalTexture, !mesh.tangents.isEmpty {
                let tangent4 = mesh.tangents[a] * w + mesh.tangents[b] * u + mesh.tangents[c] * v
                let tangent = unit(ctx.transforms[placement].vector(SIMD3(tangent4.x, tangent4.y, tangent4.z)))
                let handed: Float = mesh.tangents[a].w < 0 ? -1 : 1
                let bitangent =
                    SIMD3(
                        shading.y * tangent.z - shading.z * tangent.y, shading.z * tangent.x - shading.x * tangent.z,
                        shading.x * tangent.y - shading.y * tangent.x) * handed
                let m = t.sample(uv, footprint: repeats) * 2 - 1
                let mapped = unit(tangent * m.x + bitangent * m.y + shading * max(0.05, m.z))
                if (mapped * geometric).sum() > 0 { shading = mapped }
            }
        }
        let isHole = mesh.material.alphaCutoff.map { base.w < $0 } ?? false
        var color = SIMD3(base.x, base.y, base.z) * place.tint
        let point = origin + d * rayhit.ray.tfar
        if let ground = ctx.ground, ground.placement == placement {
            (color, roughness) = ground.look(color, roughness: roughness, at: point, footprint: footprint)
        }
        color = pointwiseMin(SIMD3(repeating: 1), color)
        return Surface(
            point: point, geometric: geometric, shading: shading,
            brdf: BRDF(
                base: color, metallic: max(0, min(1, metallic)),
                roughness: max(0, min(1, roughness * place.roughness))),
            emission: emission, isHole: isHole, transmission: mesh.material.transmission, tint: color,
            ior: mesh.material.ior, volume: mesh.material.volume, entering: entering, absorption: mesh.material.absorption)
    }

    /// A worn picture's colour, keeping the object's own alpha (its cut-outs).
    @inline(__always) static func wearing(_ picture: SIMD4<Float>, alpha: Float) -> SIMD4<Float> {
        SIMD4(picture.x, picture.y, picture.z, alpha)
    }

    static func area(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ c: SIMD3<Float>) -> Float {
        let (e, f) = (b - a, c - a)
        let n = SIMD3(e.y * f.z - e.z * f.y, e.z * f.x - e.x * f.z, e.x * f.y - e.y * f.x)
        return (n * n).sum().squareRoot() / 2
    }

    static func cross2(_ u: SIMD2<Float>, _ v: SIMD2<Float>) -> Float { u.x * v.y - u.y * v.x }
}
