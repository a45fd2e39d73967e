internal import Glibc
internal import StudioCore

/// What a surface looks like.
enum Material: Sendable, Hashable {
    case diffuse(SIMD3<Float>)
    /// A diffuse colour scaled by a procedural pattern (brick, paving, plaster…); `variant`
    /// moves the pattern, so two objects of one pattern differ.
    case textured(SIMD3<Float>, Pattern, variant: UInt32)
    /// Road surface (asphalt or paving); `wet` 0…1 adds a glossy reflection (rain), strongest
    /// in puddles.
    case road(SIMD3<Float>, wet: Float, pattern: Pattern, variant: UInt32)
    /// Shop glass: Fresnel reflection over a dark interior.
    case glass(interior: SIMD3<Float>)
    /// Lamps and headlights: colour × intensity, not lit.
    case emissive(SIMD3<Float>)
    /// Car paint: a diffuse colour under a clear coat that mirrors what it faces (Fresnel).
    case coated(SIMD3<Float>)
    /// An imported model's surface: a colour times an image texture (`StreetScene.textures`
    /// by index) at the hit's texture coordinates; where the texture's alpha is below `cutoff`
    /// (glTF's alpha mask; 0: opaque) a hole the ray goes through.
    case image(SIMD3<Float>, texture: Int, cutoff: Float)

    var isGlass: Bool {
        if case .glass = self { return true }
        return false
    }

