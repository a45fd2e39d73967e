internal import CEmbree

/// The process's one Embree device (created on first use, never released: it lives as long as
/// the process, as Embree intends).
final class EmbreeDevice: @unchecked Sendable {
    static let shared = EmbreeDevice()
    let handle: RTCDevice

    private init() {
        guard let device = rtcNewDevice(nil) else { fatalError("Embree: cannot create a device") }
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
}

/// Owns one committed Embree scene of triangle meshes; released in `deinit`. Safe to query from
/// many threads once committed.
final class EmbreeScene: @unchecked Sendable {
    private let scene: RTCScene

    /// Builds and commits a scene from meshes (vertices in world space, triangles as indices).
    init(meshes: [Mesh]) {
        let device = EmbreeDevice.shared.handle
        scene = rtcNewScene(device)!
        for mesh in meshes {
            let geometry = rtcNewGeometry(device, RTC_GEOMETRY_TYPE_TRIANGLE)!
            let vertices = rtcSetNewGeometryBuffer(geometry, RTC_BUFFER_TYPE_VERTEX, 0, RTC_FORMAT_FLOAT3, 12, mesh.vertices.count)!
                .bindMemory(to: Float.self, capacity: mesh.vertices.count * 3)
            for (i, v) in mesh.vertices.enumerated() {
                vertices[i * 3] = v.x
                vertices[i * 3 + 1] = v.y
                vertices[i * 3 + 2] = v.z
            }
            let indices = rtcSetNewGeometryBuffer(geometry, RTC_BUFFER_TYPE_INDEX, 0, RTC_FORMAT_UINT3, 12, mesh.triangles.count)!
                .bindMemory(to: UInt32.self, capacity: mesh.triangles.count * 3)
            for (i, t) in mesh.triangles.enumerated() {
                indices[i * 3] = t.x
                indices[i * 3 + 1] = t.y
                indices[i * 3 + 2] = t.z
            }
            rtcCommitGeometry(geometry)
            rtcAttachGeometry(scene, geometry)
            rtcReleaseGeometry(geometry)
        }
        rtcCommitScene(scene)
    }

    deinit { rtcReleaseScene(scene) }

    /// The first hit along the ray within `(near, far)`, or nil.
    func intersect(_ origin: SIMD3<Float>, _ direction: SIMD3<Float>, near: Float = 1e-3, far: Float = .infinity) -> Hit? {
        var context = RTCIntersectContext()
        rtcInitIntersectContext(&context)
        var rayhit = Self.rayHit(origin, direction, near: near, far: far)
        rtcIntersect1(scene, &context, &rayhit)
        return Self.hit(rayhit)
    }

    /// Whether anything lies along the ray within `(near, far)`.
    func occluded(_ origin: SIMD3<Float>, _ direction: SIMD3<Float>, near: Float = 1e-3, far: Float = .infinity) -> Bool {
        var context = RTCIntersectContext()
        rtcInitIntersectContext(&context)
        var ray = RTCRay()
        ray.org_x = origin.x
        ray.org_y = origin.y
        ray.org_z = origin.z
        ray.dir_x = direction.x
        ray.dir_y = direction.y
        ray.dir_z = direction.z
        ray.tnear = near
        ray.tfar = far
        ray.mask = 0xFFFF_FFFF
        ray.flags = 0
        rtcOccluded1(scene, &context, &ray)
        return ray.tfar < 0
    }
}

/// Rays traced together through Embree's stream API (`rtcIntersect1M`/`rtcOccluded1M`): with the
/// coherent flag Embree gathers neighbouring rays into SIMD packets, which is several times
/// faster per ray than one `rtcIntersect1` call each for camera rays and sun shadow rays. Each
/// ray carries a `Payload` stored beside it (Embree steps over it with the entry's stride), so
/// adding a ray is one append.
struct RayBatch<Payload> {
    struct Entry {
        /// First, at offset 0: Embree reads the rays at `entries` + k · stride.
        var rayhit: RTCRayHit
        var payload: Payload
    }

    private(set) var entries: [Entry] = []

    var count: Int { entries.count }

    init() {}

    mutating func reserve(_ count: Int) { entries.reserveCapacity(count) }

    func origin(_ i: Int) -> SIMD3<Float> {
        let ray = entries[i].rayhit.ray
        return SIMD3(ray.org_x, ray.org_y, ray.org_z)
    }

    func direction(_ i: Int) -> SIMD3<Float> {
        let ray = entries[i].rayhit.ray
        return SIMD3(ray.dir_x, ray.dir_y, ray.dir_z)
    }

    func payload(_ i: Int) -> Payload { entries[i].payload }

