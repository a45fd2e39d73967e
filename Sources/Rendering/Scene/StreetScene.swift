internal import StudioCore

/// What a surface looks like.
enum Material: Sendable, Hashable {
    case diffuse(SIMD3<Float>)
    /// Road asphalt; `wet` 0…1 adds mirror reflection (rain).
    case road(SIMD3<Float>, wet: Float)
    /// Shop glass: Fresnel reflection over a dark interior.
    case glass(interior: SIMD3<Float>)
    /// Lamps and headlights: colour × intensity, not lit.
    case emissive(SIMD3<Float>)

    var isGlass: Bool {
        if case .glass = self { return true }
        return false
    }
}

/// One object of the scene, with the class it is labelled as (nil for stuff: road, buildings).
struct SceneObject: Sendable {
    var label: String?
    var mesh: Mesh
    var material: Material
}

/// A point light (street lamps, headlights at night).
struct PointLight: Sendable {
    let position: SIMD3<Float>
    let color: SIMD3<Float>
    /// The colour's largest channel.
    let brightest: Float

    init(position: SIMD3<Float>, color: SIMD3<Float>) {
        self.position = position
        self.color = color
        brightest = color.max()
    }
}

/// A procedural street seen from a car: road with lane markings, sidewalks, buildings with glass
/// shop fronts, parked and driving cars, walking pedestrians, lamps and signs. Metres; y up, the
/// camera at the origin looking down +z.
struct StreetScene: Sendable {
    var objects: [SceneObject] = []
    var lights: [PointLight] = []
    let parameters: SceneParameters

    static let labels = ["pedestrian", "car", "cyclist", "pedestrian_reflection", "street_lamp", "traffic_sign"]

