internal import CEmbree

/// The process's one Embree device (created on first use, never released: it lives as long as
/// the process, as Embree intends).
final class EmbreeDevice: @unchecked Sendable {
    static let shared = EmbreeDevice()
    let handle: RTCDevice

    private init() {
        guard let device = cembree_rtcNewDevice(nil) else {
            fatalError("Embree: \(cembree_load().map { String(cString: $0) } ?? "cannot create a device")")
        }
        handle = device
    }
}

/// A ray's first hit.
struct Hit {
    /// Which mesh (the order meshes were added).
    var mesh: Int
    var distance: Float
    /// Unit geometric normal, facing the ray's origin.
    var normal: SIMD3<Float>
    /// The triangle within the mesh, and the hit's barycentric coordinates on it (of its
    /// second and third vertex).
    var primitive: Int = 0
    var u: Float = 0, v: Float = 0
}

/// Owns one committed Embree scene of triangle meshes; released in `deinit`. Safe to query from
/// many threads once committed.
final class EmbreeScene: @unchecked Sendable {
    fileprivate let scene: RTCScene

    /// Builds and commits a scene from meshes (vertices in world space, triangles as indices).
    /// A mesh with a nonzero `travel` (metres over the shutter) moves: its vertices are at
    /// −travel/2 at time 0 and +travel/2 at time 1, Embree interpolating for each ray's time.
    init(meshes: [Mesh], travel: [SIMD3<Float>] = []) {
        scene = Self.triangles(
            meshes.indices.lazy.map { i in (meshes[i].vertices, meshes[i].triangles, i < travel.count ? travel[i] : .zero) })
    }

    /// A scene of instances: each asset's triangles in one BVH of their own, placed as often as
    /// `placements` says (which asset, and its transform). A hit's `instID` is the placement,
    /// its `geomID` the mesh within the asset.
    init(assets: [Asset], placements: [(asset: Int, transform: Affine)]) {
        let device = EmbreeDevice.shared.handle
        let prototypes = assets.map { asset in Self.triangles(asset.meshes.lazy.map { ($0.positions, $0.triangles, .zero) }) }
        scene = cembree_rtcNewScene(device)!
        for placement in placements {
            let geometry = cembree_rtcNewGeometry(device, RTC_GEOMETRY_TYPE_INSTANCE)!
            cembree_rtcSetGeometryInstancedScene(geometry, prototypes[placement.asset])
            let t = placement.transform
            // Row-major 3 × 4: each row of the matrix, then its translation.
            let rows: [Float] = [
                t.rows.0.x, t.rows.0.y, t.rows.0.z, t.translation.x, t.rows.1.x, t.rows.1.y, t.rows.1.z, t.translation.y,
                t.rows.2.x, t.rows.2.y, t.rows.2.z, t.translation.z,
            ]
            cembree_rtcSetGeometryTransform(geometry, 0, RTC_FORMAT_FLOAT3X4_ROW_MAJOR, rows)
            cembree_rtcCommitGeometry(geometry)
            cembree_rtcAttachGeometry(scene, geometry)
            cembree_rtcReleaseGeometry(geometry)
        }
        cembree_rtcCommitScene(scene)
        // The instances hold their prototypes.
        for prototype in prototypes { cembree_rtcReleaseScene(prototype) }
    }

