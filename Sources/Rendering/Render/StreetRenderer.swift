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
    /// Rays traced for the picture: primary, shadow and reflection.
    public let rays: Int
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
}

/// Ray traces a `StreetScene` with Embree: sun with soft shadows, sky light, street lamps and
/// headlights at night, shop glass with Fresnel reflections (labelled: a glass pixel whose
/// reflected ray hits a pedestrian belongs to a `pedestrian_reflection` instance), wet roads,
/// fog and haze, rain streaks and snowflakes, exposure and mild sensor noise.
///
/// Deterministic: every random number comes from (image stream, pixel, sample), so the image is
/// the same whatever the thread count; rows are traced on all cores.
public struct StreetRenderer: Sendable {
    public var width: Int
    public var height: Int
    public var samplesPerPixel: Int

    public init(width: Int, height: Int, samplesPerPixel: Int) {
        self.width = width
        self.height = height
        self.samplesPerPixel = max(1, samplesPerPixel)
    }

    public func render(_ parameters: SceneParameters, stream: RandomStream) -> RenderOutput {
        var placement = stream.derived(1)
        let scene = StreetScene(parameters, random: &placement)
        let embree = EmbreeScene(meshes: scene.objects.map(\.mesh))
        let light = Lighting(parameters)
        let camera = Camera(parameters, width: width, height: height)
        // Instances: object index + 1 for labelled objects; reflections get ids above them.
        var instanceOf = [Int](repeating: 0, count: scene.objects.count)
        var objects: [Int: RenderedObject] = [:]
        var next = 1
        for (i, object) in scene.objects.enumerated() {
            guard let label = object.label else { continue }
            instanceOf[i] = next
            objects[next] = RenderedObject(label: label, reflects: nil, amodal: camera.project(object.mesh.bounds))
            next += 1
        }
        let firstReflection = next
        let context = Context(
            scene: scene, embree: embree, light: light, camera: camera, instanceOf: instanceOf, firstReflection: firstReflection)
        let pixelStream = stream.derived(2)
        let rows = Parallel.map(height) { y in trace(row: y, context, pixelStream) }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        var instances = [UInt16](repeating: 0, count: width * height)
        var depth = [UInt16](repeating: 0, count: width * height)
        let rays = rows.reduce(0) { $0 + $1.rays }
        for (y, row) in rows.enumerated() {
            for x in 0..<width {
                let p = y * width + x
                for c in 0..<3 { rgb[p * 3 + c] = row.rgb[x * 3 + c] }
                instances[p] = row.instances[x]
                depth[p] = row.depth[x]
            }
        }
        for id in Set(instances) where Int(id) >= firstReflection {
            let source = Int(id) - firstReflection + 1
            objects[Int(id)] = RenderedObject(label: "pedestrian_reflection", reflects: source, amodal: nil)
        }
        // Visibility: the object's own silhouette (its mesh alone, one ray per pixel of its
        // amodal box) against the pixels that show it.
        var visible = [Int: Int]()
        for id in instances where id > 0 { visible[Int(id), default: 0] += 1 }
        for (i, object) in scene.objects.enumerated() where instanceOf[i] > 0 {
            let id = instanceOf[i]
            guard let box = objects[id]?.amodal, let shown = visible[id], shown > 0 else { continue }
            let alone = EmbreeScene(meshes: [object.mesh])
            var silhouette = 0
            for y in Int(box.y)..<min(height, Int(box.maxY.rounded(.up))) {
                for x in Int(box.x)..<min(width, Int(box.maxX.rounded(.up))) {
                    let ray = camera.ray(x: Float(x) + 0.5, y: Float(y) + 0.5)
                    if alone.occluded(ray.origin, ray.direction) { silhouette += 1 }
                }
            }
            objects[id]?.visibility = silhouette > 0 ? min(1, Double(shown) / Double(silhouette)) : 1
        }
        Weather.overlay(&rgb, width: width, height: height, parameters: parameters, stream: stream.derived(3))
        return RenderOutput(width: width, height: height, rgb: rgb, instances: instances, depth: depth, objects: objects, rays: rays)
    }