    mutating func append(_ origin: SIMD3<Float>, _ direction: SIMD3<Float>, near: Float = 1e-3, far: Float = .infinity, _ payload: Payload)
    {
        entries.append(Entry(rayhit: EmbreeScene.rayHit(origin, direction, near: near, far: far), payload: payload))
    }

    /// Ray `i`'s first hit after `EmbreeScene.intersect(_:)`.
    func hit(_ i: Int) -> Hit? { EmbreeScene.hit(entries[i].rayhit) }

    /// Whether ray `i` was blocked, after `EmbreeScene.occluded(_:)`.
    func isOccluded(_ i: Int) -> Bool { entries[i].rayhit.ray.tfar < 0 }

    fileprivate mutating func withRayHits(_ body: (UnsafeMutableRawPointer, Int) -> Void) {
        precondition(MemoryLayout<Entry>.offset(of: \.rayhit) == 0, "the ray must lead each entry")
        let count = entries.count
        entries.withUnsafeMutableBufferPointer { body(UnsafeMutableRawPointer($0.baseAddress!), count) }
    }
}

extension EmbreeScene {
    /// Every ray's first hit; results are read with `RayBatch.hit(_:)`.
    func intersect<Payload>(_ batch: inout RayBatch<Payload>) {
        stream(&batch) { context, rays, count in
            rtcIntersect1M(
                scene, context, rays.assumingMemoryBound(to: RTCRayHit.self), count, MemoryLayout<RayBatch<Payload>.Entry>.stride)
        }
    }

    /// Whether anything blocks each ray; read with `RayBatch.isOccluded(_:)`. Embree reads the
    /// `RTCRay` at the start of each entry (`RTCRayHit`'s first member), stepping by the stride.
    func occluded<Payload>(_ batch: inout RayBatch<Payload>) {
        stream(&batch) { context, rays, count in
            rtcOccluded1M(scene, context, rays.assumingMemoryBound(to: RTCRay.self), count, MemoryLayout<RayBatch<Payload>.Entry>.stride)
        }
    }

    /// Runs a stream call over the batch with a coherent-rays context.
    private func stream<Payload>(
        _ batch: inout RayBatch<Payload>, _ call: (UnsafeMutablePointer<RTCIntersectContext>, UnsafeMutableRawPointer, UInt32) -> Void
    ) {
        guard batch.count > 0 else { return }
        var context = RTCIntersectContext()
        rtcInitIntersectContext(&context)
        context.flags = RTC_INTERSECT_CONTEXT_FLAG_COHERENT
        batch.withRayHits { rays, count in call(&context, rays, UInt32(count)) }
    }

    static func rayHit(_ origin: SIMD3<Float>, _ direction: SIMD3<Float>, near: Float, far: Float) -> RTCRayHit {
        var rayhit = RTCRayHit()
        rayhit.ray.org_x = origin.x
        rayhit.ray.org_y = origin.y
        rayhit.ray.org_z = origin.z
        rayhit.ray.dir_x = direction.x
        rayhit.ray.dir_y = direction.y
        rayhit.ray.dir_z = direction.z
        rayhit.ray.tnear = near
        rayhit.ray.tfar = far
        rayhit.ray.mask = 0xFFFF_FFFF
        rayhit.ray.flags = 0
        rayhit.hit.geomID = cembree_invalid_geometry_id()
        rayhit.hit.instID = cembree_invalid_geometry_id()
        return rayhit
    }

    static func hit(_ rayhit: RTCRayHit) -> Hit? {
        guard rayhit.hit.geomID != cembree_invalid_geometry_id() else { return nil }
        var n = SIMD3<Float>(rayhit.hit.Ng_x, rayhit.hit.Ng_y, rayhit.hit.Ng_z)
        let length = (n * n).sum().squareRoot()
        n = length > 0 ? n / length : SIMD3(0, 1, 0)
        let direction = SIMD3<Float>(rayhit.ray.dir_x, rayhit.ray.dir_y, rayhit.ray.dir_z)
        if (n * direction).sum() > 0 { n = -n }
        return Hit(mesh: Int(rayhit.hit.geomID), distance: rayhit.ray.tfar, normal: n)
    }
}

extension RayBatch where Payload == Void {
    /// A batch of rays as recorded.
    init(rays: [RTCRayHit]) { entries = rays.map { Entry(rayhit: $0, payload: ()) } }
}

/// A copy of one ray stream as a render sent it to Embree (before Embree wrote its answers).
package struct RecordedRays: Sendable {
    let occlusion: Bool
    let rays: [RTCRayHit]

    init<Payload>(_ batch: RayBatch<Payload>, occlusion: Bool) {
        self.occlusion = occlusion
        rays = batch.entries.map(\.rayhit)
    }
}
