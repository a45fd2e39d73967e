import Foundation
import StudioCore
import Testing

@testable import Rendering

/// One ray per pixel against `mesh` alone: its mask, row-major.
private func mask(of mesh: Mesh, camera: Camera, width: Int, height: Int) -> [Bool] {
    let scene = EmbreeScene(meshes: [mesh])
    var mask = [Bool](repeating: false, count: width * height)
    for y in 0..<height {
        for x in 0..<width {
            let ray = camera.ray(x: Float(x) + 0.5, y: Float(y) + 0.5)
            mask[y * width + x] = scene.occluded(ray.origin, ray.direction)
        }
    }
    return mask
}

/// Per row of the mask: its runs of covered pixels (start, length), and the rows covered at all.
private func runs(_ mask: [Bool], width: Int, row y: Int) -> [(Int, Int)] {
    var runs: [(Int, Int)] = []
    var x = 0
    while x < width {
        guard mask[y * width + x] else {
            x += 1
            continue
        }
        let start = x
        while x < width && mask[y * width + x] { x += 1 }
        runs.append((start, x - start))
    }
    return runs
}

@Suite("Procedural people")
struct HumanTests {
    static func person(_ sex: Human.Sex, _ age: Human.Age, height: Float, carrying: Human.Carrying = .nothing) -> Human {
        Human(
            sex: sex, age: age, height: height, build: 1, top: .tshirt, bottom: .trousers, hair: .short, carrying: carrying,
            skin: SIMD3(0.5, 0.35, 0.25), topColor: SIMD3(0.2, 0.2, 0.2), bottomColor: SIMD3(0.1, 0.1, 0.3),
            hairColor: SIMD3(0.05, 0.03, 0.02),
            shoeColor: SIMD3(0.02, 0.02, 0.02), bagColor: SIMD3(0.3, 0.1, 0.1))
    }

    /// A camera 4 m in front of a person facing it (`yaw` π turns +z toward the camera), the
    /// person filling most of a 200-px-tall image.
    static func view(_ human: Human, _ pose: Human.Pose, yaw: Float) -> (mask: [Bool], width: Int, height: Int) {
        let (width, height) = (120, 200)
        let body = human.mesh(pose).body.placed(at: SIMD3(0, 0, 4), yaw: yaw)
        let camera = Camera(
            position: SIMD3(0, human.height / 2, 0), forward: SIMD3(0, 0, 1), fieldOfView: 2 * atan(human.height * 0.6 / 4) * 180 / .pi,
            width: width, height: height)
        return (mask(of: body, camera: camera, width: width, height: height), width, height)
    }

    @Test("Seen from the front, a standing person's mask has a head on a neck, shoulders, arms apart from the trunk and two legs")
    func frontProfile() {
        for human in [
            Self.person(.male, .adult, height: 1.8), Self.person(.female, .adult, height: 1.62), Self.person(.female, .child, height: 1.15),
        ] {
            let (mask, width, height) = Self.view(human, .standing, yaw: .pi)
            let covered = (0..<height).filter { !runs(mask, width: width, row: $0).isEmpty }
            let top = covered.first!, bottom = covered.last!
            let tall = Float(bottom - top + 1)
            // Widths of the silhouette at a share of its height from the top.
            func span(at share: Float) -> Int {
                let row = runs(mask, width: width, row: top + Int(share * tall))
                return (row.last.map { $0.0 + $0.1 } ?? 0) - (row.first?.0 ?? 0)
            }
            func pieces(at share: Float) -> Int { runs(mask, width: width, row: top + Int(share * tall)).count }
            let head = span(at: human.age == .child ? 0.09 : 0.06), shoulders = span(at: human.age == .child ? 0.27 : 0.2)
            #expect(head > 0 && Float(head) < 0.6 * Float(shoulders), "\(human.age) head \(head) against shoulders \(shoulders)")
            // The narrowest row between the head and the shoulders is the neck.
            let headShare: Float = human.age == .child ? 0.19 : 0.13
            let neck = stride(from: headShare * 0.75, to: headShare * 1.25, by: 0.01).map(span(at:)).min()!
            #expect(neck < head, "\(human.age) neck \(neck), head \(head)")
            // Hands hang beside the hips: arm, trunk, arm.
            #expect(pieces(at: 0.5) >= 3, "\(human.age) at the hips: \(pieces(at: 0.5)) pieces")
            // Two legs below the knees.
            #expect(pieces(at: 0.85) == 2, "\(human.age) at the shins: \(pieces(at: 0.85)) pieces")
            // Proportions: the mask is as tall as the person (within a few pixels of 200 × 1/1.2).
            #expect(abs(tall - 200 / 1.2) < 8, "\(human.age) is \(tall) px tall")
        }
    }

    @Test("A child's head is a larger share of its height than an adult's")
    func childProportions() {
        let child = Self.person(.male, .child, height: 1.1).proportions, adult = Self.person(.male, .adult, height: 1.8).proportions
        #expect(child.headHeight / 1.1 > 1.3 * adult.headHeight / 1.8)
        #expect(child.hipHeight / 1.1 < adult.hipHeight / 1.8)
    }