    /// Embree alone on the scene of `parameters`: the same camera rays (`samplesPerPixel` per
    /// pixel), intersected and nothing else, on all cores. Returns (rays, seconds) for the bench.
    package func embreeAlone(_ parameters: SceneParameters, stream: RandomStream) -> (rays: Int, seconds: Double) {
        var placement = stream.derived(1)
        let scene = StreetScene(parameters, random: &placement)
        let embree = EmbreeScene(meshes: scene.objects.map(\.mesh))
        let camera = Camera(parameters, width: width, height: height)
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        let hits = Parallel.map(height) { y -> Int in
            var count = 0
            for x in 0..<width {
                for s in 0..<samplesPerPixel {
                    let ray = camera.ray(x: Float(x) + Float(s) / Float(samplesPerPixel), y: Float(y) + 0.5)
                    if embree.intersect(ray.origin, ray.direction) != nil { count += 1 }
                }
            }
            return count
        }.reduce(0, +)
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &end)
        _ = hits
        let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
        return (width * height * samplesPerPixel, seconds)
    }

    struct Context: Sendable {
        let scene: StreetScene
        let embree: EmbreeScene
        let light: Lighting
        let camera: Camera
        let instanceOf: [Int]
        let firstReflection: Int
    }

    struct Row {
        var rgb: [UInt8]
        var instances: [UInt16]
        var depth: [UInt16]
        var rays = 0
    }

    private func trace(row y: Int, _ ctx: Context, _ stream: RandomStream) -> Row {
        var row = Row(
            rgb: [UInt8](repeating: 0, count: width * 3), instances: [UInt16](repeating: 0, count: width),
            depth: [UInt16](repeating: 0, count: width))
        for x in 0..<width {
            var random = stream.derived(UInt64(y * width + x))
            var sum = SIMD3<Float>.zero
            for s in 0..<samplesPerPixel {
                // Sample 0 at the pixel centre: it also makes the labels.
                let jitter = s == 0 ? SIMD2<Float>(0.5, 0.5) : SIMD2(Float(random.nextUnit()), Float(random.nextUnit()))
                let ray = ctx.camera.ray(x: Float(x) + jitter.x, y: Float(y) + jitter.y)
                var label = Label()
                sum += withUnsafeMutablePointer(to: &label) { pointer in
                    shade(ray.origin, ray.direction, ctx, &random, depth: 0, label: s == 0 ? pointer : nil, rays: &row.rays)
                }
                if s == 0 {
                    row.instances[x] = UInt16(label.instance)
                    row.depth[x] =
                        label.distance > 0
                        ? UInt16(min(65535, (label.distance * ctx.camera.forwardCosine(ray.direction) * 1000).rounded())) : 0
                }
            }
            var color = sum / Float(samplesPerPixel) * ctx.light.exposure
            // Mild sensor noise, then Reinhard tone mapping and the sRGB curve.
            let noise = Float(random.nextUnit() - 0.5) * 0.02
            color += SIMD3(repeating: noise) * (color + SIMD3(repeating: 0.05))
            for c in 0..<3 {
                let v = max(0, color[c])
                let mapped = v / (1 + v * 0.6)
                let srgb = mapped <= 0.0031308 ? 12.92 * mapped : 1.055 * powf(mapped, 1 / 2.4) - 0.055
                row.rgb[x * 3 + c] = UInt8(max(0, min(255, (srgb * 255).rounded())))
            }
        }
        return row
    }

    struct Label {
        var instance = 0
        var distance: Float = 0
    }

    /// Radiance along a ray; fills `label` with what the primary ray (or its mirror) shows.
    private func shade(
        _ origin: SIMD3<Float>, _ direction: SIMD3<Float>, _ ctx: Context, _ random: inout RandomStream, depth: Int,
        label: UnsafeMutablePointer<Label>?, rays: inout Int
    ) -> SIMD3<Float> {
        rays += 1
        guard let hit = ctx.embree.intersect(origin, direction) else {
            return ctx.light.sky(direction)
        }
        let object = ctx.scene.objects[hit.mesh]
        let point = origin + direction * hit.distance
        let n = hit.normal
        if depth == 0, let label {
            label.pointee.instance = ctx.instanceOf[hit.mesh]
            label.pointee.distance = hit.distance
        }
        var color: SIMD3<Float>
        switch object.material {
        case .emissive(let c):
            color = c
        case .diffuse(let albedo):
            color = albedo * direct(point, n, ctx, &random, rays: &rays)
        case .road(let albedo, let wet):
            color = albedo * direct(point, n, ctx, &random, rays: &rays)
            if wet > 0, depth < 2 {
                let reflected = direction - 2 * (direction * n).sum() * n
                color =
                    color * (1 - wet) + wet * shade(point + n * 1e-3, reflected, ctx, &random, depth: depth + 1, label: nil, rays: &rays)
            }
        case .glass(let interior):
            let cosine = max(0, -(direction * n).sum())
            let fresnel = 0.25 + 0.75 * powf(1 - cosine, 5)
            var mirrored = SIMD3<Float>.zero
            if depth < 2 {
                let reflected = direction - 2 * (direction * n).sum() * n
                if depth == 0, label != nil { rays += 1 }
                if depth == 0, let label, let mirrorHit = ctx.embree.intersect(point + n * 1e-3, reflected),
                    ctx.scene.objects[mirrorHit.mesh].label == "pedestrian"
                {
                    // Seen in the glass: a reflection of that pedestrian, labelled as such.
                    label.pointee.instance = ctx.firstReflection + ctx.instanceOf[mirrorHit.mesh] - 1
                }
                mirrored = shade(point + n * 1e-3, reflected, ctx, &random, depth: depth + 1, label: nil, rays: &rays)
            }
            color = fresnel * mirrored + (1 - fresnel) * interior * ctx.light.ambient * 2
        }
        return ctx.light.fog(color, distance: hit.distance)
    }

    /// Sun (with a soft shadow), sky light, and nearby point lights (with hard shadows).
    private func direct(_ point: SIMD3<Float>, _ n: SIMD3<Float>, _ ctx: Context, _ random: inout RandomStream, rays: inout Int) -> SIMD3<
        Float
    > {
        let light = ctx.light
        var sum = light.ambient * (0.6 + 0.4 * max(0, n.y))
        if light.sunIntensity.max() > 0 {
            // A direction within the sun's cone: soft shadows (wider under clouds).
            let jitter =
                SIMD3<Float>(Float(random.nextUnit()) - 0.5, Float(random.nextUnit()) - 0.5, Float(random.nextUnit()) - 0.5)
                * light.sunSpread
            var toSun = light.sunDirection + jitter
            toSun /= (toSun * toSun).sum().squareRoot()
            let cosine = (n * toSun).sum()
            if cosine > 0 { rays += 1 }
            if cosine > 0, !ctx.embree.occluded(point + n * 2e-3, toSun) { sum += light.sunIntensity * cosine }
        }
        // Point lights: a shadow ray only for those that would add a visible amount (a lamp 25 m
        // away adds well under 1 % of what the sky does at night).
        let visible = max(0.004, light.ambient.max() * 0.15)
        for lamp in ctx.scene.lights {
            var toLamp = lamp.position - point
            let d2 = (toLamp * toLamp).sum()
            guard lamp.color.max() / (d2 + 1) > visible else { continue }
            let d = d2.squareRoot()
            toLamp /= d
            let cosine = (n * toLamp).sum()
            guard cosine > 0 else { continue }
            let contribution = lamp.color * cosine / (d2 + 1)
            guard contribution.max() > visible else { continue }
            rays += 1
            if !ctx.embree.occluded(point + n * 2e-3, toLamp, far: d - 0.3) { sum += contribution }
        }
        return sum
    }
}