    private static func triangles(_ meshes: some Sequence<([SIMD3<Float>], [SIMD3<UInt32>], SIMD3<Float>)>) -> RTCScene {
        let device = EmbreeDevice.shared.handle
        let scene = cembree_rtcNewScene(device)!
        for (vertexList, triangleList, travel) in meshes {
            let geometry = cembree_rtcNewGeometry(device, RTC_GEOMETRY_TYPE_TRIANGLE)!
            let moving = travel != .zero
            if moving { cembree_rtcSetGeometryTimeStepCount(geometry, 2) }
            let half = travel * Float(0.5)
            let steps: [(slot: UInt32, shift: SIMD3<Float>)] =
                moving ? [(UInt32(0), -half), (UInt32(1), half)] : [(UInt32(0), SIMD3<Float>.zero)]
            for (slot, shift) in steps {
                let vertices = cembree_rtcSetNewGeometryBuffer(
                    geometry, RTC_BUFFER_TYPE_VERTEX, slot, RTC_FORMAT_FLOAT3, 12, vertexList.count)!
                    .bindMemory(to: Float.self, capacity: vertexList.count * 3)
                for (i, v) in vertexList.enumerated() {
                    let p = v + shift
                    vertices[i * 3] = p.x
                    vertices[i * 3 + 1] = p.y
                    vertices[i * 3 + 2] = p.z
                }
            }
            let indices = cembree_rtcSetNewGeometryBuffer(geometry, RTC_BUFFER_TYPE_INDEX, 0, RTC_FORMAT_UINT3, 12, triangleList.count)!
                .bindMemory(to: UInt32.self, capacity: triangleList.count * 3)
            for (i, t) in triangleList.enumerated() {
                indices[i * 3] = t.x
                indices[i * 3 + 1] = t.y
                indices[i * 3 + 2] = t.z
            }
            cembree_rtcCommitGeometry(geometry)
            cembree_rtcAttachGeometry(scene, geometry)
            cembree_rtcReleaseGeometry(geometry)
        }
        cembree_rtcCommitScene(scene)
        return scene
    }

    deinit { cembree_rtcReleaseScene(scene) }

    /// The first hit along the ray within `(near, far)`, or nil.
    func intersect(_ origin: SIMD3<Float>, _ direction: SIMD3<Float>, near: Float = 1e-3, far: Float = .infinity) -> Hit? {
        var context = RTCIntersectContext()
        rtcInitIntersectContext(&context)
        var rayhit = RTCRayHit(origin: origin, direction: direction, near: near, far: far)
        cembree_rtcIntersect1(scene, &context, &rayhit)
        return Self.hit(rayhit)
    }

    /// The ray with Embree's answer: `hit.geomID` is invalid when it meets nothing.
    func trace(_ origin: SIMD3<Float>, _ direction: SIMD3<Float>, near: Float = 1e-3, far: Float = .infinity) -> RTCRayHit {
        var context = RTCIntersectContext()
        rtcInitIntersectContext(&context)
        var rayhit = RTCRayHit(origin: origin, direction: direction, near: near, far: far)
        cembree_rtcIntersect1(scene, &context, &rayhit)
        return rayhit
    }

    /// Whether anything lies along the ray within `(near, far)`.
    func occluded(_ origin: SIMD3<Float>, _ direction: SIMD3<Float>, near: Float = 1e-3, far: Float = .infinity) -> Bool {
        var context = RTCIntersectContext()
        rtcInitIntersectContext(&context)
        var ray = RTCRay(origin: origin, direction: direction, near: near, far: far)
        cembree_rtcOccluded1(scene, &context, &ray)
        return ray.tfar < 0
    }
}

/// The two ray layouts Embree's streams take: `RTCRayHit` for intersection, `RTCRay` alone for
/// occlusion (48 bytes instead of 80: less to write, and less for Embree to read).
protocol EmbreeRay {
    /// `time` is the moment within the shutter (0…1) the ray sees moving meshes at; without
    /// one, mid-shutter (where the scene's objects nominally stand).
    init(origin: SIMD3<Float>, direction: SIMD3<Float>, near: Float, far: Float, time: Float)
    var ray: RTCRay { get }
}

extension EmbreeRay {
    init(origin: SIMD3<Float>, direction: SIMD3<Float>, near: Float, far: Float) {
        self.init(origin: origin, direction: direction, near: near, far: far, time: 0.5)
    }
}

extension RTCRay: EmbreeRay {
    init(origin: SIMD3<Float>, direction: SIMD3<Float>, near: Float, far: Float, time: Float) {
        self.init()
        (org_x, org_y, org_z) = (origin.x, origin.y, origin.z)
        (dir_x, dir_y, dir_z) = (direction.x, direction.y, direction.z)
        (tnear, tfar) = (near, far)
        self.time = time
        mask = 0xFFFF_FFFF
        flags = 0
    }

    var ray: RTCRay { self }
}

extension RTCRayHit: EmbreeRay {
    init(origin: SIMD3<Float>, direction: SIMD3<Float>, near: Float, far: Float, time: Float) {
        self.init()
        ray = RTCRay(origin: origin, direction: direction, near: near, far: far, time: time)
        hit.geomID = cembree_invalid_geometry_id()
        hit.instID = cembree_invalid_geometry_id()
    }
}