    init(_ p: SceneParameters, random: inout RandomStream) {
        parameters = p
        let snow = p.weather == .snow
        let ground: SIMD3<Float> = snow ? SIMD3(0.85, 0.87, 0.9) : SIMD3(0.32, 0.31, 0.3)
        let asphalt: SIMD3<Float> = snow ? SIMD3(0.55, 0.56, 0.58) : SIMD3(0.12, 0.12, 0.13)
        let wet: Float = p.weather == .rain ? 0.35 : (snow ? 0.05 : 0)
        objects.append(SceneObject(label: nil, mesh: .quad(x0: -5, x1: 5, z0: -5, z1: 150, y: 0), material: .road(asphalt, wet: wet)))
        for side: Float in [-1, 1] {
            objects.append(
                SceneObject(
                    label: nil, mesh: .box(center: SIMD3(side * 6.5, 0.075, 70), size: SIMD3(3, 0.15, 150)), material: .diffuse(ground)))
        }
        // Lane markings: dashes on the centre line, solid edge lines.
        var dashes = Mesh()
        var z: Float = 2
        while z < 120 {
            dashes.append(.quad(x0: -0.08, x1: 0.08, z0: z, z1: z + 3, y: 0.005))
            z += 7
        }
        dashes.append(.quad(x0: -4.8, x1: -4.65, z0: 0, z1: 150, y: 0.005))
        dashes.append(.quad(x0: 4.65, x1: 4.8, z0: 0, z1: 150, y: 0.005))
        objects.append(SceneObject(label: nil, mesh: dashes, material: .diffuse(snow ? SIMD3(0.95, 0.95, 0.95) : SIMD3(0.85, 0.85, 0.8))))

        // Buildings along both sides; some ground floors are shop glass.
        for side: Float in [-1, 1] {
            var z: Float = -2
            while z < 140 {
                let depth = 6 + 10 * Float(random.nextUnit()), width = 8 + 10 * Float(random.nextUnit()),
                    height = 6 + 20 * Float(random.nextUnit())
                let x = side * (8 + depth / 2)
                let shade = 0.35 + 0.4 * Float(random.nextUnit())
                let tint = SIMD3<Float>(
                    shade, shade * (0.85 + 0.15 * Float(random.nextUnit())), shade * (0.75 + 0.2 * Float(random.nextUnit())))
                objects.append(
                    SceneObject(
                        label: nil, mesh: .box(center: SIMD3(x, height / 2 + 3, z + width / 2), size: SIMD3(depth, height, width - 0.4)),
                        material: .diffuse(tint)))
                let glass = Float(random.nextUnit()) < p.glassFacades
                let front = SIMD3<Float>(side * (8 + depth / 2), 1.5, z + width / 2)
                objects.append(
                    SceneObject(
                        label: nil, mesh: .box(center: front, size: SIMD3(depth, 3, width - 0.4)),
                        material: glass ? .glass(interior: SIMD3(0.05, 0.06, 0.07)) : .diffuse(tint * 0.8)))
                z += width
            }
        }
        // Lamps every 18 m on both sides; lit at night and dusk.
        var lampZ: Float = 6
        while lampZ < 100 {
            for side: Float in [-1, 1] {
                let post = SIMD3<Float>(side * 5.4, 0, lampZ + (side > 0 ? 9 : 0))
                var lamp = Mesh.cylinder(center: post + SIMD3(0, 2.5, 0), radius: 0.08, length: 5, alongX: false, segments: 8)
                lamp.append(.box(center: post + SIMD3(-side * 0.6, 5, 0), size: SIMD3(1.2, 0.08, 0.08)))
                objects.append(SceneObject(label: "street_lamp", mesh: lamp, material: .diffuse(SIMD3(0.25, 0.26, 0.28))))
                let bulb = post + SIMD3(-side * 1.1, 4.85, 0)
                let lit = p.timeOfDay != .day
                objects.append(
                    SceneObject(
                        label: nil, mesh: .sphere(center: bulb, radius: 0.18, rings: 4, segments: 8),
                        material: lit ? .emissive(SIMD3(6, 5, 3.5)) : .diffuse(SIMD3(0.8, 0.8, 0.75))))
                if lit {
                    lights.append(
                        PointLight(position: bulb - SIMD3(0, 0.3, 0), color: p.timeOfDay == .night ? SIMD3(9, 7.5, 5) : SIMD3(4, 3.3, 2.2)))
                }
            }
            lampZ += 18
        }
        // A few signs.
        for _ in 0..<2 {
            let side: Float = random.nextUnit() < 0.5 ? -1 : 1
            let base = SIMD3<Float>(side * 5.2, 0, 10 + 50 * Float(random.nextUnit()))
            var sign = Mesh.cylinder(center: base + SIMD3(0, 1.2, 0), radius: 0.04, length: 2.4, alongX: false, segments: 6)
            sign.append(.box(center: base + SIMD3(0, 2.5, 0), size: SIMD3(0.7, 0.7, 0.05)))
            objects.append(
                SceneObject(
                    label: "traffic_sign", mesh: sign,
                    material: .diffuse(random.nextUnit() < 0.5 ? SIMD3(0.8, 0.1, 0.1) : SIMD3(0.1, 0.25, 0.8))))
        }
        // Cars: two lanes, both directions, some parked by the curb.
        var footprints: [(x: ClosedRange<Float>, z: ClosedRange<Float>)] = []
        for _ in 0..<p.cars {
            let lane = Int(random.next() % 3)
            let x: Float = lane == 0 ? -2.4 : (lane == 1 ? 2.4 : 4.0)
            let z = 7 + 55 * Float(random.nextUnit())
            let yaw: Float = x < 0 ? .pi : 0
            let color = Self.carColors[Int(random.next() % UInt64(Self.carColors.count))]
            let length = 3.9 + 1.0 * Float(random.nextUnit()), width: Float = 1.8, height = 1.35 + 0.35 * Float(random.nextUnit())
            var body = Mesh.box(center: SIMD3(x, 0.35 + height * 0.25, z), size: SIMD3(width, height * 0.5, length), yaw: yaw)
            body.append(
                .box(center: SIMD3(x, 0.35 + height * 0.72, z - 0.2), size: SIMD3(width * 0.9, height * 0.44, length * 0.55), yaw: yaw))
            for dz: Float in [-length * 0.33, length * 0.33] {
                for dx: Float in [-width / 2, width / 2] {
                    body.append(.cylinder(center: SIMD3(x + dx, 0.33, z + dz), radius: 0.33, length: 0.25, alongX: true, segments: 10))
                }
            }
            objects.append(SceneObject(label: "car", mesh: body, material: .diffuse(color)))
            footprints.append((x: (x - width / 2)...(x + width / 2), z: (z - length / 2)...(z + length / 2)))
            if p.timeOfDay == .night, x < 0 {
                // Oncoming cars light the road in front of them.
                let front = SIMD3<Float>(x, 0.7, z - length / 2 - 0.05)
                objects.append(
                    SceneObject(label: nil, mesh: .box(center: front, size: SIMD3(1.4, 0.15, 0.05)), material: .emissive(SIMD3(8, 8, 7))))
                lights.append(PointLight(position: front - SIMD3(0, 0, 0.5), color: SIMD3(6, 6, 5.4)))
            }
        }
        // Pedestrians: on the sidewalks, some crossing.
        for _ in 0..<p.pedestrians {
            let crossing = random.nextUnit() < 0.2
            let side: Float = random.nextUnit() < 0.5 ? -1 : 1
            let x = crossing ? -4 + 8 * Float(random.nextUnit()) : side * (5.6 + 1.8 * Float(random.nextUnit()))
            let z = 5 + 35 * Float(random.nextUnit())
            let yaw = crossing ? (side > 0 ? Float.pi / 2 : -Float.pi / 2) : (random.nextUnit() < 0.5 ? 0 : .pi)
            let height = 1.5 + 0.45 * Float(random.nextUnit())
            let build = 0.8 + 0.4 * Float(random.nextUnit())
            let phase = Float(random.nextUnit()) * 2 * .pi
            let shirt = Self.clothes[Int(random.next() % UInt64(Self.clothes.count))]
            let trousers = Self.clothes[Int(random.next() % UInt64(Self.clothes.count))] * 0.6
            let base = SIMD3<Float>(x, crossing ? 0 : 0.15, z)
            objects.append(
                SceneObject(
                    label: "pedestrian", mesh: Self.walker(at: base, height: height, build: build, yaw: yaw, phase: phase),
                    material: .diffuse((shirt + trousers) / 2)))
        }
        addCyclists(p, avoiding: footprints, random: &random)
    }