/// The camera: at the origin, `height` metres up, looking down the road, pitched down.
struct Camera: Sendable {
    let position: SIMD3<Float>
    let forward: SIMD3<Float>, right: SIMD3<Float>, up: SIMD3<Float>
    let tanHalf: Float
    let width: Float, height: Float

    init(_ p: SceneParameters, width: Int, height: Int) {
        position = SIMD3(0, p.cameraHeight, 0)
        let pitch = p.cameraPitch * .pi / 180
        forward = SIMD3(0, -sinf(pitch), cosf(pitch))
        right = SIMD3(1, 0, 0)
        up = SIMD3(0, cosf(pitch), sinf(pitch))
        tanHalf = tanf(p.fieldOfView * .pi / 360)
        self.width = Float(width)
        self.height = Float(height)
    }

    func ray(x: Float, y: Float) -> (origin: SIMD3<Float>, direction: SIMD3<Float>) {
        let aspect = width / height
        let u = (2 * x / width - 1) * tanHalf * aspect
        let v = (1 - 2 * y / height) * tanHalf
        var d = forward + u * right + v * up
        d /= (d * d).sum().squareRoot()
        return (position, d)
    }

    func forwardCosine(_ d: SIMD3<Float>) -> Float { (d * forward).sum() }

    /// The 2D box of a 3D box's corners (clipped to the image); nil when behind the camera.
    func project(_ bounds: (min: SIMD3<Float>, max: SIMD3<Float>)) -> BoundingBox? {
        var x0 = Float.greatestFiniteMagnitude, y0 = x0, x1 = -x0, y1 = -x0
        for i in 0..<8 {
            let corner = SIMD3<Float>(
                i & 1 == 0 ? bounds.min.x : bounds.max.x, i & 2 == 0 ? bounds.min.y : bounds.max.y, i & 4 == 0 ? bounds.min.z : bounds.max.z
            )
            let rel = corner - position
            let depth = (rel * forward).sum()
            guard depth > 0.1 else { return nil }
            let u = (rel * right).sum() / depth / (tanHalf * width / height)
            let v = (rel * up).sum() / depth / tanHalf
            let px = (u + 1) / 2 * width, py = (1 - v) / 2 * height
            x0 = min(x0, px); x1 = max(x1, px); y0 = min(y0, py); y1 = max(y1, py)
        }
        let cx0 = max(0, x0), cy0 = max(0, y0), cx1 = min(width, x1), cy1 = min(height, y1)
        guard cx1 > cx0, cy1 > cy0 else { return nil }
        return BoundingBox(minX: Double(cx0), minY: Double(cy0), maxX: Double(cx1), maxY: Double(cy1))
    }
}