/// Rays traced together through Embree's stream API (`rtcIntersect1M`/`rtcOccluded1M`): with the
/// coherent flag Embree gathers neighbouring rays into SIMD packets, which is several times
/// faster per ray than one `rtcIntersect1` call each for camera rays and sun shadow rays. Each
/// ray carries a `Payload` stored beside it (Embree steps over it with the entry's stride), so
/// adding a ray is one append.
struct RayBatch<Ray: EmbreeRay, Payload> {
    struct Entry {
        /// First, at offset 0: Embree reads the rays at `entries` + k · stride.
        var ray: Ray
        var payload: Payload

        var origin: SIMD3<Float> {
            let ray = ray.ray
            return SIMD3(ray.org_x, ray.org_y, ray.org_z)
        }

        var direction: SIMD3<Float> {
            let ray = ray.ray
            return SIMD3(ray.dir_x, ray.dir_y, ray.dir_z)
        }

        var time: Float { ray.ray.time }
    }

    fileprivate(set) var entries: [Entry] = []

    var count: Int { entries.count }

    init() {}

    /// At most `capacity` rays, written in place by `fill` (`ArrayWriter`: no per-ray checks).
    init(capacity: Int, _ fill: (inout ArrayWriter<Entry>) -> Void) { entries = Array(capacity: capacity, writing: fill) }

    /// The entries in place (rays with Embree's answers, and payloads), read without copies.
    func withEntries<Result>(_ body: (UnsafeBufferPointer<Entry>) throws -> Result) rethrows -> Result {
        try entries.withUnsafeBufferPointer(body)
    }

    func origin(_ i: Int) -> SIMD3<Float> { entries[i].origin }

    func direction(_ i: Int) -> SIMD3<Float> { entries[i].direction }

    func payload(_ i: Int) -> Payload { entries[i].payload }

    mutating func append(_ origin: SIMD3<Float>, _ direction: SIMD3<Float>, near: Float = 1e-3, far: Float = .infinity, _ payload: Payload)
    {
        entries.append(Entry(ray: Ray(origin: origin, direction: direction, near: near, far: far), payload: payload))
    }

    fileprivate mutating func withRays<Pointee>(as _: Pointee.Type, _ body: (UnsafeMutablePointer<Pointee>, UInt32, Int) -> Void) {
        precondition(MemoryLayout<Entry>.offset(of: \.ray) == 0, "the ray must lead each entry")
        let count = entries.count
        entries.withUnsafeMutableBufferPointer { entries in
            body(
                UnsafeMutableRawPointer(entries.baseAddress!).assumingMemoryBound(to: Pointee.self), UInt32(count),
                MemoryLayout<Entry>.stride)
        }
    }
}

extension ArrayWriter {
    /// Writes a ray of a batch being built.
    @inline(__always) mutating func write<Ray: EmbreeRay, Payload>(
        _ origin: SIMD3<Float>, _ direction: SIMD3<Float>, near: Float = 1e-3, far: Float = .infinity, time: Float = 0.5,
        _ payload: Payload
    ) where Element == RayBatch<Ray, Payload>.Entry {
        write(Element(ray: Ray(origin: origin, direction: direction, near: near, far: far, time: time), payload: payload))
    }
}

/// Camera and mirror rays, with their hits.
typealias HitBatch<Payload> = RayBatch<RTCRayHit, Payload>
/// Shadow rays.
typealias OcclusionBatch<Payload> = RayBatch<RTCRay, Payload>

extension RayBatch where Ray == RTCRayHit {
    /// Ray `i`'s first hit after `EmbreeScene.intersect(_:)`.
    func hit(_ i: Int) -> Hit? { entries[i].hit }
}

extension RayBatch.Entry where Ray == RTCRayHit {
    /// The ray's first hit after `EmbreeScene.intersect(_:)`.
    @inline(__always) var hit: Hit? { EmbreeScene.hit(ray) }
}

extension RayBatch.Entry where Ray == RTCRay {
    /// Whether the ray was blocked, after `EmbreeScene.occluded(_:)`.
    var isOccluded: Bool { ray.tfar < 0 }
}