    /// Cyclists ride by the kerb (oncoming on the left, ahead of the camera on the right) or,
    /// one in four, cross the road; each moved along the road until clear of every car.
    mutating func addCyclists(
        _ p: SceneParameters, avoiding footprints: [(x: ClosedRange<Float>, z: ClosedRange<Float>)], random: inout RandomStream
    ) {
        for _ in 0..<p.cyclists {
            let crossing = random.nextUnit() < 0.25
            let oncoming = random.nextUnit() < 0.5
            let x: Float =
                crossing
                ? -3 + 6 * Float(random.nextUnit())
                : (oncoming ? -(3.7 + 0.5 * Float(random.nextUnit())) : 3.4 + 0.4 * Float(random.nextUnit()))
            var z = 8 + 45 * Float(random.nextUnit())
            let yaw: Float = crossing ? (oncoming ? -.pi / 2 : .pi / 2) : (oncoming ? .pi : 0)
            let height = 1.55 + 0.35 * Float(random.nextUnit())
            let phase = Float(random.nextUnit()) * 2 * .pi
            let bike = Self.carColors[Int(random.next() % UInt64(Self.carColors.count))]
            let clothes = Self.clothes[Int(random.next() % UInt64(Self.clothes.count))]
            let (halfX, halfZ): (Float, Float) = crossing ? (1.2, 0.4) : (0.4, 1.2)
            for _ in 0..<20
            where footprints.contains(where: { $0.x.overlaps((x - halfX)...(x + halfX)) && $0.z.overlaps((z - halfZ)...(z + halfZ)) }) {
                z += 2.5
            }
            objects.append(
                SceneObject(
                    label: "cyclist", mesh: Self.cyclist(height: height, phase: phase).placed(at: SIMD3(x, 0, z), yaw: yaw),
                    material: .diffuse((bike + clothes) / 2)))
        }
    }