    @Test("Walking: the stride opens the feet at heel strike and closes them at mid-stance; a sole always on the ground")
    func gait() {
        let human = Self.person(.male, .adult, height: 1.75)
        let leg = human.proportions.thigh + human.proportions.shin
        func feetApart(_ phase: Float) -> Float {
            let k = human.skeleton(.walking(phase: phase))
            return abs(k.ankles.0.z - k.ankles.1.z)
        }
        #expect(feetApart(0) > 0.5 * leg && feetApart(0.5) > 0.5 * leg, "heel strikes: \(feetApart(0)), \(feetApart(0.5))")
        #expect(feetApart(0.3) < 0.3 * leg, "mid-stance: \(feetApart(0.3))")
        for phase in stride(from: Float(0), to: 1, by: 0.1) {
            for pose in [Human.Pose.walking(phase: phase), .running(phase: phase)] {
                let lowest = human.mesh(pose).body.bounds.min.y
                #expect(lowest > -0.01 && lowest < (pose == .walking(phase: phase) ? 0.01 : 0.2), "\(pose.name) \(phase): \(lowest)")
            }
        }
        // Side view at heel strike: two legs apart at the shins.
        let (mask, width, height) = Self.view(human, .walking(phase: 0), yaw: .pi / 2)
        let covered = (0..<height).filter { !runs(mask, width: width, row: $0).isEmpty }
        #expect(runs(mask, width: width, row: covered.last! - Int(0.15 * Float(covered.count))).count == 2)
    }

    @Test("An umbrella is held at the chest, elbow down, its canopy just over the head, in every pose that carries one")
    func umbrella() {
        for human in [
            Self.person(.male, .adult, height: 1.85, carrying: .umbrella), Self.person(.female, .teen, height: 1.6, carrying: .umbrella),
        ] {
            for pose in [Human.Pose.walking(phase: 0.3), .running(phase: 0.7), .standing] {
                let k = human.skeleton(pose)
                let shoulder = k.shoulders.1
                #expect(k.elbows.1.y < shoulder.y - 0.1, "the elbow hangs below the shoulder (\(pose))")
                #expect(k.wrists.1.y < shoulder.y && k.wrists.1.y > k.pelvis.y, "the hand at the chest (\(pose))")
                #expect(k.wrists.1.z > shoulder.z + 0.1, "in front of the body (\(pose))")
                let (body, umbrella) = human.mesh(pose)
                let canopy = umbrella!.bounds, top = body.bounds.max.y
                #expect(canopy.max.y > top && canopy.max.y < top + 0.5, "the canopy just over the head (\(pose))")
            }
        }
    }

    @Test("Sitting: hips over the seat, thighs along it, feet on the ground, hands on the thighs")
    func sitting() {
        for human in [Self.person(.male, .adult, height: 1.85), Self.person(.female, .senior, height: 1.58)] {
            let k = human.skeleton(.sitting(seatHeight: 0.475))
            #expect(abs(k.pelvis.y - 0.475) < 0.15 && abs(k.pelvis.z) < 0.05)
            #expect(k.hips.0.y - k.knees.0.y < 0.15 && k.knees.0.z > 0.3)
            #expect(abs(k.ankles.0.y - human.proportions.ankleHeight) < 0.01)
            #expect(k.wrists.0.y > k.hips.0.y - 0.05 && k.wrists.0.z > 0.1)
            let lowest = human.mesh(.sitting(seatHeight: 0.475)).body.bounds.min.y
            #expect(lowest > -0.03 && lowest < 0.03, "soles at \(lowest)")
        }
    }

    @Test("A rider's hands reach the handlebar and feet the pedals; the bicycle has two wheels in the mask")
    func cyclist() {
        let rider = Self.person(.female, .adult, height: 1.68)
        let bike = Bicycle(rider: rider, crank: 0.7)
        let skeleton = rider.skeleton(.riding(seat: bike.seat, grip: bike.grip, pedals: bike.pedals))
        func distance(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float { ((a - b) * (a - b)).sum().squareRoot() }
        #expect(distance(skeleton.wrists.0, bike.grip) < 0.12)
        #expect(distance(skeleton.ankles.0, bike.pedals.0) < 0.12 && distance(skeleton.ankles.1, bike.pedals.1) < 0.12)
        let (mesh, attributes) = StreetScene.cyclist(rider, crank: 0.7)
        #expect(attributes["pose"] == "riding")
        // From the side, the row through the axles crosses both tyres: four or more pieces
        // (each tyre twice, rims and spokes between).
        let (width, height) = (200, 120)
        let camera = Camera(position: SIMD3(-4, 0.34, 0), forward: SIMD3(1, 0, 0), fieldOfView: 30, width: width, height: height)
        let m = mask(of: mesh, camera: camera, width: width, height: height)
        #expect(runs(m, width: width, row: height / 2).count >= 4)
    }
}

@Suite("Street labels")
struct StreetLabelTests {
    @Test("Every person's and cyclist's pixels lie in its projected box; people carry pose attributes", arguments: 0..<3)
    func boxesContainSilhouettes(seed: Int) {
        let renderer = StreetRenderer(width: 320, height: 240, samplesPerPixel: 1)
        let output = renderer.render(SceneParameters(pedestrians: 10, cyclists: 3), stream: RandomStream(seed: UInt64(seed)))
        var checked = 0
        for (p, id) in output.instances.enumerated() where id > 0 {
            guard let object = output.objects[Int(id)], ["pedestrian", "cyclist"].contains(object.label), let box = object.amodal else {
                continue
            }
            let x = Double(p % output.width) + 0.5, y = Double(p / output.width) + 0.5
            #expect(x >= box.x - 1 && x <= box.maxX + 1 && y >= box.y - 1 && y <= box.maxY + 1, "\(object.label) \(id)")
            checked += 1
        }
        #expect(checked > 50)
        for object in output.objects.values where object.label == "pedestrian" {
            #expect(["walking", "running", "standing", "sitting"].contains(object.attributes["pose"] ?? ""))
            #expect((object.distance ?? 0) > 0)
        }
    }

