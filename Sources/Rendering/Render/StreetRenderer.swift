internal import Glibc
public import StudioCore

/// One rendered image with labels made by the same rays.
public struct RenderOutput: Sendable {
    public let width: Int
    public let height: Int
    /// sRGB, 8-bit, row-major.
    public let rgb: [UInt8]
    /// Instance id per pixel (0 = background), from each pixel's first (centre) sample.
    public let instances: [UInt16]
    /// Depth along the view axis in millimetres (0 = sky), from the same sample.
    public let depth: [UInt16]
    /// Instance ids to their labels.
    public let objects: [Int: RenderedObject]
    /// Image attributes the scene drew itself (a rig's camera height and pitch, a curve's
    /// radius), over the parameters' own.
    public var attributes: [String: String] = [:]
    /// Rays traced for the picture: primary, shadow and reflection.
    public let rays: Int
    /// The JPEG quality the camera writes the picture at (nil: PNG).
    public var jpegQuality: Int? = nil
}

/// A labelled object as it appears in one image.
public struct RenderedObject: Sendable, Hashable {
    public let label: String
    /// For a reflection, the instance it reflects.
    public let reflects: Int?
    /// Amodal box: the object's 3D bounds projected (pixels, clipped to the image), or nil when it is behind the camera.
    public let amodal: BoundingBox?
    /// Visible pixels over the pixels the object would cover with nothing in front (1 = unoccluded).
    public var visibility: Double = 1
    /// The share of the object's projected box that lies outside the image (0 = whole in view).
    public var truncation: Double = 0
    /// Metres from the camera to the object's centre, along the view axis.
    public var distance: Double? = nil
    /// What the scene says of the object beyond its class (a person's pose, gait phase, age…).
    public var attributes: [String: String] = [:]

    public init(label: String, reflects: Int?, amodal: BoundingBox?) {
        self.label = label
        self.reflects = reflects
        self.amodal = amodal
    }
}

/// Ray traces a `StreetScene` with Embree: sun with soft shadows, sky light, street lamps and
/// headlights at night, shop glass with Fresnel reflections (labelled: a glass pixel whose
/// reflected ray hits a pedestrian belongs to a `pedestrian_reflection` instance), wet roads,
/// fog and haze, rain streaks and snowflakes, seen through the parameters' lens (distortion,
/// depth of field, motion blur of the camera and of walkers, riders and driving cars) by their
/// sensor (exposure, white balance, vignetting, noise by ISO).
///
/// Deterministic: every random number comes from (image stream, pixel, sample), so the image is
/// the same whatever the thread count; rows are traced on all cores.
public struct StreetRenderer: Sendable {
    public var width: Int
    public var height: Int
    public var samplesPerPixel: Int
    /// Where samples fall in the pixel, the aperture and a wet road's film: Owen-scrambled Sobol
    /// points unless a comparison asks otherwise (the sun is stratified across samples either way).
    public var sampling = Sampling.sobol
    /// Pixel samples from this seed instead of the image's (the same scene, other noise: for
    /// comparing samplers against a converged image).
    package var pixelSeed: UInt64? = nil

    /// Every class the street labels, in a fixed order (a rendered dataset's class list, so YOLO
    /// class ids are the same in every render).
    public static let classes = StreetScene.labels

    /// The recipe's own human models, placed among the street's pedestrians by their shares.
    public var people: [PersonAsset] = []
    /// The recipe's own other models, placed on the road and sidewalks under their classes
    /// (after `classes` in a dataset's class list).
    public var props: [PropAsset] = []

    public init(width: Int, height: Int, samplesPerPixel: Int) {
        self.width = width
        self.height = height
        self.samplesPerPixel = max(1, samplesPerPixel)
    }

    public func render(_ parameters: SceneParameters, stream: RandomStream) -> RenderOutput {
        render(parameters, stream: stream, recording: false).output
    }

    /// The image, and a copy of every ray stream it sent to Embree (for the bench's replay).
    package func renderRecordingRays(_ parameters: SceneParameters, stream: RandomStream) -> (RenderOutput, [RecordedRays]) {
        let rendered = render(parameters, stream: stream, recording: true)
        return (rendered.output, rendered.streams)
    }