    /// A rider on a bicycle heading along +z from the origin: two wheels, frame, fork and
    /// handlebar; the rider leaning forward, hands on the bar, feet on pedals at crank angle
    /// `phase`.
    static func cyclist(height h: Float, phase: Float) -> Mesh {
        var mesh = Mesh()
        func box(_ center: SIMD3<Float>, _ size: SIMD3<Float>) { mesh.append(.box(center: center, size: size)) }
        let r: Float = 0.34
        for z: Float in [-0.52, 0.52] {
            mesh.append(.cylinder(center: SIMD3(0, r, z), radius: r, length: 0.05, alongX: true, segments: 14))
        }
        box(SIMD3(0, 0.78, 0.02), SIMD3(0.05, 0.05, 0.6))  // top tube
        box(SIMD3(0, 0.58, -0.2), SIMD3(0.05, 0.5, 0.05))  // seat tube
        box(SIMD3(0, 0.52, 0.18), SIMD3(0.05, 0.05, 0.5))  // down tube
        box(SIMD3(0, 0.34, -0.3), SIMD3(0.05, 0.05, 0.45))  // chain stay
        box(SIMD3(0, 0.62, 0.5), SIMD3(0.05, 0.56, 0.05))  // fork
        box(SIMD3(0, 0.98, 0.46), SIMD3(0.5, 0.04, 0.04))  // handlebar
        // The rider, sized by height.
        let k = h / 1.75
        let hip = SIMD3<Float>(0, 0.9 + 0.08 * k, -0.2)
        box(hip + SIMD3(0, 0.16 * k, 0.06), SIMD3(0.34 * k, 0.3 * k, 0.22 * k))  // lower torso
        box(hip + SIMD3(0, 0.4 * k, 0.2 * k), SIMD3(0.38 * k, 0.24 * k, 0.24 * k))  // chest, leaning forward
        let shoulder = hip + SIMD3(0, 0.5 * k, 0.26 * k)
        mesh.append(.sphere(center: shoulder + SIMD3(0, 0.18 * k, 0.1 * k), radius: 0.11 * k, rings: 5, segments: 8))
        for side: Float in [-1, 1] {
            // Arms reach from the shoulders down to the bar.
            let hand = SIMD3<Float>(side * 0.22, 0.98, 0.46)
            let from = shoulder + SIMD3(side * 0.2 * k, 0, 0)
            box((from + hand) / 2, SIMD3(0.08 * k, abs(from.y - hand.y) + 0.08, abs(from.z - hand.z) + 0.08))
            // Legs: hip to knee to pedal; the pedal on a 0.17 m crank, the knee forward of both.
            let angle = phase + (side < 0 ? 0 : .pi)
            let pedal = SIMD3<Float>(side * 0.12, 0.34 + 0.17 * Float.sine(angle), 0.17 * Float.cosine(angle))
            let thigh = hip + SIMD3(side * 0.1 * k, 0, 0)
            let knee = SIMD3<Float>(side * 0.12, (thigh.y + pedal.y) / 2 + 0.08, max(thigh.z, pedal.z) + 0.18 * k)
            box((thigh + knee) / 2, SIMD3(0.13 * k, abs(thigh.y - knee.y) + 0.1, abs(thigh.z - knee.z) + 0.1))
            box((knee + pedal) / 2, SIMD3(0.11 * k, abs(knee.y - pedal.y) + 0.08, abs(knee.z - pedal.z) + 0.08))
        }
        return mesh
    }

    /// An articulated walking figure: torso, head, two legs and two arms swinging by `phase`.
    static func walker(at base: SIMD3<Float>, height h: Float, build b: Float, yaw: Float, phase: Float) -> Mesh {
        var mesh = Mesh()
        let legLength = h * 0.47, torso = h * 0.32, head = h * 0.07
        let hip = base + SIMD3(0, legLength, 0)
        let swing = 0.45 * Float.sine(phase)
        let (c, s) = (Float.cosine(yaw), Float.sine(yaw))
        func world(_ local: SIMD3<Float>) -> SIMD3<Float> { SIMD3(local.x * c + local.z * s, local.y, -local.x * s + local.z * c) }
        for (dx, angle) in [(-0.1 * b, swing), (0.1 * b, -swing)] {
            let offset = world(SIMD3(dx, -legLength / 2 * Float.cosine(angle), legLength / 2 * Float.sine(angle)))
            mesh.append(.box(center: hip + offset, size: SIMD3(0.13 * b, legLength, 0.15 * b), yaw: yaw))
        }
        mesh.append(.box(center: hip + SIMD3(0, torso / 2, 0), size: SIMD3(0.38 * b, torso, 0.22 * b), yaw: yaw))
        let shoulder = hip + SIMD3(0, torso * 0.95, 0)
        for (dx, angle) in [(-0.24 * b, -swing), (0.24 * b, swing)] {
            let arm = h * 0.33
            let offset = world(SIMD3(dx, -arm / 2 * Float.cosine(angle), arm / 2 * Float.sine(angle)))
            mesh.append(.box(center: shoulder + offset, size: SIMD3(0.09 * b, arm, 0.1 * b), yaw: yaw))
        }
        mesh.append(.sphere(center: shoulder + SIMD3(0, head * 1.6, 0), radius: head, rings: 5, segments: 8))
        return mesh
    }

    static let carColors: [SIMD3<Float>] = [
        SIMD3(0.7, 0.05, 0.05), SIMD3(0.05, 0.15, 0.5), SIMD3(0.85, 0.85, 0.85), SIMD3(0.05, 0.05, 0.05), SIMD3(0.5, 0.5, 0.52),
        SIMD3(0.1, 0.35, 0.15), SIMD3(0.8, 0.6, 0.1),
    ]
    static let clothes: [SIMD3<Float>] = [
        SIMD3(0.6, 0.1, 0.1), SIMD3(0.1, 0.2, 0.6), SIMD3(0.15, 0.15, 0.15), SIMD3(0.8, 0.75, 0.6), SIMD3(0.2, 0.5, 0.25),
        SIMD3(0.9, 0.5, 0.1),
        SIMD3(0.5, 0.3, 0.6),
    ]
}