    @Test("Each reflection instance is one connected region, reflecting a pedestrian, its visibility measured")
    func reflectionsConnected() {
        let renderer = StreetRenderer(width: 320, height: 240, samplesPerPixel: 1)
        var reflections = 0
        var visibilities: [Double] = []
        for seed in 0..<6 {
            let output = renderer.render(SceneParameters(pedestrians: 14, glassFacades: 1), stream: RandomStream(seed: UInt64(seed)))
            let ids = Set(output.instances.filter { output.objects[Int($0)]?.label == "pedestrian_reflection" })
            for id in ids {
                let object = output.objects[Int(id)]!
                #expect(output.objects[object.reflects ?? -1]?.label == "pedestrian")
                #expect(object.visibility > 0 && object.visibility <= 1)
                visibilities.append(object.visibility)
                let pixels = output.instances.indices.filter { output.instances[$0] == id }
                var seen = Set([pixels[0]]), stack = [pixels[0]]
                while let p = stack.popLast() {
                    for dy in -1...1 {
                        for dx in -1...1 {
                            let x = p % output.width + dx, y = p / output.width + dy
                            guard x >= 0, x < output.width, y >= 0, y < output.height else { continue }
                            let q = y * output.width + x
                            if output.instances[q] == id && seen.insert(q).inserted { stack.append(q) }
                        }
                    }
                }
                #expect(seen.count == pixels.count, "reflection \(id): \(seen.count) of \(pixels.count) pixels connected")
                reflections += 1
            }
        }
        #expect(reflections >= 5)
        // Measured, not assumed: panes cut reflections off and things stand in front of them.
        #expect(visibilities.contains { $0 < 0.9 } && visibilities.contains { $0 > 0.5 })
    }

    @Test("The view of a person: front when they face the camera, back when they face away, their left or right side otherwise")
    func views() {
        let camera = Camera(SceneParameters(), width: 64, height: 48)
        let at = SIMD3<Float>(0, 0, 10)
        #expect(StreetRenderer.view(SIMD3(0, 0, -1), from: camera, at: at) == "front")
        #expect(StreetRenderer.view(SIMD3(0, 0, 1), from: camera, at: at) == "back")
        // Walking toward −x (the camera's right in the right-handed world), their right side
        // faces the camera.
        #expect(camera.right.x < 0)
        #expect(StreetRenderer.view(SIMD3(-1, 0, 0), from: camera, at: at) == "right")
        #expect(StreetRenderer.view(SIMD3(1, 0, 0), from: camera, at: at) == "left")
        let output = StreetRenderer(width: 160, height: 120, samplesPerPixel: 1).render(
            SceneParameters(pedestrians: 12), stream: RandomStream(seed: 2))
        let views = Set(output.objects.values.filter { $0.label == "pedestrian" }.compactMap { $0.attributes["view"] })
        #expect(views.isSubset(of: ["front", "back", "left", "right"]) && views.count >= 2)
    }

    @Test("Splitting reflections: two regions of one person's reflection become two instances of that person")
    func splitting() {
        // 6 × 3, ids from 5 up are reflections: person 1 (id 5) in two places, person 2 (id 6) once.
        let map: [UInt16] = [
            5, 5, 0, 0, 5, 6,
            0, 5, 0, 0, 5, 6,
            1, 1, 0, 2, 0, 0,
        ]
        let (out, reflects) = StreetRenderer.separatingReflections(map, width: 6, from: 5)
        #expect(Set(out[0..<2]).count == 1 && out[0] == out[7])
        #expect(out[4] == out[10] && out[4] != out[0] && out[5] != out[4])
        #expect(reflects[Int(out[0])] == 1 && reflects[Int(out[4])] == 1 && reflects[Int(out[5])] == 2)
        #expect(out[12] == 1 && out[15] == 2)
    }
}