    /// A fabric turned to its wearer's `facing` (other materials as they are).
    func worn(facing: SIMD3<Float>) -> Material {
        guard case .textured(let base, let pattern, let variant) = self, pattern.isFabric else { return self }
        return .textured(base, pattern, variant: variant & 0xFF_FFFF | Fabric.facing(facing))
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
    /// The way a person or rider faces (horizontal, unit), for the `view` they are seen from.
    var facing: SIMD3<Float>? = nil
    /// Metres per second: how it moves while the shutter is open (walking, riding, driving).
    var velocity: SIMD3<Float> = .zero

    init(label: String?, mesh: Mesh, material: Material) {
        self.init(label: label, mesh: mesh, materials: [material])
    }

    init(label: String?, mesh: Mesh, facing: SIMD3<Float>? = nil, materials: [Material], attributes: [String: String] = [:]) {
        precondition(!materials.isEmpty)
        self.label = label
        self.mesh = mesh
        self.facing = facing
        self.materials = materials
        self.attributes = attributes
    }
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

/// A procedural street: straight, curved, or meeting a cross street (intersection, T-junction
/// with zebra crossings and traffic lights); road with lane markings, sidewalks, buildings with
/// glass shop fronts, parked and driving cars, people (`Human`) walking, running, standing and
/// sitting on benches, cyclists on bicycles, lamps, signs, trees and street furniture; seen from
/// the rig's camera (a dashcam at the origin looking down +z, a CCTV pole, eye level). Metres;
/// y up; the street is built along +z and bent afterwards when it curves.
struct StreetScene: Sendable {
    var objects: [SceneObject] = []
    var lights: [PointLight] = []
    let parameters: SceneParameters
    /// Where the camera is and where it looks (the rig's; the dashcam's is the parameters').
    var camera: (position: SIMD3<Float>, forward: SIMD3<Float>) = (.zero, SIMD3(0, 0, 1))
    /// Free benches: where (the seat's foot on the sidewalk) and which side of the street.
    var benches: [(base: SIMD3<Float>, side: Float)] = []
    /// Image attributes the scene drew itself: the camera's height and pitch for rigs other
    /// than the dashcam, a curve's radius.
    var attributes: [String: String] = [:]
    /// The image textures `Material.image` names (imported models').
    var textures: [Texture] = []

    /// The classes the street labels, in a fixed order (new classes go at the end, so YOLO ids
    /// of datasets rendered before stay the same).
    static let labels = ["pedestrian", "car", "cyclist", "pedestrian_reflection", "street_lamp", "traffic_sign", "traffic_light"]

    /// The street of `p`, its pedestrians drawn from `people` (the recipe's own human models) by
    /// their shares and from `Human` otherwise, and the recipe's own `props` placed on it.
    init(_ p: SceneParameters, people: [PersonAsset] = [], props: [PropAsset] = [], random: inout RandomStream) {
        parameters = p
        var worn: [[Material]] = []
        for model in people.map(\.model) + props.map(\.model) {
            worn.append(model.materials(firstTexture: textures.count))
            textures += model.textures
        }
        // The street's own patterns: asphalt, paving and paint differ from street to street
        // (a copy of the stream, so what is drawn from it stays as it was).
        var patterns = random.derived(0x7061_7474)
        let variant = UInt32(truncatingIfNeeded: patterns.next())
        let snow = p.weather == .snow
        let ground: SIMD3<Float> = snow ? SIMD3(0.85, 0.87, 0.9) : SIMD3(0.32, 0.31, 0.3)
        let asphalt: SIMD3<Float> = snow ? SIMD3(0.55, 0.56, 0.58) : SIMD3(0.12, 0.12, 0.13)
        let wet: Float = p.weather == .rain ? 0.35 : (snow ? 0.05 : 0)
        let paint = Material.textured(snow ? SIMD3(0.95, 0.95, 0.95) : SIMD3(0.85, 0.85, 0.8), .paint, variant: variant)
        // A cross street (intersection: both sides; T-junction: one) at `cross`, 10 m of road
        // between 3 m sidewalks; the main street's sidewalks, kerbs and buildings stop at it.
        let crossSides: [Float] =
            switch p.layout {
            case .intersection: [-1, 1]
            case .tJunction: [random.nextUnit() < 0.5 ? -1 : 1]
            case .straight, .curved, .plaza: []
            }
        let plaza = p.layout == .plaza
        let cross = 16 + 22 * Float(random.nextUnit())
        func open(_ side: Float, _ z0: Float, _ z1: Float, margin: Float) -> Bool {
            !crossSides.contains(side) || z1 < cross - 5 - margin || z0 > cross + 5 + margin
        }
        // Road and sidewalks in 5 m pieces (a curved street bends them).
        var road = Mesh(), walks = Mesh(), lines = Mesh()
        for z0 in stride(from: Float(-5), to: 150, by: 5) {
            road.append(.quad(x0: -5, x1: 5, z0: z0, z1: z0 + 5, y: 0))
            for side: Float in [-1, 1] where open(side, z0, z0 + 5, margin: 3) {
                walks.append(.box(center: SIMD3(side * 6.5, 0.075, z0 + 2.5), size: SIMD3(3, 0.15, 5)))
                if z0 >= 0 && !plaza { lines.append(.quad(x0: side * 4.8, x1: side * 4.65, z0: z0, z1: z0 + 5, y: 0.005)) }
            }
            // A plaza's paving has bands of darker stone across it.
            if plaza && Int(z0) % 10 == 0 { lines.append(.quad(x0: -5, x1: 5, z0: z0, z1: z0 + 0.3, y: 0.004)) }
        }
        var dashes = Mesh()
        for z in stride(from: Float(2), to: 120, by: 7) where !plaza && (crossSides.isEmpty || z + 3 < cross - 9 || z > cross + 9) {
            dashes.append(.quad(x0: -0.08, x1: 0.08, z0: z, z1: z + 3, y: 0.005))
        }
        // Lane dividers on wider roads (dashed, between the lanes of each direction).
        let lanes = plaza ? 2 : max(2, min(4, p.lanes))
        for j in 1..<lanes where 2 * j != lanes {
            let x = -5 + 10 * Float(j) / Float(lanes)
            for z in stride(from: Float(4), to: 120, by: 9) where crossSides.isEmpty || z + 3 < cross - 9 || z > cross + 9 {
                dashes.append(.quad(x0: x - 0.07, x1: x + 0.07, z0: z, z1: z + 3, y: 0.005))
            }
        }
        lines.append(dashes)
        for side in crossSides {
            // The cross street's road and sidewalks, out to 80 m.
            for x0 in stride(from: Float(5), to: 80, by: 5) {
                road.append(.quad(x0: side * x0, x1: side * (x0 + 5), z0: cross - 5, z1: cross + 5, y: 0))
                guard x0 >= 8 else { continue }
                for dz: Float in [-6.5, 6.5] {
                    walks.append(.box(center: SIMD3(side * (x0 + 2.5), 0.075, cross + dz), size: SIMD3(5, 0.15, 3)))
                }
            }
            // Corners: sidewalk squares where the two streets meet.
            for dz: Float in [-6.5, 6.5] { walks.append(.box(center: SIMD3(side * 6.5, 0.075, cross + dz), size: SIMD3(3, 0.15, 3))) }
        }
        if !crossSides.isEmpty {
            // Zebra crossings on both arms of the main street and on each cross arm, stop lines.
            for zc in [cross - 7.2, cross + 7.2] {
                for x in stride(from: Float(-4.2), through: 4.2, by: 1.05) {
                    lines.append(.quad(x0: x - 0.25, x1: x + 0.25, z0: zc - 1.4, z1: zc + 1.4, y: 0.006))
                }
            }
            lines.append(.quad(x0: 0, x1: 4.6, z0: cross - 9.2, z1: cross - 8.8, y: 0.006))
            for side in crossSides {
                for z in stride(from: cross - 4.2, through: cross + 4.2, by: 1.05) {
                    lines.append(.quad(x0: side * 5.9, x1: side * 8.7, z0: z - 0.25, z1: z + 0.25, y: 0.006))
                }
            }
        }
        let paving: SIMD3<Float> = snow ? SIMD3(0.7, 0.7, 0.72) : SIMD3(0.3, 0.28, 0.25)
        objects.append(
            SceneObject(
                label: nil, mesh: road,
                material: .road(plaza ? paving : asphalt, wet: wet, pattern: plaza ? .paving : .asphalt, variant: variant)))
        // Snow hides the slabs of the sidewalks: only its own unevenness shows.
        objects.append(SceneObject(label: nil, mesh: walks, material: .textured(ground, snow ? .plaster : .paving, variant: variant &+ 1)))
        objects.append(SceneObject(label: nil, mesh: lines, material: plaza ? .diffuse(paving * 0.6) : paint))

        // Buildings along both sides; some ground floors are shop glass. Along a cross street
        // they stand back beyond the corner blocks.
        func building(center: SIMD3<Float>, size: SIMD3<Float>, facing: SIMD3<Float>) {
            // Walls of brick, concrete, plaster or paint; upper floors with a grid of windows
            // (glass, lit now and then after dark) on the face toward the street.
            let kind = Int(random.next() % UInt64(Self.walls.count))
            let wall = Self.walls[kind] * (0.8 + 0.4 * Float(random.nextUnit()))
            let look = Pattern.variant(center)
            objects.append(
                SceneObject(
                    label: nil, mesh: .box(center: center + SIMD3(0, 3, 0), size: size),
                    material: .textured(wall, Self.wallPatterns[kind], variant: look)))
            let glass = Float(random.nextUnit()) < p.glassFacades
            let front = SIMD3<Float>(center.x, 1.5, center.z)
            objects.append(
                SceneObject(
                    label: nil, mesh: .box(center: front, size: SIMD3(size.x, 3, size.z)),
                    material: glass ? .glass(interior: SIMD3(0.05, 0.06, 0.07)) : .textured(wall * 0.8, .plaster, variant: look &+ 1)))
            let alongX = facing.x == 0
            let across = alongX ? SIMD3<Float>(1, 0, 0) : SIMD3<Float>(0, 0, 1)
            let faceWidth = alongX ? size.x : size.z
            let face = center + facing * ((alongX ? size.z : size.x) / 2 + 0.02)
            let spacing = 2.2 + 1.3 * Float(random.nextUnit()), floor = 3 + 0.4 * Float(random.nextUnit())
            let ribbon = random.nextUnit() < 0.2
            let windowWidth = ribbon ? spacing - 0.25 : 0.9 + 0.6 * Float(random.nextUnit())
            let windowHeight = 1.2 + 0.6 * Float(random.nextUnit())
            let columns = max(1, Int((faceWidth - 0.8) / spacing)), floors = max(0, Int((size.y - 0.8) / floor))
            var dark = Mesh(), lit = Mesh()
            let night = p.timeOfDay != .day
            for f in 0..<floors {
                for c in 0..<columns {
                    let offset = (Float(c) - Float(columns - 1) / 2) * spacing
                    var middle = face + across * offset
                    middle.y = 3.6 + Float(f) * floor + windowHeight / 2
                    let h = across * (windowWidth / 2), v = SIMD3<Float>(0, windowHeight / 2, 0)
                    let pane = Mesh(
                        vertices: [middle - h - v, middle + h - v, middle + h + v, middle - h + v],
                        triangles: [SIMD3(0, 1, 2), SIMD3(0, 2, 3)])
                    if night && random.nextUnit() < 0.3 { lit.append(pane) } else { dark.append(pane) }
                }
            }
            if !dark.triangles.isEmpty {
                objects.append(SceneObject(label: nil, mesh: dark, material: .glass(interior: SIMD3(0.04, 0.045, 0.05))))
            }
            if !lit.triangles.isEmpty { objects.append(SceneObject(label: nil, mesh: lit, material: .emissive(SIMD3(1.4, 1.1, 0.7)))) }
        }
        for side: Float in [-1, 1] {
            var z: Float = -2
            while z < 140 {
                let depth = 6 + 10 * Float(random.nextUnit()), width = 8 + 10 * Float(random.nextUnit()),
                    height = 6 + 20 * Float(random.nextUnit())
                if open(side, z, z + width, margin: 3) {
                    building(
                        center: SIMD3(side * (8 + depth / 2), height / 2, z + width / 2), size: SIMD3(depth, height, width - 0.4),
                        facing: SIMD3(-side, 0, 0))
                }
                z += width
            }
        }
        for side in crossSides {
            for dz: Float in [-1, 1] {
                var x: Float = 26
                while x < 90 {
                    let depth = 6 + 10 * Float(random.nextUnit()), width = 8 + 10 * Float(random.nextUnit()),
                        height = 6 + 20 * Float(random.nextUnit())
                    building(
                        center: SIMD3(side * (x + width / 2), height / 2, cross + dz * (8 + depth / 2)),
                        size: SIMD3(width - 0.4, height, depth), facing: SIMD3(0, 0, -dz))
                    x += width
                }
            }
        }
        // Lamps every 18 m on both sides; lit at night and dusk.
        var lampZ: Float = 6
        while lampZ < 100 {
            for side: Float in [-1, 1] {
                let z = lampZ + (side > 0 ? 9 : 0)
                if open(side, z, z, margin: 4) { addLamp(at: SIMD3(side * 5.4, 0, z), facing: -side, p) }
            }
            lampZ += 18
        }
        // A few signs: the face is the `traffic_sign`, the pole is stuff. A sign that would stand
        // in a side street, or on another sign (two fell back to the same spot before cross - 10,
        // so two boxes labelled one sign), moves back along the kerb; no extra random draws, so
        // every other scene is drawn as before.
        var signs: [(side: Float, z: Float)] = []
        for _ in 0..<2 {
            let side: Float = random.nextUnit() < 0.5 ? -1 : 1
            var z = 10 + 50 * Float(random.nextUnit())
            func taken(_ z: Float) -> Bool { signs.contains { $0.side == side && abs($0.z - z) < 3 } }
            if !open(side, z - 1, z + 1, margin: 2) || taken(z) {
                z = cross - 10
                for _ in 0..<10 where taken(z) || !open(side, z - 1, z + 1, margin: 2) { z -= 4 }
            }
            signs.append((side, z))
            let base = SIMD3<Float>(side * 5.2, 0, z)
            let color: SIMD3<Float> = random.nextUnit() < 0.5 ? SIMD3(0.8, 0.1, 0.1) : SIMD3(0.1, 0.25, 0.8)
            objects.append(
                SceneObject(
                    label: nil, mesh: .cylinder(center: base + SIMD3(0, 1.2, 0), radius: 0.04, length: 2.4, alongX: false, segments: 6),
                    material: .diffuse(SIMD3(0.3, 0.3, 0.32))))
            objects.append(
                SceneObject(
                    label: "traffic_sign", mesh: .box(center: base + SIMD3(0, 2.5, -0.03), size: SIMD3(0.7, 0.7, 0.05)),
                    material: .diffuse(color)))
        }
        // Traffic lights at the corners: far-side heads face the camera's traffic, near-side
        // ones face the other way; one lamp of three lit.
        if !crossSides.isEmpty {
            let state = Int(random.next() % 3)
            for corner in [(Float(5.6), cross + 5.8, Float(-1)), (-5.6, cross - 5.8, 1)] {
                addTrafficLight(at: SIMD3(corner.0, 0, corner.1), facing: corner.2, lit: state, p)
            }
            for side in crossSides {
                addTrafficLight(at: SIMD3(side * 5.8, 0, cross + side * 4.0), facing: 0, lit: (state + 1) % 3, p, sideways: -side)
            }
        }
        addFurniture(p, open: { side, z in open(side, z - 1, z + 1, margin: 3) }, random: &random)
        // Cars: two lanes, both directions, some parked by the curb.
        var footprints: [(x: ClosedRange<Float>, z: ClosedRange<Float>)] = []
        for _ in 0..<(plaza ? 0 : p.cars) {
            let lane = Int(random.next() % 3)
            let x: Float = lane == 0 ? -2.4 : (lane == 1 ? 2.4 : 4.0)
            let z = 7 + 55 * Float(random.nextUnit())
            let yaw: Float = x < 0 ? .pi : 0
            let color = Self.carColors[Int(random.next() % UInt64(Self.carColors.count))]
            let length = 3.9 + 1.0 * Float(random.nextUnit()), width: Float = 1.8, height = 1.35 + 0.35 * Float(random.nextUnit())
            let car = Car(length: length, width: width, height: height)
            objects.append(
                SceneObject(
                    label: "car", mesh: car.mesh.placed(at: SIMD3(x, 0, z), yaw: yaw),
                    materials: Self.carMaterials(color, lit: p.timeOfDay != .day && lane != 2),
                    attributes: ["vehicle": car.kind.rawValue]))
            // Cars in the two inner lanes drive at 30 km/h, each with its lane's traffic; the
            // outer lane is parked.
            objects[objects.count - 1].velocity = SIMD3(0, 0, lane == 2 ? 0 : (x < 0 ? -Self.driving : Self.driving))
            footprints.append((x: (x - width / 2)...(x + width / 2), z: (z - length / 2)...(z + length / 2)))
            if p.timeOfDay == .night, x < 0 {
                // Oncoming cars light the road in front of them.
                let front = SIMD3<Float>(x, 0.7, z - length / 2 - 0.05)
                lights.append(PointLight(position: front - SIMD3(0, 0, 0.5), color: SIMD3(6, 6, 5.4)))
            }
        }
        // Pedestrians: on the sidewalks walking, running or standing about, some crossing.
        for _ in 0..<p.pedestrians {
            // On a plaza most people are out on the paving, going every way.
            let crossing = random.nextUnit() < (plaza ? 0.75 : 0.2)
            let side: Float = random.nextUnit() < 0.5 ? -1 : 1
            let x = crossing ? -4 + 8 * Float(random.nextUnit()) : side * (5.6 + 1.8 * Float(random.nextUnit()))
            var z = 5 + 35 * Float(random.nextUnit())
            // At a junction people cross on the zebra crossings.
            if crossing && !crossSides.isEmpty { z = cross + (random.nextUnit() < 0.5 ? -7.2 : 7.2) + Float(random.nextUnit() - 0.5) * 2 }
            // One of the recipe's own people, by their shares (nothing is drawn without them, so
            // a street without stays as it was).
            if !people.isEmpty, let k = Self.pick(people.map(\.share), random.nextUnit()) {
                addPerson(
                    people[k], wearing: worn[k], at: SIMD3(x, crossing ? 0 : 0.15, z), crossing: crossing, side: side, random: &random)
                continue
            }
            var human = Human.random(&random, rain: p.weather == .rain, snow: snow)
            let u = random.nextUnit(), phase = Float(random.nextUnit())
            if !crossing && u > 0.9, let bench = benches.popLast() {
                // Sitting on a bench, facing the road, whatever they carry put down.
                human.carrying = .nothing
                let pose = Human.Pose.sitting(seatHeight: 0.475)
                let seat = bench.base + SIMD3(bench.side * 0.02, 0, Float(random.nextUnit() - 0.5) * 0.8)
                objects.append(
                    SceneObject(
                        label: "pedestrian", mesh: human.mesh(pose).body.placed(at: seat, yaw: bench.side > 0 ? -.pi / 2 : .pi / 2),
                        materials: human.materials, attributes: human.attributes(pose)))
                objects[objects.count - 1].facing = SIMD3(-bench.side, 0, 0)
                continue
            }
            let pose: Human.Pose = crossing || u < 0.66 ? .walking(phase: phase) : (u < 0.72 ? .running(phase: phase) : .standing)
            let yaw = Self.heading(standing: pose == .standing, crossing: crossing, side: side, plaza: plaza, &random)
            let base = SIMD3<Float>(x, crossing ? 0 : 0.15, z)
            let (body, umbrella) = human.mesh(pose)
            objects.append(
                SceneObject(
                    label: "pedestrian", mesh: body.placed(at: base, yaw: yaw), materials: human.materials,
                    attributes: human.attributes(pose)))
            objects[objects.count - 1].facing = SIMD3(sinf(yaw), 0, cosf(yaw))
            let velocity = SIMD3(sinf(yaw), 0, cosf(yaw)) * Self.speed(pose)
            objects[objects.count - 1].velocity = velocity
            if let umbrella {
                let canopy = Human.clothing[Int(random.next() % UInt64(Human.clothing.count))].0
                objects.append(
                    SceneObject(
                        label: nil, mesh: umbrella.placed(at: base, yaw: yaw),
                        materials: [.diffuse(SIMD3(0.05, 0.05, 0.05)), .diffuse(canopy)]))
                objects[objects.count - 1].velocity = velocity
            }
        }
        addCyclists(p, avoiding: footprints, random: &random)
        if !props.isEmpty {
            // From a stream of their own: the street around them stays as it is without them.
            var drawing = random.derived(0x7072_6F70)
            addProps(
                props, wearing: Array(worn[people.count...]), avoiding: footprints, open: { side, z0, z1 in open(side, z0, z1, margin: 1) },
                random: &drawing)
        }
        if plaza {
            widen(to: 17)
        } else if lanes > 2 {
            widen(to: Self.halfRoad(lanes))
        }
        if p.layout == .curved {
            let radius = 60 + 140 * Float(random.nextUnit())
            let curvature = (random.nextUnit() < 0.5 ? -1 : 1) / radius
            bend(curvature: curvature)
            attributes["curve_radius_m"] = String(Int(radius.rounded()))
        }
        placeCamera(p, random: &random)
        mirror()
        // Clothes turn with their wearers, wherever the street has turned them.
        for i in objects.indices {
            guard let facing = objects[i].facing else { continue }
            objects[i].materials = objects[i].materials.map { $0.worn(facing: facing) }
        }
    }

    /// The yaw of a pedestrian: anywhere when standing or crossing a plaza; across the road
    /// from their `side` when crossing; else along the sidewalk either way, a little askew.
    static func heading(standing: Bool, crossing: Bool, side: Float, plaza: Bool, _ random: inout RandomStream) -> Float {
        let turn = Float(random.nextNormal()) * 0.2
        if standing || (plaza && crossing) { return Float(random.nextUnit()) * 2 * .pi }
        return crossing ? (side > 0 ? .pi / 2 : -.pi / 2) + turn : (random.nextUnit() < 0.5 ? 0 : .pi) + turn * 0.5
    }

    /// Which of `shares` the draw `u` (0…1) falls in, taking them one after another; nil past
    /// their sum.
    static func pick(_ shares: [Float], _ u: Double) -> Int? {
        var start = 0.0
        for (k, share) in shares.enumerated() {
            start += Double(share)
            if u < start { return k }
        }
        return nil
    }

    /// An imported person at `base`: posed at a drawn moment of its animation and walking the
    /// way the street's own walkers do (across the road when `crossing`, else along the
    /// sidewalk either way), or, without an animation time, standing about facing anywhere.
    mutating func addPerson(
        _ person: PersonAsset, wearing materials: [Material], at base: SIMD3<Float>, crossing: Bool, side: Float,
        random: inout RandomStream
    ) {
        let height = Self.uniform(person.heights, &random)
        let time = person.model.time(&random)
        let materials = person.model.varied(materials, &random)
        let yaw = Self.heading(standing: time == nil, crossing: crossing, side: side, plaza: parameters.layout == .plaza, &random)
        var attributes = [
            "pose": time == nil ? "standing" : "animated", "asset": person.model.name, "height_m": String(Float(Int(height * 100)) / 100),
        ]
        if let time { attributes["animation_time_s"] = Asset.animationTimeAttribute(time) }
        objects.append(
            SceneObject(
                label: "pedestrian", mesh: person.model.mesh(.height(height), time: time).placed(at: base, yaw: yaw),
                facing: SIMD3(sinf(yaw), 0, cosf(yaw)), materials: materials, attributes: attributes))
        if time != nil { objects[objects.count - 1].velocity = SIMD3(sinf(yaw), 0, cosf(yaw)) * Self.speed(.walking(phase: 0)) }
    }

    /// The recipe's own models placed by their counts: on the road lined up with the traffic
    /// (either way, by the side), or on a sidewalk turned any way (`open` says where a
    /// sidewalk runs: not across a junction), each clear of the `cars` and of those placed
    /// before it (30 tries, else left out).
    mutating func addProps(
        _ props: [PropAsset], wearing: [[Material]], avoiding cars: [(x: ClosedRange<Float>, z: ClosedRange<Float>)],
        open: (Float, Float, Float) -> Bool, random: inout RandomStream
    ) {
        var taken = cars
        for (k, prop) in props.enumerated() {
            let span = prop.counts.upperBound - prop.counts.lowerBound + 1
            let count = prop.counts.lowerBound + min(span - 1, Int(random.nextUnit() * Double(span)))
            for _ in 0..<count {
                let scale = Self.uniform(prop.scales, &random)
                let time = prop.model.time(&random)
                let materials = prop.model.varied(wearing[k], &random)
                var mesh = prop.model.mesh(.scale(scale), time: time)
                let (lo, hi) = mesh.bounds
                var spot: (base: SIMD3<Float>, yaw: Float, x: ClosedRange<Float>, z: ClosedRange<Float>)? = nil
                for _ in 0..<30 {
                    let side: Float = random.nextUnit() < 0.5 ? -1 : 1
                    let u = (Float(random.nextUnit()), Float(random.nextUnit()), Float(random.nextUnit()))
                    let (base, yaw): (SIMD3<Float>, Float)
                    var half: SIMD2<Float>
                    switch prop.place {
                    case .road:
                        // Across a lane's width from the centre line to the kerb, along the road.
                        half = SIMD2(hi.x - lo.x, hi.z - lo.z) / 2
                        let room = max(0, 4.9 - 0.1 - 2 * half.x)
                        base = SIMD3(side * (0.1 + half.x + room * u.0), 0, 7 + 55 * u.1)
                        yaw = side < 0 ? .pi : 0
                    case .sidewalk:
                        // Turned any way: the circle around its footprint must fit.
                        let radius: Float = max(hi.x - lo.x, hi.z - lo.z) * 0.5 * 1.415
                        half = SIMD2(repeating: radius)
                        let room = max(0, 3 - 0.2 - 2 * half.x)
                        base = SIMD3(side * (5.1 + half.x + room * u.0), 0.15, 4 + 40 * u.1)
                        yaw = u.2 * 2 * .pi
                        guard open(side, base.z - half.y, base.z + half.y) else { continue }
                    }
                    let x = (base.x - half.x)...(base.x + half.x), z = (base.z - half.y)...(base.z + half.y)
                    if !taken.contains(where: { $0.x.overlaps(x) && $0.z.overlaps(z) }) {
                        spot = (base, yaw, x, z)
                        break
                    }
                }
                guard let spot else { continue }
                taken.append((spot.x, spot.z))
                mesh = mesh.placed(at: spot.base, yaw: spot.yaw)
                var attributes = ["asset": prop.model.name, "scale": String(Double(Int((Double(scale) * 100).rounded())) / 100)]
                if let time { attributes["animation_time_s"] = Asset.animationTimeAttribute(time) }
                objects.append(SceneObject(label: prop.className, mesh: mesh, materials: materials, attributes: attributes))
            }
        }
    }

    /// A value drawn uniformly from `range`.
    static func uniform(_ range: ClosedRange<Float>, _ random: inout RandomStream) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * Float(random.nextUnit())
    }

    /// The street is laid out with +x on the camera's right (a left-handed frame: traffic keeps
    /// to +x); the renderer's world is right-handed (glTF's and Blender's: looking down +z, +x is
    /// on the left), so the finished street is mirrored into it — every point, normal, direction
    /// and light across x = 0, each triangle's winding reversed — and looks as it was laid out.
    mutating func mirror() {
        @inline(__always) func flip(_ v: SIMD3<Float>) -> SIMD3<Float> { SIMD3(-v.x, v.y, v.z) }
        for i in objects.indices {
            objects[i].mesh.vertices = objects[i].mesh.vertices.map(flip)
            objects[i].mesh.normals = objects[i].mesh.normals.map(flip)
            objects[i].mesh.triangles = objects[i].mesh.triangles.map { SIMD3($0.x, $0.z, $0.y) }
            objects[i].facing = objects[i].facing.map(flip)
            objects[i].velocity = flip(objects[i].velocity)
        }
        lights = lights.map { PointLight(position: flip($0.position), color: $0.color) }
        benches = benches.map { (flip($0.base), -$0.side) }
        camera = (flip(camera.position), flip(camera.forward))
    }

    /// Half the road's width for a lane count: 5 m for two lanes, 1.65 m more per lane.
    static func halfRoad(_ lanes: Int) -> Float { 5 + 1.65 * Float(max(2, min(4, lanes)) - 2) }

    /// The street, built for a 10 m road, widened to a road of half-width `half`: points on the
    /// road stretch across it, points beyond its kerbs move out with them. Big things (road,
    /// sidewalks, markings, buildings) move point by point; small ones (people, cars, lamps)
    /// move whole, so they keep their shape.
    mutating func widen(to half: Float) {
        let scale = half / 5, extra = half - 5
        func warp(_ x: Float) -> Float { abs(x) < 5 ? x * scale : x + (x < 0 ? -extra : extra) }
        for i in objects.indices {
            let b = objects[i].mesh.bounds
            if max(b.max.x - b.min.x, b.max.z - b.min.z) > 8 {
                objects[i].mesh.vertices = objects[i].mesh.vertices.map { SIMD3(warp($0.x), $0.y, $0.z) }
            } else {
                let centre = (b.min.x + b.max.x) / 2
                let shift = warp(centre) - centre
                objects[i].mesh.vertices = objects[i].mesh.vertices.map { $0 + SIMD3(shift, 0, 0) }
            }
        }
        lights = lights.map { PointLight(position: SIMD3(warp($0.position.x), $0.position.y, $0.position.z), color: $0.color) }
    }

    /// The street bent into an arc of `curvature` (1/radius, positive to the right): a point
    /// `x` metres across and `z` along the straight street goes to the arc's point at `z` and
    /// `x` along its normal there; normals turn with it. The camera's spot (z = 0) stays.
    mutating func bend(curvature k: Float) {
        @inline(__always) func frame(_ z: Float) -> (centre: SIMD3<Float>, across: SIMD3<Float>, along: SIMD3<Float>) {
            let a = k * z
            return (SIMD3((1 - cosf(a)) / k, 0, sinf(a) / k), SIMD3(cosf(a), 0, -sinf(a)), SIMD3(sinf(a), 0, cosf(a)))
        }
        func warp(_ v: SIMD3<Float>) -> SIMD3<Float> {
            let f = frame(v.z)
            return f.centre + f.across * v.x + SIMD3(0, v.y, 0)
        }
        for i in objects.indices {
            let mesh = objects[i].mesh
            objects[i].mesh.normals = zip(mesh.normals, mesh.vertices).map { n, v in
                let f = frame(v.z)
                return f.across * n.x + SIMD3(0, n.y, 0) + f.along * n.z
            }
            objects[i].mesh.vertices = mesh.vertices.map(warp)
            // Directions turn with the street where the object stands.
            guard objects[i].facing != nil || objects[i].velocity != .zero else { continue }
            let f = frame((mesh.bounds.min.z + mesh.bounds.max.z) / 2)
            if let n = objects[i].facing { objects[i].facing = f.across * n.x + f.along * n.z }
            let v = objects[i].velocity
            objects[i].velocity = f.across * v.x + SIMD3(0, v.y, 0) + f.along * v.z
        }
        lights = lights.map { PointLight(position: warp($0.position), color: $0.color) }
    }

    /// The camera for the rig: the dashcam in the lane at the parameters' height and pitch; a
    /// CCTV camera on a sidewalk pole 3–8 m up looking 12–35° down and across the street; a
    /// pedestrian's eyes on the sidewalk.
    mutating func placeCamera(_ p: SceneParameters, random: inout RandomStream) {
        let degrees = Float.pi / 180
        let side: Float = random.nextUnit() < 0.5 ? -1 : 1
        let u = (Float(random.nextUnit()), Float(random.nextUnit()), Float(random.nextUnit()))
        let extra = Self.halfRoad(p.lanes) - 5
        var position = SIMD3<Float>(0, p.cameraHeight, 0)
        var pitch = p.cameraPitch, yaw: Float = 0
        switch p.rig {
        case .dashcam:
            break
        case .cctv:
            position = SIMD3(side * (6.2 + extra), 3 + 5 * u.0, -4 + 4 * u.1)
            pitch = 12 + 23 * u.2
            yaw = -side * (6 + 14 * u.1)
        case .eyeLevel:
            position = SIMD3(side * (5.8 + extra + 1.2 * u.0), 0.15 + 1.45 + 0.3 * u.1, -2 + 3 * u.2)
            pitch = -1 + 5 * u.2
            yaw = -side * (3 + 9 * u.0)
        }
        if p.rig != .dashcam {
            attributes["camera_height"] = String(Float(Int((position.y * 10).rounded())) / 10)
            attributes["camera_pitch"] = String(Float(Int((pitch * 10).rounded())) / 10)
        }
        let (pr, yr) = (pitch * degrees, yaw * degrees)
        camera = (position, SIMD3(sinf(yr) * cosf(pr), -sinf(pr), cosf(yr) * cosf(pr)))
        guard p.rig != .dashcam else { return }
        // A camera on the sidewalk stands clear: small things (trees, lamps, benches, people)
        // within 3 m of it are taken away rather than filling the picture; road, sidewalks and
        // buildings stay.
        objects.removeAll { object in
            let b = object.mesh.bounds
            let size = b.max - b.min
            guard max(size.x, size.z) < 8 else { return false }
            let nearest = pointwiseMin(pointwiseMax(position, b.min), b.max)
            let d = SIMD2(nearest.x - position.x, nearest.z - position.z)
            return (d * d).sum() < 9
        }
    }

    /// A street lamp on the kerb at `post`, its arm reaching over the road toward `facing` (±x):
    /// lit at dusk and night.
    mutating func addLamp(at post: SIMD3<Float>, facing: Float, _ p: SceneParameters) {
        var lamp = Mesh.cylinder(center: post + SIMD3(0, 2.5, 0), radius: 0.08, length: 5, alongX: false, segments: 8)
        lamp.append(.box(center: post + SIMD3(facing * 0.6, 5, 0), size: SIMD3(1.2, 0.08, 0.08)))
        objects.append(SceneObject(label: "street_lamp", mesh: lamp, material: .diffuse(SIMD3(0.25, 0.26, 0.28))))
        let bulb = post + SIMD3(facing * 1.1, 4.85, 0)
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

    /// A traffic light on a pole at `base`: the head (housing, visor-less lamps: red, amber,
    /// green from the top, `lit` the one on) is the `traffic_light`; the pole is stuff. The
    /// lamps face −z (`facing` −1), +z (1), or along x (`facing` 0, `sideways` ±1).
    mutating func addTrafficLight(at base: SIMD3<Float>, facing: Float, lit: Int, _ p: SceneParameters, sideways: Float = 0) {
        let top: Float = 3.1
        objects.append(
            SceneObject(
                label: nil, mesh: .cylinder(center: base + SIMD3(0, top / 2, 0), radius: 0.06, length: top, alongX: false, segments: 8),
                material: .diffuse(SIMD3(0.12, 0.12, 0.13))))
        let centre = base + SIMD3(0, top + 0.45, 0)
        let along = facing != 0 ? SIMD3<Float>(0, 0, facing) : SIMD3<Float>(sideways, 0, 0)
        let size = facing != 0 ? SIMD3<Float>(0.32, 0.95, 0.26) : SIMD3<Float>(0.26, 0.95, 0.32)
        var head = Mesh.box(center: centre, size: size)
        let colors: [SIMD3<Float>] = [SIMD3(1, 0.06, 0.03), SIMD3(1, 0.55, 0.02), SIMD3(0.05, 1, 0.35)]
        var materials: [Material] = [.diffuse(SIMD3(0.04, 0.04, 0.045))]
        for k in 0..<3 {
            let lamp = centre + SIMD3(0, 0.3 - 0.3 * Float(k), 0) + along * 0.135
            head.append(
                .ellipsoid(
                    center: lamp, radii: SIMD3(0.1, 0.1, 0.02),
                    axes: facing != 0 ? (SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1)) : (SIMD3(0, 0, 1), SIMD3(0, 1, 0), SIMD3(1, 0, 0)),
                    rings: 4, segments: 10), part: UInt8(k + 1))
            let day: Float = p.timeOfDay == .day ? 4 : 8
            materials.append(k == lit ? .emissive(colors[k] * day) : .diffuse(colors[k] * 0.06))
        }
        objects.append(SceneObject(label: "traffic_light", mesh: head, materials: materials))
    }

    /// Street furniture on the sidewalks where `open(side, z)` says there is sidewalk: trees,
    /// benches, bins, bollards and now and then a bus shelter with a glass back (it reflects).
    mutating func addFurniture(_ p: SceneParameters, open: (Float, Float) -> Bool, random: inout RandomStream) {
        let snow = p.weather == .snow
        for side: Float in [-1, 1] {
            var z: Float = 3 + 6 * Float(random.nextUnit())
            while z < 90 {
                let u = random.nextUnit()
                defer { z += 6 + 8 * Float(random.nextUnit()) }
                guard open(side, z) else { continue }
                if u < 0.4 {
                    // A tree: trunk and a crown of overlapping ellipsoids.
                    let base = SIMD3<Float>(side * 7.3, 0.15, z)
                    let height = 3.5 + 3 * Float(random.nextUnit())
                    var tree = Mesh.limb(base, base + SIMD3(0, height * 0.6, 0), 0.12, 0.09, side: SIMD3(1, 0, 0), segments: 8)
                    var crown = Mesh()
                    for _ in 0..<4 {
                        let offset = SIMD3<Float>(
                            Float(random.nextUnit() - 0.5), Float(random.nextUnit() - 0.5) * 0.8, Float(random.nextUnit() - 0.5))
                        let r = 0.9 + 0.6 * Float(random.nextUnit())
                        crown.append(
                            .ellipsoid(
                                center: base + SIMD3(0, height * 0.75 + 0.6, 0) + offset * SIMD3(1.4, 0.6, 1.4),
                                radii: SIMD3(r, r * 0.85, r), rings: 6,
                                segments: 10))
                    }
                    tree.append(crown, part: 1)
                    let leaves: SIMD3<Float> =
                        snow
                        ? SIMD3(0.5, 0.52, 0.5)
                        : SIMD3(0.05 + 0.05 * Float(random.nextUnit()), 0.12 + 0.08 * Float(random.nextUnit()), 0.03)
                    objects.append(SceneObject(label: nil, mesh: tree, materials: [.diffuse(SIMD3(0.09, 0.06, 0.04)), .diffuse(leaves)]))
                } else if u < 0.55 {
                    // A bench facing the road.
                    let base = SIMD3<Float>(side * 7.5, 0.15, z)
                    var bench = Mesh.box(center: base + SIMD3(0, 0.45, 0), size: SIMD3(0.45, 0.05, 1.8))
                    bench.append(.box(center: base + SIMD3(side * 0.22, 0.75, 0), size: SIMD3(0.05, 0.4, 1.8)))
                    for dz: Float in [-0.8, 0.8] { bench.append(.box(center: base + SIMD3(0, 0.22, dz), size: SIMD3(0.4, 0.44, 0.06))) }
                    objects.append(SceneObject(label: nil, mesh: bench, material: .diffuse(SIMD3(0.22, 0.13, 0.07))))
                    benches.append((base, side))
                } else if u < 0.7 {
                    // A bin.
                    let base = SIMD3<Float>(side * 5.6, 0.15, z)
                    objects.append(
                        SceneObject(
                            label: nil,
                            mesh: .cylinder(center: base + SIMD3(0, 0.45, 0), radius: 0.28, length: 0.9, alongX: false, segments: 12),
                            material: .diffuse(SIMD3(0.05, 0.12, 0.06))))
                } else if u < 0.85 {
                    // A row of bollards along the kerb.
                    var posts = Mesh()
                    for k in 0..<4 {
                        posts.append(
                            .cylinder(
                                center: SIMD3(side * 5.3, 0.6, z + 1.4 * Float(k)), radius: 0.08, length: 0.9, alongX: false, segments: 8))
                    }
                    objects.append(SceneObject(label: nil, mesh: posts, material: .diffuse(SIMD3(0.15, 0.15, 0.16))))
                } else if u < 0.88 {
                    // A statue of a person on a plinth: stone or bronze, not a pedestrian (a
                    // distractor a detector must learn to pass over).
                    let base = SIMD3<Float>(side * 6.9, 0.15, z)
                    var figure = Human.random(&random, rain: false, snow: false)
                    figure.carrying = .nothing
                    figure.height = 1.7 + 0.4 * Float(random.nextUnit())
                    let stone: SIMD3<Float> = random.nextUnit() < 0.5 ? SIMD3(0.45, 0.43, 0.4) : SIMD3(0.2, 0.14, 0.08)
                    var statue = Mesh.box(center: base + SIMD3(0, 0.45, 0), size: SIMD3(0.9, 0.9, 0.9))
                    statue.append(figure.mesh(.standing).body.placed(at: base + SIMD3(0, 0.9, 0), yaw: side > 0 ? -.pi / 2 : .pi / 2))
                    statue.parts = []
                    objects.append(SceneObject(label: nil, mesh: statue, material: .diffuse(stone)))
                } else if u < 0.92 {
                    // A bus shelter: roof, posts, and a glass back toward the buildings.
                    let base = SIMD3<Float>(side * 7.2, 0.15, z)
                    var frame = Mesh.box(center: base + SIMD3(0, 2.4, 0), size: SIMD3(1.6, 0.08, 3.6))
                    for dz: Float in [-1.75, 1.75] {
                        frame.append(.box(center: base + SIMD3(side * 0.7, 1.2, dz), size: SIMD3(0.08, 2.4, 0.08)))
                    }
                    objects.append(SceneObject(label: nil, mesh: frame, material: .diffuse(SIMD3(0.3, 0.31, 0.33))))
                    objects.append(
                        SceneObject(
                            label: nil, mesh: .box(center: base + SIMD3(side * 0.72, 1.25, 0), size: SIMD3(0.03, 2.1, 3.4)),
                            material: .glass(interior: SIMD3(0.3, 0.3, 0.32))))
                }
            }
        }
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
            if rider.bottom == .skirt {
                rider.bottom = .trousers
                if rider.bottomFabric == .dots || rider.bottomFabric == .stripes { rider.bottomFabric = .cloth }
            }
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
                    label: "cyclist", mesh: mesh.placed(at: SIMD3(x, 0, z), yaw: yaw), facing: SIMD3(sinf(yaw), 0, cosf(yaw)),
                    materials: rider.materials + [
                        .diffuse(frame), .diffuse(SIMD3(0.025, 0.025, 0.025)), .diffuse(SIMD3(0.45, 0.45, 0.47)),
                    ],
                    attributes: attributes))
            objects[objects.count - 1].velocity = SIMD3(sinf(yaw), 0, cosf(yaw)) * Self.riding
        }
    }

    /// Metres per second: town traffic (30 km/h), a cyclist, and a person by pose.
    static let driving: Float = 8.3
    static let riding: Float = 4.5
    static func speed(_ pose: Human.Pose) -> Float {
        switch pose {
        case .walking: 1.4
        case .running: 3.2
        default: 0
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

    /// Wall albedos: red and brown brick, grey and light concrete, beige and white plaster,
    /// painted ochre and dark cladding.
    static let walls: [SIMD3<Float>] = [
        SIMD3(0.32, 0.13, 0.08), SIMD3(0.22, 0.12, 0.08), SIMD3(0.38, 0.37, 0.35), SIMD3(0.55, 0.54, 0.5), SIMD3(0.62, 0.55, 0.42),
        SIMD3(0.72, 0.7, 0.66), SIMD3(0.6, 0.42, 0.18), SIMD3(0.12, 0.12, 0.13),
    ]

    /// The pattern each wall albedo wears: the brick reds, then concrete, plaster and
    /// painted render, and panels for the dark cladding.
    static let wallPatterns: [Pattern] = [.brick, .brick, .concrete, .concrete, .plaster, .plaster, .plaster, .concrete]

    /// A car's materials in `Car.Part` order: its paint, tinted glass, tyres, rims, head- and
    /// tail lamps (lit when it drives after dark) and black trim.
    static func carMaterials(_ paint: SIMD3<Float>, lit night: Bool) -> [Material] {
        [
            .coated(paint), .glass(interior: SIMD3(0.02, 0.022, 0.025)), .diffuse(SIMD3(0.03, 0.03, 0.03)),
            .coated(SIMD3(0.45, 0.45, 0.47)), night ? .emissive(SIMD3(4, 4, 3.6)) : .coated(SIMD3(0.75, 0.75, 0.72)),
            night ? .emissive(SIMD3(2.5, 0.1, 0.08)) : .coated(SIMD3(0.45, 0.03, 0.03)), .diffuse(SIMD3(0.05, 0.05, 0.05)),
        ]
    }

    static let carColors: [SIMD3<Float>] = [
        SIMD3(0.7, 0.05, 0.05), SIMD3(0.05, 0.15, 0.5), SIMD3(0.85, 0.85, 0.85), SIMD3(0.05, 0.05, 0.05), SIMD3(0.5, 0.5, 0.52),
        SIMD3(0.1, 0.35, 0.15), SIMD3(0.8, 0.6, 0.1),
    ]
}