extension EmbreeScene {
    /// Every ray's first hit; results are read with `RayBatch.hit(_:)`. `coherent`: the rays
    /// run mostly alike (camera rays, shadow rays to the sun) and Embree may trace them in
    /// packets; scattered rays go faster without (on a composed render's environment shadow
    /// rays the coherent path took minutes where single calls took a second).
    func intersect<Payload>(_ batch: inout HitBatch<Payload>, coherent: Bool = true) {
        guard batch.count > 0 else { return }
        var context = Self.context(coherent: coherent)
        batch.withRays(as: RTCRayHit.self) { rays, count, stride in cembree_rtcIntersect1M(scene, &context, rays, count, stride) }
    }

    /// Whether anything blocks each ray; read with `RayBatch.Entry.isOccluded`.
    func occluded<Payload>(_ batch: inout OcclusionBatch<Payload>, coherent: Bool = true) {
        guard batch.count > 0 else { return }
        var context = Self.context(coherent: coherent)
        batch.withRays(as: RTCRay.self) { rays, count, stride in cembree_rtcOccluded1M(scene, &context, rays, count, stride) }
    }

    private static func context(coherent: Bool) -> RTCIntersectContext {
        var context = RTCIntersectContext()
        rtcInitIntersectContext(&context)
        context.flags = coherent ? RTC_INTERSECT_CONTEXT_FLAG_COHERENT : RTC_INTERSECT_CONTEXT_FLAG_INCOHERENT
        return context
    }

    @inline(__always) static func hit(_ rayhit: RTCRayHit) -> Hit? {
        guard rayhit.hit.geomID != cembree_invalid_geometry_id() else { return nil }
        var n = SIMD3<Float>(rayhit.hit.Ng_x, rayhit.hit.Ng_y, rayhit.hit.Ng_z)
        let length = (n * n).sum().squareRoot()
        n = length > 0 ? n / length : SIMD3(0, 1, 0)
        let direction = SIMD3<Float>(rayhit.ray.dir_x, rayhit.ray.dir_y, rayhit.ray.dir_z)
        if (n * direction).sum() > 0 { n = -n }
        return Hit(
            mesh: Int(rayhit.hit.geomID), distance: rayhit.ray.tfar, normal: n, primitive: Int(rayhit.hit.primID), u: rayhit.hit.u,
            v: rayhit.hit.v)
    }
}

/// A copy of one ray stream as a render sent it to Embree (before Embree wrote its answers).
package struct RecordedRays: Sendable {
    private let hits: [RTCRayHit]
    private let occlusion: [RTCRay]

    init<Payload>(_ batch: HitBatch<Payload>) {
        hits = batch.entries.map(\.ray)
        occlusion = []
    }

    init<Payload>(_ batch: OcclusionBatch<Payload>) {
        hits = []
        occlusion = batch.entries.map(\.ray)
    }

    init(hits: [RTCRayHit], occlusion: [RTCRay]) {
        self.hits = hits
        self.occlusion = occlusion
    }

    var count: Int { hits.count + occlusion.count }

    /// Every ray sent again with one `rtcIntersect1` or `rtcOccluded1` call each; how many met
    /// something.
    @discardableResult func traceEach(_ embree: EmbreeScene) -> Int {
        var context = RTCIntersectContext()
        rtcInitIntersectContext(&context)
        var met = 0
        for var rayhit in hits {
            cembree_rtcIntersect1(embree.scene, &context, &rayhit)
            if rayhit.hit.geomID != cembree_invalid_geometry_id() { met += 1 }
        }
        for var ray in occlusion {
            cembree_rtcOccluded1(embree.scene, &context, &ray)
            if ray.tfar < 0 { met += 1 }
        }
        return met
    }

    /// The same rays as a fresh stream, ready to send again.
    func replay() -> (hits: HitBatch<Void>, occlusion: OcclusionBatch<Void>) {
        var (h, o) = (HitBatch<Void>(), OcclusionBatch<Void>())
        h.entries = hits.map { .init(ray: $0, payload: ()) }
        o.entries = occlusion.map { .init(ray: $0, payload: ()) }
        return (h, o)
    }
}
