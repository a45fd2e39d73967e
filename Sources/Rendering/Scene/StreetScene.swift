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
    /// The materials its parts wear (`Mesh.parts` index them; a mesh without parts wears the
    /// first).
    var materials: [Material]
    /// What its annotation says of it beyond the class (a person's pose, age group…).
    var attributes: [String: String] = [:]

    init(label: String?, mesh: Mesh, material: Material) {
        self.init(label: label, mesh: mesh, materials: [material])
    }

    init(label: String?, mesh: Mesh, materials: [Material], attributes: [String: String] = [:]) {
        precondition(!materials.isEmpty)
        self.label = label
        self.mesh = mesh
        self.materials = materials
        self.attributes = attributes
    }

    var material: Material { materials[0] }
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
        // Pedestrians: on the sidewalks walking, running or standing about, some crossing.
        for _ in 0..<p.pedestrians {
            let crossing = random.nextUnit() < 0.2
            let side: Float = random.nextUnit() < 0.5 ? -1 : 1
            let x = crossing ? -4 + 8 * Float(random.nextUnit()) : side * (5.6 + 1.8 * Float(random.nextUnit()))
            let z = 5 + 35 * Float(random.nextUnit())
            let human = Human.random(&random, rain: p.weather == .rain, snow: snow)
            let u = random.nextUnit(), phase = Float(random.nextUnit())
            let pose: Human.Pose = crossing || u < 0.66 ? .walking(phase: phase) : (u < 0.72 ? .running(phase: phase) : .standing)
            let turn = Float(random.nextNormal()) * 0.2
            let yaw: Float =
                pose == .standing
                ? Float(random.nextUnit()) * 2 * .pi
                : (crossing ? (side > 0 ? .pi / 2 : -.pi / 2) + turn : (random.nextUnit() < 0.5 ? 0 : .pi) + turn * 0.5)
            let base = SIMD3<Float>(x, crossing ? 0 : 0.15, z)
            let (body, umbrella) = human.mesh(pose)
            objects.append(
                SceneObject(
                    label: "pedestrian", mesh: body.placed(at: base, yaw: yaw), materials: human.materials,
                    attributes: human.attributes(pose)))
            if let umbrella {
                let canopy = Human.clothing[Int(random.next() % UInt64(Human.clothing.count))].0
                objects.append(
                    SceneObject(
                        label: nil, mesh: umbrella.placed(at: base, yaw: yaw),
                        materials: [.diffuse(SIMD3(0.05, 0.05, 0.05)), .diffuse(canopy)]))
            }
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
            var rider = Human.random(&random, rain: false, snow: p.weather == .snow)
            // Nobody rides in a long coat, a dress or a skirt here, or holding an umbrella.
            if rider.top == .coat || rider.top == .dress { rider.top = .jacket }
            if rider.bottom == .skirt { rider.bottom = .trousers }
            if rider.carrying == .umbrella || rider.carrying == .bag { rider.carrying = .nothing }
            let crank = Float(random.nextUnit()) * 2 * .pi
            let frame = Self.carColors[Int(random.next() % UInt64(Self.carColors.count))]
            let (halfX, halfZ): (Float, Float) = crossing ? (1.2, 0.4) : (0.4, 1.2)
            for _ in 0..<20
            where footprints.contains(where: { $0.x.overlaps((x - halfX)...(x + halfX)) && $0.z.overlaps((z - halfZ)...(z + halfZ)) }) {
                z += 2.5
            }
            let (mesh, attributes) = Self.cyclist(rider, crank: crank)
            objects.append(
                SceneObject(
                    label: "cyclist", mesh: mesh.placed(at: SIMD3(x, 0, z), yaw: yaw),
                    materials: rider.materials + [
                        .diffuse(frame), .diffuse(SIMD3(0.025, 0.025, 0.025)), .diffuse(SIMD3(0.45, 0.45, 0.47)),
                    ],
                    attributes: attributes))
        }
    }

    /// A rider on a bicycle heading along +z from the origin, feet on the pedals at `crank`
    /// radians, hands on the bar: one mesh, the rider's parts first, then the bicycle's
    /// (`Bicycle.Part` after `Human.Part`).
    static func cyclist(_ rider: Human, crank: Float) -> (Mesh, [String: String]) {
        let bike = Bicycle(rider: rider, crank: crank)
        let pose = Human.Pose.riding(seat: bike.seat, grip: bike.grip, pedals: bike.pedals)
        var mesh = rider.mesh(pose).body
        var frame = bike.mesh
        frame.parts = frame.parts.map { $0 + UInt8(rider.materials.count) }
        mesh.append(frame)
        return (mesh, rider.attributes(pose))
    }

    static let carColors: [SIMD3<Float>] = [
        SIMD3(0.7, 0.05, 0.05), SIMD3(0.05, 0.15, 0.5), SIMD3(0.85, 0.85, 0.85), SIMD3(0.05, 0.05, 0.05), SIMD3(0.5, 0.5, 0.52),
        SIMD3(0.1, 0.35, 0.15), SIMD3(0.8, 0.6, 0.1),
    ]
}
