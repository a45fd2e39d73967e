internal import Glibc

/// A bicycle heading along +z from the origin, sized for its rider: diamond frame of round tubes
/// (top, down, seat and head tubes, stays, fork), two wheels with tyres, rims, hubs and spokes,
/// saddle on a seat post, stem and handlebar, cranks and pedals at `crank` radians. Parts:
/// 0 frame, 1 tyres and saddle, 2 metal.
struct Bicycle: Sendable {
    let mesh: Mesh
    /// Where the rider sits, holds and pedals (the right grip and the right pedal, +x; the other
    /// side mirrored).
    let seat: SIMD3<Float>
    let grip: SIMD3<Float>
    let pedals: (SIMD3<Float>, SIMD3<Float>)

    enum Part: UInt8 { case frame = 0, rubber, metal }

    init(rider: Human, crank: Float) {
        let p = rider.proportions
        let s = min(1.1, max(0.62, rider.height / 1.75))
        let radius: Float = 0.34 * s
        let rear = SIMD3<Float>(0, radius, -0.52 * s), front = SIMD3<Float>(0, radius, 0.52 * s)
        let bracket = SIMD3<Float>(0, 0.28 * s, -0.1 * s)
        // The seat tube leans back at 73°.
        let seatAxis = normalized(SIMD3<Float>(0, 0.956, -0.292))
        let cluster = bracket + seatAxis * (0.5 * s)
        let headTop = SIMD3<Float>(0, 0.8 * s, 0.36 * s), headBottom = SIMD3<Float>(0, 0.66 * s, 0.4 * s)
        // Saddle height from the rider's legs: nearly straight at the bottom of the stroke.
        let legs = p.thigh + p.shin
        let saddleDistance = max(0.5 * s, 0.95 * legs - 0.03 * rider.height - 0.17 * s + p.ankleHeight)
        let saddle = bracket + seatAxis * saddleDistance
        let side = SIMD3<Float>(1, 0, 0)
        var mesh = Mesh()
        func tube(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ r: Float, _ part: Part) {
            mesh.append(.limb(a, b, r, r, side: side, segments: 8), part: part.rawValue)
        }
        let t: Float = 0.017 * s
        tube(cluster, headTop, t, .frame)
        tube(bracket, headBottom, t * 1.2, .frame)
        tube(bracket, cluster, t, .frame)
        tube(headBottom, headTop, t * 1.2, .frame)
        for x: Float in [-0.05 * s, 0.05 * s] {
            tube(bracket + SIMD3(x * 0.6, 0, 0), rear + SIMD3(x, 0, 0), t * 0.7, .frame)
            tube(cluster + SIMD3(x * 0.3, 0, 0), rear + SIMD3(x, 0, 0), t * 0.6, .frame)
            tube(headBottom + SIMD3(x * 0.4, 0, 0), front + SIMD3(x, 0, 0), t * 0.7, .frame)
        }
        tube(cluster, saddle, t * 0.8, .metal)
        mesh.append(
            .ellipsoid(center: saddle + SIMD3(0, 0.02, 0.04 * s), radii: SIMD3(0.07 * s, 0.025, 0.13 * s), rings: 5, segments: 10),
            part: Part.rubber.rawValue)
        // Stem and bar.
        let bar = headTop + SIMD3(0, 0.06 * s, 0.08 * s)
        tube(headTop, bar, t, .metal)
        let half: Float = 0.22 * s
        tube(bar + SIMD3(-half, 0, -0.02), bar + SIMD3(half, 0, -0.02), 0.012, .metal)
        grip = bar + SIMD3(half * 0.9, 0, -0.02)
        // Wheels.
        for axle in [rear, front] {
            mesh.append(
                .torus(center: axle, u: SIMD3(0, 1, 0), v: SIMD3(0, 0, 1), major: radius - 0.018, minor: 0.018, segments: 32, sides: 6),
                part: Part.rubber.rawValue)
            mesh.append(
                .torus(center: axle, u: SIMD3(0, 1, 0), v: SIMD3(0, 0, 1), major: radius - 0.045, minor: 0.008, segments: 32, sides: 4),
                part: Part.metal.rawValue)
            tube(axle - SIMD3(0.05 * s, 0, 0), axle + SIMD3(0.05 * s, 0, 0), 0.02 * s, .metal)
            for k in 0..<10 {
                let a = Float(k) / 10 * 2 * .pi + crank * 0.3
                let rim = axle + SIMD3(0, cosf(a), sinf(a)) * (radius - 0.05)
                mesh.append(
                    .limb(axle + SIMD3(k % 2 == 0 ? 0.03 : -0.03, 0, 0) * s, rim, 0.0025, 0.0025, side: side, segments: 4),
                    part: Part.metal.rawValue)
            }
        }
        // Cranks and pedals, the right at `crank`, the left opposite.
        var feet: [SIMD3<Float>] = []
        for (x, angle) in [(Float(0.09) * s, crank), (Float(-0.09) * s, crank + .pi)] {
            let end = bracket + SIMD3(x, 0.17 * s * sinf(angle), 0.17 * s * cosf(angle))
            tube(bracket + SIMD3(x * 0.7, 0, 0), end, 0.012 * s, .metal)
            mesh.append(.box(center: end + SIMD3(x * 0.4, 0, 0), size: SIMD3(0.08 * s, 0.02, 0.09 * s)), part: Part.rubber.rawValue)
            feet.append(end + SIMD3(x * 0.35, 0.015, 0))
        }
        mesh.append(
            .ellipsoid(center: bracket + SIMD3(0.05 * s, 0, 0), radii: SIMD3(0.008, 0.09 * s, 0.09 * s), rings: 4, segments: 12),
            part: Part.metal.rawValue)
        self.mesh = mesh
        seat = saddle + SIMD3(0, 0.03, 0)
        pedals = (feet[0], feet[1])
    }
}