    private func render(_ parameters: SceneParameters, stream: RandomStream, recording: Bool) -> (
        output: RenderOutput, streams: [RecordedRays]
    ) {
        // Every image builds and frees the same BVHs and row buffers.
        ProcessMemory.keepFreedBuffers()
        var placement = stream.derived(1)
        let scene = StreetScene(parameters, people: people, props: props, random: &placement)
        // While the shutter is open, walkers, riders and driving cars move on.
        let shutter = parameters.lens.shutter
        let embree = EmbreeScene(meshes: scene.objects.map(\.mesh), travel: shutter > 0 ? scene.objects.map { $0.velocity * shutter } : [])
        let light = Lighting(parameters)
        let camera = Camera(scene, width: width, height: height)
        // Instances: object index + 1 for labelled objects; reflections get ids above them.
        var instanceOf = [Int](repeating: 0, count: scene.objects.count)
        var objects: [Int: RenderedObject] = [:]
        var next = 1
        for (i, object) in scene.objects.enumerated() {
            guard let label = object.label else { continue }
            instanceOf[i] = next
            let bounds = object.mesh.bounds
            var rendered = RenderedObject(label: label, reflects: nil, amodal: camera.project(bounds))
            rendered.truncation = camera.truncation(bounds)
            rendered.distance = Double(camera.depth((bounds.min + bounds.max) / 2))
            rendered.attributes = object.attributes
            if let facing = object.facing {
                rendered.attributes["view"] = Self.view(facing, from: camera, at: (bounds.min + bounds.max) / 2)
            }
            objects[next] = rendered
            next += 1
        }
        let firstReflection = next
        let context = Context(
            scene: scene, embree: embree, light: light, camera: camera, instanceOf: instanceOf, firstReflection: firstReflection,
            recording: recording)
        let pixelStream = pixelSeed.map { RandomStream(seed: $0).derived(2) } ?? stream.derived(2)
        let rows = Parallel.map(height) { y in trace(row: y, context, pixelStream, noise: stream.derived(4)) }
        var rgb = rows.flatMap(\.rgb)
        let depth = rows.flatMap(\.depth)
        let rays = rows.reduce(0) { $0 + $1.rays }
        // A reflection instance per connected region: one person seen in two panes is two.
        let (instances, reflected) = Self.separatingReflections(rows.flatMap(\.instances), width: width, from: firstReflection)
        var shown = [Int](repeating: 0, count: Int(instances.max() ?? 0) + 1)
        for id in instances { shown[Int(id)] += 1 }
        for (id, person) in reflected {
            var reflection = RenderedObject(label: "pedestrian_reflection", reflects: person, amodal: nil)
            reflection.distance = objects[person]?.distance
            objects[id] = reflection
        }
        let visibilities = reflectionVisibility(
            instances: instances, surfaces: rows.flatMap(\.surfaces), reflected: reflected, scene: scene, embree: embree, camera: camera,
            objectOf: Dictionary(uniqueKeysWithValues: instanceOf.enumerated().filter { $0.element > 0 }.map { ($0.element, $0.offset) }))
        for (id, visibility) in visibilities { objects[id]?.visibility = visibility }
        // Visibility: the object's own silhouette (the pixels of its amodal box whose centre
        // ray meets its mesh, nothing else there) against the pixels that show it.
        let measured = scene.objects.indices.filter { i in
            let id = instanceOf[i]
            return id > 0 && id < shown.count && shown[id] > 0 && objects[id]?.amodal != nil
        }
        let silhouettes = measured.map { i in silhouette(of: scene.objects[i].mesh, in: objects[instanceOf[i]]!.amodal!, camera) }
        for (i, silhouette) in zip(measured, silhouettes) {
            let id = instanceOf[i]
            objects[id]?.visibility = silhouette > 0 ? min(1, Double(shown[id]) / Double(silhouette)) : 1
        }
        Weather.overlay(
            &rgb, depth: depth, width: width, height: height, focal: Float(height) / 2 / camera.tanHalf, parameters: parameters,
            stream: stream.derived(3))
        var output = RenderOutput(
            width: width, height: height, rgb: rgb, instances: instances, depth: depth, objects: objects, rays: rays)
        output.attributes = scene.attributes
        output.jpegQuality = parameters.sensor.jpegQuality
        return (output, rows.flatMap(\.recorded))
    }

    /// Which side of a person the camera sees: `front` (facing the camera within 45°), `back`,
    /// or `left`/`right` (their left or right side toward the camera).
    static func view(_ facing: SIMD3<Float>, from camera: Camera, at point: SIMD3<Float>) -> String {
        var toCamera = camera.position - point
        toCamera.y = 0
        let d = toCamera / max(1e-6, (toCamera * toCamera).sum().squareRoot())
        let ahead = (facing * d).sum()
        if ahead > 0.707 { return "front" }
        if ahead < -0.707 { return "back" }
        // In the right-handed world a person's right is facing × up = (−facing.z, 0, facing.x)
        // (facing +z, their right is −x: seen from behind, on the image's right).
        let right = SIMD3<Float>(-facing.z, 0, facing.x)
        return (right * d).sum() > 0 ? "right" : "left"
    }

    /// The instance map with every reflection id (those from `first` up, one per reflected
    /// person) split into 8-connected regions, each under an id of its own (from `first` up
    /// again), and which person each new id reflects (`id - first + 1` of the old numbering).
    static func separatingReflections(_ instances: [UInt16], width: Int, from first: Int) -> ([UInt16], [Int: Int]) {
        var out = instances
        var reflects: [Int: Int] = [:]
        guard first <= Int(UInt16.max), instances.contains(where: { Int($0) >= first }) else { return (out, reflects) }
        let height = instances.count / width
        var done = [Bool](repeating: false, count: instances.count)
        var next = first
        var stack: [Int] = []
        for start in instances.indices where Int(instances[start]) >= first && !done[start] {
            let old = instances[start]
            // Past 65,535 ids the rest keep the last one.
            let id = UInt16(min(next, Int(UInt16.max)))
            reflects[Int(id)] = Int(old) - first + 1
            next += 1
            done[start] = true
            stack.append(start)
            while let p = stack.popLast() {
                out[p] = id
                let x = p % width, y = p / width
                for dy in -1...1 {
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        let nx = x + dx, ny = y + dy
                        guard nx >= 0, nx < width, ny >= 0, ny < height else { continue }
                        let q = ny * width + nx
                        if !done[q] && instances[q] == old {
                            done[q] = true
                            stack.append(q)
                        }
                    }
                }
            }
        }
        return (out, reflects)
    }

    /// Each reflection instance's visibility: the pixels showing that person in that pane
    /// (all its regions there) over the pixels the person's mirror image would cover in the
    /// pane with nothing in front of either — the person mirrored in the pane's plane, filled,
    /// and kept where the pane itself projects.
    func reflectionVisibility(
        instances: [UInt16], surfaces: [Int32], reflected: [Int: Int], scene: StreetScene, embree: EmbreeScene, camera: Camera,
        objectOf: [Int: Int]
    ) -> [Int: Double] {
        guard !reflected.isEmpty else { return [:] }
        var pixels: [Int: [Int]] = [:]
        for (p, id) in instances.enumerated() where reflected[Int(id)] != nil { pixels[Int(id), default: []].append(p) }
        // Regions of one person in one pane share a visibility.
        struct Group: Hashable {
            let person: Int
            let pane: Int32
        }
        var groups: [Group: [Int]] = [:]
        for (id, members) in pixels {
            guard let person = reflected[id], members.count > 0 else { continue }
            groups[Group(person: person, pane: surfaces[members[0]]), default: []].append(id)
        }
        var out: [Int: Double] = [:]
        for (group, ids) in groups {
            guard let objectIndex = objectOf[group.person], group.pane >= 0, let first = pixels[ids[0]]?.first else { continue }
            // The pane's plane, from the ray through one of the reflection's pixels.
            let ray = camera.ray(x: Float(first % width) + 0.5, y: Float(first / width) + 0.5)
            guard let hit = embree.intersect(ray.origin, ray.direction) else { continue }
            let point = ray.origin + ray.direction * hit.distance, n = hit.normal
            var mirrored = scene.objects[objectIndex].mesh
            mirrored.vertices = mirrored.vertices.map { v in v - 2 * ((v - point) * n).sum() * n }
            guard let box = camera.project(mirrored.bounds) else { continue }
            let image = camera.coverage(of: mirrored, in: box), pane = camera.coverage(of: scene.objects[Int(group.pane)].mesh, in: box)
            let possible = zip(image.mask, pane.mask).reduce(0) { $0 + ($1.0 && $1.1 ? 1 : 0) }
            let shown = ids.reduce(0) { $0 + (pixels[$1]?.count ?? 0) }
            for id in ids { out[id] = possible > 0 ? min(1, Double(shown) / Double(possible)) : 1 }
        }
        return out
    }

    /// `Camera.silhouette(of:in:)`.
    func silhouette(of mesh: Mesh, in box: BoundingBox, _ camera: Camera) -> Int { camera.silhouette(of: mesh, in: box) }

    /// Embree alone on the scene of `parameters`: the same camera rays (`samplesPerPixel` per
    /// pixel), intersected and nothing else, on all cores — one `rtcIntersect1` call per ray, and
    /// each row as one coherent stream (`rtcIntersect1M`, what the renderer uses). Returns the
    /// ray count and the seconds of each way, for the bench.
    package func embreeAlone(_ parameters: SceneParameters, stream: RandomStream) -> (rays: Int, single: Double, streamed: Double) {
        var placement = stream.derived(1)
        let scene = StreetScene(parameters, people: people, props: props, random: &placement)
        let embree = EmbreeScene(meshes: scene.objects.map(\.mesh))
        let camera = Camera(scene, width: width, height: height)
        func rays(_ y: Int) -> HitBatch<Void> {
            var batch = HitBatch<Void>()
            for x in 0..<width {
                for s in 0..<samplesPerPixel {
                    let ray = camera.ray(x: Float(x) + Float(s) / Float(samplesPerPixel), y: Float(y) + 0.5)
                    batch.append(ray.origin, ray.direction, ())
                }
            }
            return batch
        }
        let rows = (0..<height).map(rays)
        func seconds(_ trace: (HitBatch<Void>) -> Int) -> Double {
            let (hits, time) = Rendering.seconds { Parallel.map(height) { y in trace(rows[y]) }.reduce(0, +) }
            precondition(hits >= 0)
            return time
        }
        let single = seconds { batch in
            (0..<batch.count).reduce(0) { $0 + (embree.intersect(batch.origin($1), batch.direction($1)) != nil ? 1 : 0) }
        }
        let streamed = seconds { batch in
            var batch = batch
            embree.intersect(&batch)
            return (0..<batch.count).reduce(0) { $0 + (batch.hit($1) != nil ? 1 : 0) }
        }
        return (width * height * samplesPerPixel, single, streamed)
    }

    /// Embree alone on the rays a render traced: the scene of `parameters` rebuilt, and every
    /// recorded stream sent again in the same batches (rows on all cores), nothing else. Returns
    /// the ray count and the seconds, for the bench.
    package func embreeReplay(_ parameters: SceneParameters, stream: RandomStream, _ recorded: [RecordedRays]) -> (
        rays: Int, seconds: Double
    ) {
        var placement = stream.derived(1)
        let embree = EmbreeScene(meshes: StreetScene(parameters, people: people, props: props, random: &placement).objects.map(\.mesh))
        var batches = recorded.map { $0.replay() }
        let (_, time) = Rendering.seconds {
            batches.withUnsafeMutableBufferPointer { batches in
                nonisolated(unsafe) let batches = batches
                Parallel.forEach(batches.count) { i in
                    embree.intersect(&batches[i].hits)
                    embree.occluded(&batches[i].occlusion)
                }
            }
        }
        return (recorded.reduce(0) { $0 + $1.count }, time)
    }

    struct Context: Sendable {
        let scene: StreetScene
        let embree: EmbreeScene
        let light: Lighting
        let camera: Camera
        let instanceOf: [Int]
        let firstReflection: Int
        /// Per mesh, read per ray: copied out of `scene.objects` so a hit does not copy (and
        /// retain) an object's mesh arrays and label.
        let surfaces: Surfaces
        let isPedestrian: [Bool]
        /// Per mesh: in snow, whether snow settles on its upward faces.
        let snowCovered: [Bool]
        /// Whether rows keep a copy of each ray stream (`renderRecordingRays`).
        let recording: Bool
        /// The sensor's per-image constants.
        let development: Sensor.Development
        /// Radians a pixel spans: a ray's footprint is this times the distance it went.
        let pixelAngle: Float
        /// The least a light must add to be worth a shadow ray (a lamp 25 m away adds well
        /// under 1 % of what the sky does at night), and per lamp the squared distance within
        /// which it can: `color.max() / (d² + 1) > visibleLight`.
        let visibleLight: Float
        let lampReach: [Float]

        init(
            scene: StreetScene, embree: EmbreeScene, light: Lighting, camera: Camera, instanceOf: [Int], firstReflection: Int,
            recording: Bool
        ) {
            self.recording = recording
            development = scene.parameters.sensor.development
            pixelAngle = 2 * camera.tanHalf / camera.height
            self.scene = scene
            self.embree = embree
            self.light = light
            self.camera = camera
            self.instanceOf = instanceOf
            self.firstReflection = firstReflection
            surfaces = Surfaces(scene.objects)
            let visible = max(0.004, light.ambient.max() * 0.15)
            visibleLight = visible
            lampReach = scene.lights.map { $0.color.max() / visible - 1 }
            isPedestrian = scene.objects.map { $0.label == "pedestrian" }
            let snowing = scene.parameters.weather == .snow
            snowCovered = scene.objects.map { snowing && $0.label != "pedestrian" && $0.label != "cyclist" }
        }
    }

    struct Row {
        var rgb: [UInt8]
        var instances: [UInt16]
        /// The mesh each pixel's centre ray meets first (-1: sky).
        var surfaces: [Int32]
        var depth: [UInt16]
        var rays = 0
        var recorded: [RecordedRays] = []
    }

    /// A row as a wavefront: every camera ray of the row in one coherent Embree stream, then
    /// the mirror rays their hits spawn (shop glass, wet road) as a second and third stream, and
    /// all shadow rays as a last one. A ray carries the weight its sample's colour gets (Fresnel,
    /// wetness and fog along the way), so the streams add up to what tracing each path to the
    /// end would give. Each pixel draws its random numbers from its own stream in a fixed order,
    /// so threads and batching never change an image.
    private func trace(row y: Int, _ ctx: Context, _ stream: RandomStream, noise: RandomStream) -> Row {
        var row = Row(
            rgb: [UInt8](repeating: 0, count: width * 3), instances: [UInt16](repeating: 0, count: width),
            surfaces: [Int32](repeating: -1, count: width),
            depth: [UInt16](repeating: 0, count: width))
        let spp = samplesPerPixel
        // The row's pixel streams and sample colours, read and written per ray: plain buffers
        // (an array checks its uniqueness at every write).
        let pixels = (0..<width).map { x in stream.derived(UInt64(y * width + x)) }
        let randoms = UnsafeMutableBufferPointer<RandomStream>.allocate(capacity: width)
        _ = randoms.initialize(from: pixels)
        // Each pixel's 2-D choices (where in the pixel, the aperture, a wet road's tilt) from the
        // recipe's sampling: Sobol points of the pixel's own seed, or the pixel's stream.
        let seeds = pixels.map(Sampler.seed)
        let sobol = sampling == .sobol
        @inline(__always) func square(_ x: Int, sample: Int, _ pair: UInt32) -> SIMD2<Float> {
            guard sobol else { return randoms[x].nextSquare() }
            var sampler = Sampler(.sobol, pixel: pixels[x], seed: seeds[x], index: sample)
            return sampler.square(pair)
        }
        let radiance = UnsafeMutableBufferPointer<SIMD3<Float>>.allocate(capacity: width * spp)
        radiance.initialize(repeating: .zero)
        defer {
            randoms.deallocate()
            radiance.deallocate()
        }
        var patterns = PatternCache(width: width)
        let lens = ctx.camera.lens
        let timed = lens.shutter > 0
        var wave = Wave(capacity: width * spp) { rays in
            for x in 0..<width {
                for s in 0..<spp {
                    // Sample 0 at the pixel centre, through the lens centre at mid-shutter: it
                    // also makes the labels.
                    let jitter = s == 0 ? SIMD2<Float>(0.5, 0.5) : square(x, sample: s, Sampler.Dimension.pixel)
                    let time = timed ? Lens.time(sample: s, of: spp, pixel: y * width + x) : 0.5
                    let ray =
                        s == 0 || (!lens.hasAperture && !lens.isMoving)
                        ? ctx.camera.ray(x: Float(x) + jitter.x, y: Float(y) + jitter.y)
                        : ctx.camera.ray(
                            x: Float(x) + jitter.x, y: Float(y) + jitter.y,
                            aperture: lens.hasAperture ? square(x, sample: s, Sampler.Dimension.aperture) : SIMD2(0.5, 0.5), time: time)
                    rays.write(
                        ray.origin, ray.direction, time: time,
                        Bounce(sample: Int32(x * spp + s), labels: s == 0, weight: SIMD3(repeating: 1)))
                }
            }
        }
        let light = ctx.light
        // Each wave has at most as many rays as the one before, and each ray at most one point
        // to light and one mirror ray: room for every point is known before shading.
        let points = LitPoints(capacity: 3 * width * spp) { points in
            for depth in 0...2 where wave.count > 0 {
                if ctx.recording { row.recorded.append(RecordedRays(wave)) }
                ctx.embree.intersect(&wave)
                row.rays += wave.count
                let next = Wave(capacity: depth < 2 ? wave.count : 0) { mirrors in
                    wave.withEntries { entries in
                        for entry in entries {
                            let bounce = entry.payload
                            let i = Int(bounce.sample)
                            let x = i / spp
                            let weight = bounce.weight
                            let direction = entry.direction
                            // A camera ray, or one gone on through a cut-out's holes.
                            let primary = depth == 0 || bounce.through
                            guard let hit = entry.hit else {
                                radiance[i] += weight * light.sky(direction)
                                if bounce.labels && bounce.through { (row.instances[x], row.surfaces[x], row.depth[x]) = (0, -1, 0) }
                                continue
                            }
                            if bounce.labels {
                                if primary {
                                    let distance = bounce.travelled + hit.distance
                                    row.instances[x] = UInt16(ctx.instanceOf[hit.mesh])
                                    row.surfaces[x] = Int32(hit.mesh)
                                    row.depth[x] = UInt16(min(65535, distance * ctx.camera.forwardCosine(direction) * 1000 + 0.5))
                                } else if ctx.isPedestrian[hit.mesh] {
                                    // Seen in the glass: a reflection of that pedestrian, labelled as such.
                                    row.instances[x] = UInt16(ctx.firstReflection + ctx.instanceOf[hit.mesh] - 1)
                                }
                            }
                            let point = entry.origin + direction * hit.distance
                            let n = ctx.surfaces.normal(hit, direction)
                            let material = ctx.surfaces.material(hit)
                            // Fog: colour · t + fog colour · (1 − t) along this segment.
                            let t = light.transmittance(hit.distance)
                            var color = weight * (1 - t) * light.fogColor
                            let seen = weight * t
                            var mirror: SIMD3<Float>? = nil
                            var glossy: SIMD3<Float>? = nil
                            switch material {
                            case .emissive(let c):
                                color += seen * c
                            case .diffuse, .textured, .image:
                                var albedo: SIMD3<Float>
                                if case .image(let base, let texture, let cutoff) = material {
                                    let (uv, perMetre) = ctx.surfaces.uv(hit)
                                    let texel = ctx.scene.textures[texture].sample(uv, footprint: hit.distance * ctx.pixelAngle * perMetre)
                                    if texel.w < cutoff {
                                        // A hole of a cut-out (hair, leaves, a fence): the ray goes on
                                        // through it in the next wave, as what it was.
                                        radiance[i] += color
                                        if depth < 2 {
                                            var through = bounce
                                            through.weight = seen
                                            through.through = primary
                                            through.travelled = bounce.travelled + hit.distance
                                            mirrors.write(point + direction * 1e-3, direction, time: entry.time, through)
                                        } else if bounce.labels && primary {
                                            // Out of waves behind a third hole: the pixel is labelled
                                            // as nothing rather than as the hole.
                                            (row.instances[x], row.surfaces[x], row.depth[x]) = (0, -1, 0)
                                        }
                                        continue
                                    }
                                    albedo = base * SIMD3(texel.x, texel.y, texel.z)
                                } else if case .textured(let base, let pattern, let variant) = material {
                                    albedo =
                                        patterns.albedo(
                                            pixel: x, surface: hit.mesh << 8 | ctx.surfaces.part(hit), camera: depth == 0,
                                            first: bounce.labels
                                        ) {
                                            (
                                                pattern.albedo(
                                                    base, at: point, normal: n, footprint: hit.distance * ctx.pixelAngle, variant: variant),
                                                0
                                            )
                                        }.albedo
                                } else if case .diffuse(let base) = material {
                                    albedo = base
                                } else {
                                    albedo = .zero
                                }
                                // Snow lies on what faces up and stands still (not on people).
                                if ctx.snowCovered[hit.mesh] && n.y > 0.55 {
                                    albedo += (SIMD3(repeating: 0.85) - albedo) * min(1, (n.y - 0.55) * 3)
                                }
                                let lit = seen * albedo
                                color += lit * light.skyLight(n)
                                points.write(point, normal: n, albedo: lit, sample: i, pixel: x)
                            case .road(let base, let wetness, let pattern, let variant):
                                let footprint = hit.distance * ctx.pixelAngle
                                // Puddles mirror; damp asphalt between them reflects dimly and blurred.
                                let (albedo, wet) = patterns.albedo(
                                    pixel: x, surface: hit.mesh << 8, camera: depth == 0, first: bounce.labels
                                ) {
                                    (
                                        pattern.albedo(base, at: point, normal: n, footprint: footprint, variant: variant),
                                        wetness > 0 ? min(0.9, wetness * 1.6 * Pattern.puddle(point.x, point.z, footprint, variant)) : 0
                                    )
                                }
                                let lit = seen * albedo * (1 - wet)
                                color += lit * light.skyLight(n)
                                points.write(point, normal: n, albedo: lit, sample: i, pixel: x)
                                if wet > 0 {
                                    mirror = seen * wet
                                    // A rough film of water: the mirror's normal tilts a little,
                                    // less in deep puddles, and mostly toward and away from the
                                    // viewer, which draws lights out into the long streaks of a wet
                                    // road at night.
                                    let tilt =
                                        (square(x, sample: Int(bounce.sample) % spp, Sampler.Dimension.direction(bounce: depth)) - 0.5)
                                        * (1 - wet)
                                    var ahead = SIMD3(direction.x, 0, direction.z)
                                    ahead /= max(1e-4, (ahead * ahead).sum().squareRoot())
                                    let across = SIMD3(ahead.z, 0, -ahead.x)
                                    glossy = n + ahead * (tilt.y * 0.14) + across * (tilt.x * 0.03)
                                }
                            case .coated(let paint):
                                // Clear coat over paint: about 4 % mirrored head on, all at grazing angles.
                                let cosine = max(0, -(direction * n).sum())
                                let c = 1 - cosine, c2 = c * c
                                let fresnel = 0.04 + 0.96 * c2 * c2 * c
                                let lit = seen * paint * (1 - fresnel)
                                color += lit * light.skyLight(n)
                                points.write(point, normal: n, albedo: lit, sample: i, pixel: x)
                                mirror = seen * fresnel
                            case .glass(let interior):
                                let cosine = max(0, -(direction * n).sum())
                                let c = 1 - cosine, c2 = c * c
                                let fresnel = 0.25 + 0.75 * c2 * c2 * c
                                color += seen * (1 - fresnel) * interior * light.ambient * 2
                                mirror = seen * fresnel
                            }
                            radiance[i] += color
                            if let mirror, depth < 2 {
                                var reflected = direction - 2 * (direction * n).sum() * n
                                if let g = glossy {
                                    let m = g / (g * g).sum().squareRoot()
                                    let rough = direction - 2 * (direction * m).sum() * m
                                    if rough.y > 0.01 { reflected = rough }
                                }
                                // Reflections are labelled in glass that is stuff (shop fronts), not
                                // in a labelled object's own (a car's windows stay the car's).
                                let labels = primary && bounce.labels && material.isGlass && ctx.instanceOf[hit.mesh] == 0
                                mirrors.write(
                                    point + n * 1e-3, reflected, time: entry.time, Bounce(sample: Int32(i), labels: labels, weight: mirror))
                            }
                        }
                    }
                }
                wave = next
            }
        }
        // Sun rays apart from lamp rays: parallel rays make full packets.
        var (sunShadows, lampShadows) = Self.light(points, row: y, samplesPerPixel: spp, ctx, randoms)
        func trace(_ shadows: inout Shadows) {
            if ctx.recording { row.recorded.append(RecordedRays(shadows)) }
            ctx.embree.occluded(&shadows)
            row.rays += shadows.count
            shadows.withEntries { entries in
                for entry in entries where !entry.isOccluded {
                    radiance[Int(entry.payload.sample)] += entry.payload.contribution
                }
            }
        }
        trace(&sunShadows)
        trace(&lampShadows)
        let curve = SRGB.curve
        let sensor = ctx.scene.parameters.sensor
        let development = ctx.development
        for x in 0..<width {
            var color = radiance[(x * spp)..<((x + 1) * spp)].reduce(.zero, +) / Float(spp) * light.exposure
            // The sensor's noise model, or the renderer's own mild noise; the camera's exposure,
            // vignetting and white balance; then Reinhard tone mapping and the sRGB curve.
            let cosine = development.vignetting > 0 ? ctx.camera.centreCosine(x: x, y: y) : 1
            if sensor.modelsNoise {
                var random = noise.derived(UInt64(y * width + x))
                color = development.develop(color, cosine: cosine, random: &random)
            } else {
                let mild = Float(randoms[x].nextUnit() - 0.5) * 0.02
                color += SIMD3(repeating: mild) * (color + SIMD3(repeating: 0.05))
                color = development.develop(color, cosine: cosine, random: &randoms[x])
            }
            for c in 0..<3 { row.rgb[x * 3 + c] = SRGB.displayed(color[c], curve) }
        }
        return row
    }

    /// A row's procedural patterns, one evaluation per pixel and surface: a pixel's camera
    /// samples land within its footprint, over which a pattern is already band-limited, so the
    /// first sample's value serves the others that meet the same mesh (four times fewer noise
    /// evaluations at 4 spp; a fifth of a street render).
    struct PatternCache {
        private var surface: [Int]
        private var value: [(albedo: SIMD3<Float>, wet: Float)]

        init(width: Int) {
            surface = [Int](repeating: -1, count: width)
            value = [(albedo: SIMD3<Float>, wet: Float)](repeating: (.zero, 0), count: width)
        }

        /// The pattern at a hit of pixel `pixel`'s sample on `surface` (a mesh and its part: a
        /// person's shirt and trousers are one mesh): remembered from the pixel's first camera
        /// sample (`first`), reused by its other camera samples on the same surface, evaluated
        /// afresh for anything else.
        @inline(__always) mutating func albedo(
            pixel: Int, surface hit: Int, camera: Bool, first: Bool, _ evaluate: () -> (albedo: SIMD3<Float>, wet: Float)
        ) -> (albedo: SIMD3<Float>, wet: Float) {
            guard camera else { return evaluate() }
            if !first && surface[pixel] == hit { return value[pixel] }
            let result = evaluate()
            if first {
                surface[pixel] = hit
                value[pixel] = result
            }
            return result
        }
    }

    /// Rays of one bounce, each with its sample, its weight in that sample's colour, and whether
    /// its hit labels the pixel (the centre sample's camera ray, and its mirror ray in glass).
    private struct Bounce {
        var sample: Int32
        var labels: Bool
        /// A camera ray gone on through a cut-out's hole: it labels and measures depth as the
        /// camera ray did, `travelled` metres from the camera.
        var through = false
        var travelled: Float = 0
        var weight: SIMD3<Float>
    }
    private typealias Wave = HitBatch<Bounce>

    /// A shadow ray's sample and what it adds when nothing blocks it (three floats rather than
    /// a 16-byte-aligned `SIMD3`: a shadow entry stays 64 bytes).
    struct ShadowRay {
        var sample: Int32
        var red: Float, green: Float, blue: Float

        init(sample: Int, contribution c: SIMD3<Float>) {
            self.sample = Int32(sample)
            (red, green, blue) = (c.x, c.y, c.z)
        }

        var contribution: SIMD3<Float> { SIMD3(red, green, blue) }
    }
    typealias Shadows = OcclusionBatch<ShadowRay>
}

/// The sRGB transfer curve as a table over [0, 1] in steps of 1/4096, read with linear
/// interpolation: within 0.005 of a level of `powf`'s curve (2 values in 100,000 round to the
/// neighbouring level), for a fraction of its cost.
enum SRGB {
    static let steps = 4096
    /// `steps + 2` entries: the last repeats 1, so interpolating at 1 reads inside the table.
    static let curve: [Float] = (0...steps + 1).map { i in encode(min(1, Float(i) / Float(steps))) }

    /// A linear value as an 8-bit display level: Reinhard tone mapping, then the curve.
    @inline(__always) static func displayed(_ value: Float, _ curve: [Float]) -> UInt8 {
        let v = max(0, value)
        let mapped = min(1, v / (1 + v * 0.6)) * Float(steps)
        let i = Int(mapped), t = mapped - Float(i)
        let srgb = curve[i] + (curve[i + 1] - curve[i]) * t
        // Non-negative, so adding ½ and truncating rounds to nearest.
        return UInt8(min(255, srgb * 255 + 0.5))
    }

    static func encode(_ linear: Float) -> Float {
        linear <= 0.0031308 ? 12.92 * linear : 1.055 * powf(linear, 1 / 2.4) - 0.055
    }
}
