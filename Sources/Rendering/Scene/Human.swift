internal import Glibc
internal import StudioCore

/// A procedural person: body proportions by sex, age, height and build; clothes, hair and
/// accessories; a pose (a phase of the walking or running gait, standing, or riding a bicycle).
/// Built as smooth swept surfaces on a skeleton — torso, neck, head, upper arms, forearms,
/// hands, thighs, shins, feet — in the person's own frame, laid out as the street is (`StreetScene.mirror`):
/// feet on y = 0, facing +z, +x the person's right.
///
/// Proportions follow anthropometric tables (segment lengths as fractions of stature, after
/// Drillis and Contini): chin at 0.87 of the height, shoulders 0.82, hip joints 0.53, knees
/// 0.285, ankles 0.04; a child's head is a larger share of its height (about a fifth at six).
struct Human: Sendable {
    enum Sex: String, Sendable { case female, male }
    enum Age: String, Sendable, CaseIterable { case child, teen, adult, senior }
    enum Top: String, Sendable { case tshirt, sweater, jacket, coat, dress }
    enum Bottom: String, Sendable { case trousers, shorts, skirt }
    enum Hair: String, Sendable { case short, long, bald, hat }
    enum Carrying: String, Sendable { case nothing, backpack, bag, umbrella }
    enum Pose: Sendable, Hashable {
        /// `phase` 0…1 of the gait cycle, 0 at the right heel's strike.
        case walking(phase: Float)
        case running(phase: Float)
        case standing
        /// On a bicycle: hands at `grip` (either side: ±x), hips on the saddle at `seat`, feet
        /// on the pedals (right at +x, left at −x); all in the person's frame.
        case riding(seat: SIMD3<Float>, grip: SIMD3<Float>, pedals: (SIMD3<Float>, SIMD3<Float>))
        /// On a seat `seatHeight` metres up at the origin (its back toward −z), hands on the
        /// thighs, feet on the ground.
        case sitting(seatHeight: Float)

        var name: String {
            switch self {
            case .walking: "walking"
            case .running: "running"
            case .standing: "standing"
            case .riding: "riding"
            case .sitting: "sitting"
            }
        }

        static func == (a: Pose, b: Pose) -> Bool {
            switch (a, b) {
            case (.walking(let p), .walking(let q)), (.running(let p), .running(let q)): p == q
            case (.standing, .standing): true
            case (.riding(let s, let g, let p), .riding(let t, let h, let q)): s == t && g == h && p.0 == q.0 && p.1 == q.1
            case (.sitting(let a), .sitting(let b)): a == b
            default: false
            }
        }

        func hash(into hasher: inout Hasher) { hasher.combine(name) }
    }

    /// Material parts of the mesh, in the order of `materials`.
    enum Part: UInt8 { case skin = 0, top, bottom, hair, shoes, accessory }

    var sex: Sex
    var age: Age
    /// Metres.
    var height: Float
    /// Width and girth against the average, 0.85…1.3.
    var build: Float
    var top: Top
    var bottom: Bottom
    var hair: Hair
    var carrying: Carrying
    /// Linear albedos of skin, top, bottom, hair, shoes, bag.
    var skin: SIMD3<Float>, topColor: SIMD3<Float>, bottomColor: SIMD3<Float>, hairColor: SIMD3<Float>, shoeColor: SIMD3<Float>,
        bagColor: SIMD3<Float>

    /// What the top and the bottom are made of (fabric patterns), the hat knitted; `fabricSeed`
    /// draws each pattern's scale and second colour.
    var topFabric: Pattern = .cloth, bottomFabric: Pattern = .cloth
    var fabricSeed: UInt32 = 0

    /// The materials of `Part`'s cases, in order. Fabrics face +z until the street turns them
    /// with the wearer (`Material.worn(facing:)`).
    var materials: [Material] {
        let seed = fabricSeed & 0xFF_FFFF
        return [
            .diffuse(skin), .textured(topColor, topFabric, variant: seed), .textured(bottomColor, bottomFabric, variant: seed ^ 0x5A_5A5A),
            hair == .hat ? .textured(hairColor, .knit, variant: seed ^ 0x33_3333) : .diffuse(hairColor), .diffuse(shoeColor),
            .textured(bagColor, .cloth, variant: seed ^ 0x0F_0F0F),
        ]
    }

    /// One of `choices` drawn in proportion to its weight.
    static func weighted<T>(_ choices: [(T, Double)], _ random: inout RandomStream) -> T {
        var x = random.nextUnit() * choices.reduce(0) { $0 + $1.1 }
        for (choice, weight) in choices {
            x -= weight
            if x < 0 { return choice }
        }
        return choices[choices.count - 1].0
    }

    /// Fabrics as people wear them in streets (shares are rough estimates): mostly plain cloth,
    /// jeans for most blue trousers, knit sweaters, some stripes, checks and prints.
    static func fabrics(top: Top, bottom: Bottom, bottomColor: SIMD3<Float>, _ random: inout RandomStream) -> (Pattern, Pattern) {
        func pick(_ shares: [(Pattern, Double)]) -> Pattern { weighted(shares, &random) }
        let topFabric: Pattern
        switch top {
        case .tshirt: topFabric = pick([(.cloth, 0.62), (.stripes, 0.2), (.dots, 0.08), (.check, 0.05), (.knit, 0.05)])
        case .sweater: topFabric = pick([(.knit, 0.65), (.stripes, 0.2), (.cloth, 0.15)])
        case .jacket: topFabric = pick([(.cloth, 0.7), (.denim, 0.15), (.check, 0.15)])
        case .coat: topFabric = pick([(.cloth, 0.85), (.check, 0.15)])
        case .dress: topFabric = pick([(.cloth, 0.5), (.dots, 0.25), (.stripes, 0.15), (.check, 0.1)])
        }
        // Blue trousers are mostly jeans.
        let blue = bottomColor.z > bottomColor.x * 1.8 && bottomColor.z > 0.06
        let bottomFabric: Pattern
        switch bottom {
        case .trousers:
            bottomFabric = blue ? pick([(.denim, 0.8), (.cloth, 0.2)]) : pick([(.cloth, 0.92), (.check, 0.04), (.denim, 0.04)])
        case .shorts: bottomFabric = pick([(.denim, blue ? 0.6 : 0.2), (.cloth, 0.8)])
        case .skirt:
            bottomFabric = top == .dress ? topFabric : pick([(.cloth, 0.6), (.check, 0.2), (.dots, 0.1), (.stripes, 0.1)])
        }
        return (topFabric, bottomFabric)
    }

    /// Annotation attributes: who this is and how they stand.
    func attributes(_ pose: Pose) -> [String: String] {
        var a = ["pose": pose.name, "sex": sex.rawValue, "age": age.rawValue, "height_m": String(Float(Int(height * 100)) / 100)]
        switch pose {
        case .walking(let phase), .running(let phase): a["gait_phase"] = String(Float(Int(phase * 100)) / 100)
        default: break
        }
        if carrying != .nothing { a["carrying"] = carrying.rawValue }
        return a
    }

    // MARK: - Drawing a person

    /// A person drawn from realistic shares: about one in eight a child, sexes even, heights
    /// from national stature tables, clothes from a street palette (mostly dark and neutral).
    /// `rain` and `snow` change what they wear and carry.
    static func random(_ random: inout RandomStream, rain: Bool, snow: Bool) -> Human {
        let sex: Sex = random.nextUnit() < 0.5 ? .female : .male
        let u = random.nextUnit()
        let age: Age = u < 0.12 ? .child : (u < 0.2 ? .teen : (u < 0.85 ? .adult : .senior))
        let gauss = random.nextNormal()
        var height: Float
        switch age {
        case .child: height = 1.0 + 0.4 * Float(random.nextUnit())
        case .teen: height = (sex == .male ? 1.66 : 1.6) + 0.07 * Float(gauss)
        case .adult: height = (sex == .male ? 1.76 : 1.63) + (sex == .male ? 0.07 : 0.065) * Float(gauss)
        case .senior: height = (sex == .male ? 1.72 : 1.59) + 0.06 * Float(gauss)
        }
        height = min(2.05, max(0.95, height))
        let build = min(1.3, max(0.85, 1 + 0.1 * Float(random.nextNormal())))
        let cold = snow || random.nextUnit() < 0.25
        var top: Top
        let t = random.nextUnit()
        if cold {
            top = t < 0.6 ? .coat : .jacket
        } else if sex == .female && t < 0.12 {
            top = .dress
        } else {
            top = t < 0.45 ? .tshirt : (t < 0.75 ? .sweater : .jacket)
        }
        var bottom: Bottom
        let b = random.nextUnit()
        if top == .dress {
            bottom = .skirt
        } else if sex == .female && b < 0.22 {
            bottom = .skirt
        } else {
            bottom = !cold && b > 0.85 ? .shorts : .trousers
        }
        let h = random.nextUnit()
        var hair: Hair
        if snow && h < 0.35 {
            hair = .hat
        } else if sex == .female {
            hair = h < 0.6 ? .long : .short
        } else {
            hair = h < 0.12 && age != .child ? .bald : (h > 0.94 ? .long : .short)
        }
        let c = random.nextUnit()
        let carrying: Carrying =
            rain && c < 0.55 ? .umbrella : (c < 0.72 && c >= 0.55 ? .backpack : (c > 0.9 && age != .child ? .bag : .nothing))
        func pick(_ palette: [(SIMD3<Float>, Double)]) -> SIMD3<Float> { weighted(palette, &random) }
        // A little variation of each drawn colour, so no two coats are identical.
        func varied(_ c: SIMD3<Float>) -> SIMD3<Float> {
            let k = 0.85 + 0.3 * Float(random.nextUnit())
            return pointwiseMin(SIMD3(repeating: 0.9), c * k)
        }
        let skin = varied(pick(Self.skinTones))
        var hairColor = pick(Self.hairColors)
        if age == .senior && random.nextUnit() < 0.7 { hairColor = SIMD3(0.42, 0.41, 0.4) }
        if hair == .hat { hairColor = pick(Self.clothing) }
        if hair == .bald { hairColor = skin }
        var human = Human(
            sex: sex, age: age, height: height, build: build, top: top, bottom: bottom, hair: hair, carrying: carrying, skin: skin,
            topColor: varied(pick(Self.clothing)), bottomColor: varied(pick(bottom == .trousers ? Self.trousers : Self.clothing)),
            hairColor: hairColor, shoeColor: varied(pick(Self.shoes)), bagColor: varied(pick(Self.clothing)))
        // Fabrics come from a stream of their own, so the street drawn after this person is the
        // one it was before people wore them.
        var fabric = random.derived(0xFAB)
        (human.topFabric, human.bottomFabric) = Self.fabrics(top: top, bottom: bottom, bottomColor: human.bottomColor, &fabric)
        human.fabricSeed = UInt32(truncatingIfNeeded: fabric.next())
        return human
    }

    /// Linear albedos of human skin from light to very dark (measured skin reflectance spans
    /// roughly 0.6 to 0.1 in red).
    static let skinTones: [(SIMD3<Float>, Double)] = [
        (SIMD3(0.62, 0.43, 0.34), 3), (SIMD3(0.52, 0.35, 0.26), 3), (SIMD3(0.42, 0.27, 0.18), 2), (SIMD3(0.3, 0.18, 0.11), 1.5),
        (SIMD3(0.18, 0.1, 0.06), 1.5), (SIMD3(0.1, 0.055, 0.035), 1),
    ]
    static let hairColors: [(SIMD3<Float>, Double)] = [
        (SIMD3(0.015, 0.012, 0.01), 4), (SIMD3(0.05, 0.03, 0.018), 3), (SIMD3(0.13, 0.075, 0.04), 2), (SIMD3(0.42, 0.3, 0.15), 1),
        (SIMD3(0.3, 0.1, 0.04), 0.4),
    ]
    /// What people wear in streets: mostly black, navy, greys, denim, beige and browns, some
    /// white, a few bright colours.
    static let clothing: [(SIMD3<Float>, Double)] = [
        (SIMD3(0.02, 0.02, 0.022), 5), (SIMD3(0.02, 0.03, 0.08), 3), (SIMD3(0.12, 0.12, 0.12), 2.5), (SIMD3(0.35, 0.35, 0.34), 2),
        (SIMD3(0.75, 0.74, 0.7), 2), (SIMD3(0.45, 0.36, 0.24), 1.5), (SIMD3(0.12, 0.07, 0.04), 1.5), (SIMD3(0.1, 0.13, 0.06), 1),
        (SIMD3(0.3, 0.03, 0.04), 1), (SIMD3(0.55, 0.06, 0.05), 0.8), (SIMD3(0.05, 0.18, 0.4), 0.8), (SIMD3(0.65, 0.45, 0.05), 0.5),
        (SIMD3(0.08, 0.3, 0.12), 0.5), (SIMD3(0.6, 0.25, 0.35), 0.4),
    ]
    static let trousers: [(SIMD3<Float>, Double)] = [
        (SIMD3(0.03, 0.05, 0.12), 4), (SIMD3(0.08, 0.14, 0.28), 3), (SIMD3(0.02, 0.02, 0.022), 4), (SIMD3(0.12, 0.12, 0.12), 2),
        (SIMD3(0.4, 0.33, 0.22), 1.5), (SIMD3(0.14, 0.12, 0.07), 1),
    ]
    static let shoes: [(SIMD3<Float>, Double)] = [
        (SIMD3(0.02, 0.02, 0.02), 5), (SIMD3(0.7, 0.7, 0.68), 2), (SIMD3(0.12, 0.06, 0.03), 2), (SIMD3(0.25, 0.25, 0.26), 1),
    ]

    // MARK: - The skeleton

    /// Joint positions in the person's frame.
    struct Skeleton {
        var pelvis: SIMD3<Float>
        /// Where the neck meets the trunk; the trunk runs from `pelvis` to here.
        var neck: SIMD3<Float>
        var head: SIMD3<Float>
        var shoulders: (SIMD3<Float>, SIMD3<Float>)
        var elbows: (SIMD3<Float>, SIMD3<Float>)
        var wrists: (SIMD3<Float>, SIMD3<Float>)
        var hips: (SIMD3<Float>, SIMD3<Float>)
        var knees: (SIMD3<Float>, SIMD3<Float>)
        var ankles: (SIMD3<Float>, SIMD3<Float>)
        /// Each foot's direction, heel to toe.
        var feet: (SIMD3<Float>, SIMD3<Float>)
    }

    /// Lengths and girths, metres.
    struct Proportions {
        let headHeight: Float, headWidth: Float, headDepth: Float
        let chin: Float, shoulderHeight: Float, hipHeight: Float, ankleHeight: Float
        let shoulderHalf: Float, hipHalf: Float, hipJoint: Float
        let upperArm: Float, forearm: Float, hand: Float
        let thigh: Float, shin: Float, foot: Float
        let armRadius: Float, thighRadius: Float, neckRadius: Float
        let chestDepth: Float
    }

    var proportions: Proportions {
        let h = height
        // The head's share of the height: a fifth at six years, an eighth in adults.
        let headShare: Float =
            switch age {
            case .child: 0.2 - 0.06 * (height - 1.0) / 0.4
            case .teen: 0.14
            case .adult, .senior: 0.13
            }
        let below = (1 - headShare) / 0.87
        let male = sex == .male
        let b = build
        let slim: Float = age == .child ? 0.92 : 1
        return Proportions(
            headHeight: headShare * h, headWidth: min(0.16, 0.6 * headShare * h), headDepth: min(0.2, 0.74 * headShare * h),
            chin: 0.87 * below * h, shoulderHeight: 0.818 * below * h, hipHeight: 0.53 * below * h, ankleHeight: 0.039 * below * h,
            shoulderHalf: (male ? 0.129 : 0.118) * h * slim * (0.9 + 0.1 * b), hipHalf: (male ? 0.095 : 0.107) * h * slim * b,
            hipJoint: (male ? 0.05 : 0.056) * h * slim, upperArm: 0.186 * below * h, forearm: 0.146 * below * h, hand: 0.108 * below * h,
            thigh: 0.245 * below * h, shin: 0.246 * below * h, foot: 0.152 * h * (age == .child ? 1.05 : 1),
            armRadius: (male ? 0.027 : 0.024) * h * slim * b.squareRoot(), thighRadius: (male ? 0.048 : 0.052) * h * slim * b,
            neckRadius: (male ? 0.031 : 0.027) * h * slim, chestDepth: (male ? 0.068 : 0.064) * h * slim * b)
    }

    /// The joints for `pose`.
    func skeleton(_ pose: Pose) -> Skeleton {
        let p = proportions
        let degrees: Float = .pi / 180
        // Sagittal angles: hip and shoulder flexion forward, knee flexion back, elbow forward.
        var hipFlex: (Float, Float) = (0, 0), kneeFlex: (Float, Float) = (4, 4)
        var shoulderFlex: (Float, Float) = (0, 0), elbowFlex: (Float, Float) = (10, 10)
        var lean: Float = age == .senior ? 6 : 2
        var legSpread: Float = 2
        func bump(_ x: Float, _ centre: Float, _ width: Float) -> Float {
            var d = abs(x - centre)
            d = min(d, 1 - d)
            return expf(-d * d / (2 * width * width))
        }
        switch pose {
        case .walking(let phase), .running(let phase):
            let running = if case .running = pose { true } else { false }
            for side in 0..<2 {
                // The left leg is half a cycle behind the right.
                let x = (phase + (side == 0 ? 0.5 : 0)).truncatingRemainder(dividingBy: 1)
                let hip = running ? 12 + 38 * cosf(2 * .pi * x) : 10 + 21 * cosf(2 * .pi * x)
                let knee =
                    running
                    ? 18 + 25 * bump(x, 0.18, 0.07) + 95 * bump(x, 0.72, 0.14) : 5 + 13 * bump(x, 0.13, 0.06) + 57 * bump(x, 0.72, 0.1)
                if side == 0 { (hipFlex.0, kneeFlex.0) = (hip, knee) } else { (hipFlex.1, kneeFlex.1) = (hip, knee) }
            }
            // Each arm swings against its own leg.
            let swing: Float = running ? 1.1 : (age == .senior ? 0.45 : 0.65)
            let rest: Float = running ? 12 : 10
            shoulderFlex = (swing * (hipFlex.1 - rest), swing * (hipFlex.0 - rest))
            elbowFlex = running ? (85, 85) : (14 + max(0, shoulderFlex.0) * 0.8, 14 + max(0, shoulderFlex.1) * 0.8)
            lean += running ? 9 : 2
        case .standing:
            hipFlex = (2, -1)
            kneeFlex = (3, 6)
            shoulderFlex = (3, -2)
            elbowFlex = (12, 18)
            legSpread = 5
        case .riding, .sitting:
            break
        }
        // Arms clear of the hips: abducted enough that a hanging wrist passes outside them.
        let shoulderX = p.shoulderHalf - p.armRadius * 0.8
        let reach = p.upperArm + p.forearm
        let clearance = p.hipHalf + p.armRadius * 0.9 + 0.012 * height - shoulderX
        let abduction = max(3 * degrees, asinf(min(0.5, max(0, clearance) / reach)) + 2 * degrees)
        func limb(_ flex: Float, _ outward: Float, _ side: Float) -> SIMD3<Float> {
            let f = flex * degrees
            return normalized(SIMD3(side * sinf(outward), -cosf(f) * cosf(outward), sinf(f) * cosf(outward)))
        }
        let leanAngle = lean * degrees
        let up = SIMD3<Float>(0, cosf(leanAngle), sinf(leanAngle))
        var skeleton = Skeleton(
            pelvis: .zero, neck: .zero, head: .zero, shoulders: (.zero, .zero), elbows: (.zero, .zero), wrists: (.zero, .zero),
            hips: (.zero, .zero), knees: (.zero, .zero), ankles: (.zero, .zero), feet: (SIMD3(0, 0, 1), SIMD3(0, 0, 1)))
        // The trunk from the hip joints up, leaning forward by `lean`.
        let trunk = p.shoulderHeight - p.hipHeight
        func placeTrunk(_ pelvis: SIMD3<Float>, up: SIMD3<Float> = up) {
            skeleton.pelvis = pelvis
            skeleton.neck = pelvis + up * (trunk + 0.02 * height)
            let shoulderCentre = pelvis + up * trunk
            skeleton.shoulders = (shoulderCentre + SIMD3(shoulderX, 0, 0), shoulderCentre + SIMD3(-shoulderX, 0, 0))
            skeleton.head = pelvis + up * (p.chin - p.hipHeight + p.headHeight * 0.5) + SIMD3(0, 0, 0.08 * p.headDepth)
            skeleton.hips = (pelvis + SIMD3(p.hipJoint, 0, 0), pelvis + SIMD3(-p.hipJoint, 0, 0))
        }
        if case .riding(let seat, let grip, let pedals) = pose {
            let pelvis = seat + SIMD3(0, 0.03 * height, 0)
            // Lean forward until the grips are at nine tenths of the arms' reach: elbows a
            // little bent.
            let arm = p.upperArm + p.forearm + 0.4 * p.hand
            var riderUp = SIMD3<Float>(0, 1, 0)
            var best = Float.infinity
            for step in 0...60 {
                let angle = Float(step) / 60 * 1.3
                let up = SIMD3<Float>(0, cosf(angle), sinf(angle))
                let shoulder = pelvis + up * trunk + SIMD3(shoulderX, 0, 0)
                let d = shoulder - SIMD3(abs(grip.x), grip.y, grip.z)
                let miss = abs((d * d).sum().squareRoot() - 0.9 * arm)
                if miss < best { (best, riderUp) = (miss, up) }
            }
            placeTrunk(pelvis, up: riderUp)
            // Head up, looking ahead.
            skeleton.head = skeleton.neck + SIMD3(0, p.chin - p.shoulderHeight - 0.02 * height + p.headHeight * 0.5, 0.25 * p.headDepth)
            let grips = (SIMD3(abs(grip.x), grip.y, grip.z), SIMD3(-abs(grip.x), grip.y, grip.z))
            let e0 = Self.bend(skeleton.shoulders.0, grips.0, p.upperArm, p.forearm + p.hand * 0.4, toward: SIMD3(0.4, -0.3, -1))
            let e1 = Self.bend(skeleton.shoulders.1, grips.1, p.upperArm, p.forearm + p.hand * 0.4, toward: SIMD3(-0.4, -0.3, -1))
            skeleton.elbows = (e0, e1)
            skeleton.wrists = (
                e0 + normalized(grips.0 - e0) * p.forearm, e1 + normalized(grips.1 - e1) * p.forearm
            )
            let feet = (pedals.0 + SIMD3(0, p.ankleHeight, -0.25 * p.foot), pedals.1 + SIMD3(0, p.ankleHeight, -0.25 * p.foot))
            let k0 = Self.bend(skeleton.hips.0, feet.0, p.thigh, p.shin, toward: SIMD3(0.1, 0.3, 1))
            let k1 = Self.bend(skeleton.hips.1, feet.1, p.thigh, p.shin, toward: SIMD3(-0.1, 0.3, 1))
            skeleton.knees = (k0, k1)
            skeleton.ankles = (k0 + normalized(feet.0 - k0) * p.shin, k1 + normalized(feet.1 - k1) * p.shin)
            skeleton.feet = (SIMD3(0, -0.15, 1), SIMD3(0, -0.15, 1))
            return skeleton
        }
        if case .sitting(let seatHeight) = pose {
            // Upright, leaning back a little; thighs along the seat, shins down to the ground
            // (a child's feet may hang).
            let back = -5 * degrees
            let seated = SIMD3<Float>(0, cosf(back), sinf(back))
            placeTrunk(SIMD3(0, seatHeight + 0.05 * height, 0.02), up: seated)
            var knees: [SIMD3<Float>] = [], ankles: [SIMD3<Float>] = [], wrists: [SIMD3<Float>] = [], elbows: [SIMD3<Float>] = []
            for (hip, s) in [(skeleton.hips.0, Float(1)), (skeleton.hips.1, -1)] {
                // The thigh slopes down as far as the feet need to reach the ground.
                let dy = min(0.6 * p.thigh, max(0.02 * height, hip.y - p.ankleHeight - 0.97 * p.shin))
                let knee = hip + SIMD3(s * 0.02 * height, -dy, (p.thigh * p.thigh - dy * dy).squareRoot())
                let drop = knee.y - p.ankleHeight
                let ankle =
                    drop < p.shin
                    ? SIMD3(knee.x, p.ankleHeight, knee.z + (p.shin * p.shin - drop * drop).squareRoot()) : knee - SIMD3(0, p.shin, 0)
                knees.append(knee)
                ankles.append(ankle)
                let shoulder = s > 0 ? skeleton.shoulders.0 : skeleton.shoulders.1
                let rest = hip + (knee - hip) * 0.6 + SIMD3(s * 0.01, p.thighRadius + 0.02, 0)
                let elbow = Self.bend(shoulder, rest, p.upperArm, p.forearm + 0.3 * p.hand, toward: SIMD3(s * 0.5, 0, -1))
                elbows.append(elbow)
                wrists.append(elbow + normalized(rest - elbow) * p.forearm)
            }
            skeleton.knees = (knees[0], knees[1])
            skeleton.ankles = (ankles[0], ankles[1])
            skeleton.elbows = (elbows[0], elbows[1])
            skeleton.wrists = (wrists[0], wrists[1])
            return skeleton
        }
        // Legs from a pelvis at the origin, then lifted so the lowest sole touches the ground.
        placeTrunk(.zero)
        let spread = legSpread * degrees
        var lowest: Float = 0
        var legs: [(knee: SIMD3<Float>, ankle: SIMD3<Float>, foot: SIMD3<Float>)] = []
        for side in 0..<2 {
            let s: Float = side == 0 ? 1 : -1
            let hip = side == 0 ? skeleton.hips.0 : skeleton.hips.1
            let flex = side == 0 ? hipFlex.0 : hipFlex.1, kneeAngle = side == 0 ? kneeFlex.0 : kneeFlex.1
            let knee = hip + limb(flex, spread, s) * p.thigh
            let shinAngle = flex - kneeAngle
            let ankle = knee + limb(shinAngle, spread * 0.5, s) * p.shin
            // The foot turns with the shin, half as much: flat in stance, toes down at push-off.
            let pitch = 0.5 * shinAngle * degrees
            let foot = normalized(SIMD3(s * 0.12, sinf(pitch), cosf(pitch)))
            let heel = ankle - foot * (0.22 * p.foot) - SIMD3(0, p.ankleHeight, 0)
            let toe = ankle + foot * (0.78 * p.foot) - SIMD3(0, p.ankleHeight * 0.9, 0)
            lowest = min(lowest, min(heel.y, toe.y))
            legs.append((knee, ankle, foot))
        }
        let lift = SIMD3<Float>(0, -lowest, 0)
        placeTrunk(lift)
        skeleton.knees = (legs[0].knee + lift, legs[1].knee + lift)
        skeleton.ankles = (legs[0].ankle + lift, legs[1].ankle + lift)
        skeleton.feet = (legs[0].foot, legs[1].foot)
        for side in 0..<2 {
            let s: Float = side == 0 ? 1 : -1
            let shoulder = side == 0 ? skeleton.shoulders.0 : skeleton.shoulders.1
            let flex = side == 0 ? shoulderFlex.0 : shoulderFlex.1, elbowAngle = side == 0 ? elbowFlex.0 : elbowFlex.1
            let elbow = shoulder + limb(flex - leanAngle / degrees * 0.5, abduction, s) * p.upperArm
            let wrist = elbow + limb(flex + elbowAngle, abduction * 0.6, s) * p.forearm
            if side == 1 && carrying == .umbrella {
                // The left hand holds the umbrella's shaft in front of the chest, the elbow bent
                // down by the side (the shoulders are already where the lift put them).
                let chest = (skeleton.shoulders.0 + skeleton.shoulders.1) / 2
                let held = SIMD3<Float>(-0.35 * shoulderX, chest.y - 0.14 * height, chest.z + 0.16 * height)
                let e = Self.bend(shoulder, held, p.upperArm, p.forearm, toward: SIMD3(-0.6, -1, -0.2))
                skeleton.elbows.1 = e
                skeleton.wrists.1 = e + normalized(held - e) * p.forearm
                continue
            }
            if side == 0 {
                (skeleton.elbows.0, skeleton.wrists.0) = (elbow, wrist)
            } else {
                (skeleton.elbows.1, skeleton.wrists.1) = (elbow, wrist)
            }
        }
        return skeleton
    }

    /// The middle joint of a two-bone chain from `root` reaching `target` (bones `a` then `b`),
    /// bent toward `toward`; a target out of reach straightens the chain toward it.
    static func bend(_ root: SIMD3<Float>, _ target: SIMD3<Float>, _ a: Float, _ b: Float, toward: SIMD3<Float>) -> SIMD3<Float> {
        let d = target - root
        let length = min((d * d).sum().squareRoot(), (a + b) * 0.999)
        let axis = normalized(d, or: SIMD3(0, -1, 0))
        // Distance along the axis to the joint's foot, and the joint's height off the axis.
        let along = (a * a - b * b + length * length) / (2 * length)
        let off = max(0, a * a - along * along).squareRoot()
        var side = toward - (toward * axis).sum() * axis
        side = normalized(side, or: SIMD3(0, 0, 1))
        return root + axis * along + side * off
    }

    // MARK: - The body

    /// The person's mesh in `pose`, parts marked with `Part`; smooth surfaces throughout. The
    /// umbrella, when carried, is returned apart (it is not part of the person's box).
    func mesh(_ pose: Pose) -> (body: Mesh, umbrella: Mesh?) {
        let p = proportions
        let k = skeleton(pose)
        var body = Mesh()
        let h = height
        let side = SIMD3<Float>(1, 0, 0)
        let coat = top == .coat || top == .jacket
        let loose: Float = coat ? 0.012 * h : (top == .sweater ? 0.006 * h : 0.003 * h)
        let trouserLoose: Float = bottom == .trousers ? 0.008 * h : 0
        // Trunk: elliptical rings from below the hip joints to the neck, widths by sex and build.
        let trunkAxis = normalized(k.neck - k.pelvis)
        let trunkLength = ((k.neck - k.pelvis) * (k.neck - k.pelvis)).sum().squareRoot()
        let female = sex == .female
        let waist: Float = female ? 0.78 : 0.9
        // (height along the trunk as a share of pelvis→neck, half-width, half-depth as shares).
        let rings: [(Float, Float, Float)] = [
            (-0.17, 0.7 * p.hipHalf, 0.75), (-0.08, 0.98 * p.hipHalf, 0.95), (0.02, p.hipHalf, 1.0),
            (0.2, waist * p.hipHalf * (female ? 1 : 1.02), 0.88), (0.42, (female ? 0.86 : 0.92) * p.shoulderHalf, 0.98),
            (0.62, (female ? 0.9 : 0.95) * p.shoulderHalf, female ? 1.08 : 1.02), (0.82, 0.97 * p.shoulderHalf, 0.9),
            (0.93, 0.82 * p.shoulderHalf, 0.72), (1.0, 0.42 * p.shoulderHalf, 0.55),
        ]
        var path: [SIMD3<Float>] = [], radii: [SIMD2<Float>] = []
        for (t, halfWidth, depth) in rings {
            // The back is flatter, the chest forward: centres move forward with the chest.
            path.append(k.pelvis + trunkAxis * (t * trunkLength) + SIMD3(0, 0, 0.12 * p.chestDepth * sinf(.pi * max(0, t))))
            radii.append(SIMD2(halfWidth + loose, depth * p.chestDepth + loose))
        }
        let trunk = Mesh.tube(path, radii: radii, side: side, segments: 16)
        // Above the waist it wears the top; below, the bottom (or the dress).
        var trunkParts = [UInt8](repeating: Part.top.rawValue, count: trunk.triangles.count)
        let waistHeight = (k.pelvis + trunkAxis * (0.12 * trunkLength)).y
        for (i, t) in trunk.triangles.enumerated() {
            let y = (trunk.vertices[Int(t.x)].y + trunk.vertices[Int(t.y)].y + trunk.vertices[Int(t.z)].y) / 3
            if y < waistHeight && top != .dress && !coat { trunkParts[i] = Part.bottom.rawValue }
        }
        var dressed = trunk
        dressed.parts = trunkParts
        body.append(dressed)
        // Neck and head.
        body.append(
            .limb(
                k.neck - trunkAxis * 0.02 * h, k.head - SIMD3(0, 0.3 * p.headHeight, 0.05 * p.headDepth), p.neckRadius, p.neckRadius * 0.95,
                side: side, segments: 10), part: Part.skin.rawValue)
        let headRadii = SIMD3<Float>(p.headWidth / 2, p.headHeight / 2, p.headDepth / 2)
        body.append(.ellipsoid(center: k.head, radii: headRadii, rings: 8, segments: 14), part: Part.skin.rawValue)
        switch hair {
        case .bald:
            break
        case .short, .long, .hat:
            // θ from +x round to +z: the hairline is low at the back, high at the front.
            let cap = Mesh.ellipsoid(
                center: k.head + SIMD3(0, 0.04 * p.headHeight, -0.03 * p.headDepth), radii: headRadii * (hair == .hat ? 1.1 : 1.06),
                rings: 6, segments: 14, bottom: { theta in (hair == .long ? 0.58 : 0.52) * .pi - 0.14 * .pi * sinf(theta) })
            body.append(cap, part: Part.hair.rawValue)
            if hair == .long {
                let top = k.head + SIMD3(0, -0.05 * p.headHeight, -0.32 * p.headDepth)
                let bottom = top + SIMD3(0, -0.9 * p.headHeight, -0.12 * p.headDepth)
                body.append(
                    .tube(
                        [top, (top + bottom) / 2, bottom],
                        radii: [
                            SIMD2(0.42 * p.headWidth, 0.2 * p.headDepth), SIMD2(0.38 * p.headWidth, 0.12 * p.headDepth),
                            SIMD2(0.3 * p.headWidth, 0.06 * p.headDepth),
                        ], side: side, segments: 10),
                    part: Part.hair.rawValue)
            }
        }
        // Arms: sleeves by the top.
        let sleeve: Float =
            switch top {
            case .tshirt, .dress: 0.45
            case .sweater, .jacket, .coat: 1.0
            }
        for (shoulder, elbow, wrist) in [(k.shoulders.0, k.elbows.0, k.wrists.0), (k.shoulders.1, k.elbows.1, k.wrists.1)] {
            let r = p.armRadius
            let upper = Mesh.limb(shoulder, elbow, r + loose, 0.78 * r + loose * 0.8, side: side)
            if sleeve < 1 {
                let cut = shoulder + (elbow - shoulder) * sleeve
                body.append(.limb(shoulder, cut, r + loose + 0.004 * h, 0.9 * r + 0.004 * h, side: side), part: Part.top.rawValue)
                body.append(.limb(cut, elbow, 0.9 * r, 0.78 * r, side: side), part: Part.skin.rawValue)
                body.append(.limb(elbow, wrist, 0.74 * r, 0.56 * r, side: side), part: Part.skin.rawValue)
            } else {
                body.append(upper, part: Part.top.rawValue)
                body.append(.limb(elbow, wrist, 0.76 * r + loose * 0.8, 0.6 * r + loose * 0.6, side: side), part: Part.top.rawValue)
            }
            // The hand: flat, thumb forward, along the forearm.
            let along = normalized(wrist - elbow)
            let centre = wrist + along * (0.45 * p.hand)
            let flat = normalized(cross(along, SIMD3(0, 0, 1)), or: SIMD3(1, 0, 0))
            let palm = cross(flat, along)
            body.append(
                .ellipsoid(
                    center: centre, radii: SIMD3(0.13 * p.hand, 0.55 * p.hand, 0.26 * p.hand), axes: (flat, along, palm), rings: 5,
                    segments: 8),
                part: Part.skin.rawValue)
        }
        // Legs: trousers to the ankle, shorts to above the knee, skin under a skirt.
        for (hip, knee, ankle, foot) in [(k.hips.0, k.knees.0, k.ankles.0, k.feet.0), (k.hips.1, k.knees.1, k.ankles.1, k.feet.1)] {
            let r = p.thighRadius
            let calf = knee + (ankle - knee) * 0.3
            let thighPart: Part = bottom == .skirt ? .skin : .bottom
            let shinPart: Part = bottom == .trousers ? .bottom : .skin
            body.append(
                .tube(
                    [hip + SIMD3(0, 0.02 * h, 0), (hip + knee) / 2, knee],
                    radii: [
                        SIMD2(repeating: r + trouserLoose), SIMD2(repeating: 0.82 * r + trouserLoose),
                        SIMD2(repeating: 0.6 * r + trouserLoose),
                    ], side: side, segments: 12),
                part: thighPart.rawValue)
            body.append(
                .tube(
                    [knee, calf, ankle],
                    radii: [
                        SIMD2(repeating: 0.58 * r + trouserLoose), SIMD2(repeating: 0.66 * r + trouserLoose),
                        SIMD2(repeating: 0.4 * r + trouserLoose * 0.8),
                    ], side: side, segments: 12),
                part: shinPart.rawValue)
            // The shoe: heel to toe, flat sole.
            let heel = ankle - foot * (0.2 * p.foot) - SIMD3(0, 0.55 * p.ankleHeight, 0)
            let toe = ankle + foot * (0.72 * p.foot) - SIMD3(0, 0.55 * p.ankleHeight, 0)
            body.append(
                .tube(
                    [heel, ankle + foot * (0.25 * p.foot) - SIMD3(0, 0.45 * p.ankleHeight, 0), toe],
                    radii: [
                        SIMD2(0.032 * h * 0.9, 0.5 * p.ankleHeight + 0.01), SIMD2(0.036 * h, 0.6 * p.ankleHeight + 0.01),
                        SIMD2(0.03 * h, 0.35 * p.ankleHeight + 0.008),
                    ], side: side, segments: 10),
                part: Part.shoes.rawValue)
        }
        // Skirt, dress or coat below the waist: a flared tube to the knee (or below), wide
        // enough for the legs' stride.
        if case .sitting = pose, bottom == .skirt || top == .coat || top == .dress {
            // Seated, the skirt lies on the thighs to the knees.
            let start = k.pelvis + trunkAxis * (0.1 * trunkLength) - SIMD3(0, 0, 0.3 * p.chestDepth)
            let end = (k.knees.0 + k.knees.1) / 2 + SIMD3(0, 0.01 * h, 0.02 * h)
            let part: Part = top == .coat || top == .dress ? .top : .bottom
            body.append(
                .tube(
                    [start, (start + end) / 2, end],
                    radii: [
                        SIMD2(p.hipHalf * 1.05 + loose, p.chestDepth + loose), SIMD2(p.hipHalf + loose, 0.9 * p.thighRadius + loose),
                        SIMD2(p.hipHalf * 0.95 + loose, 0.8 * p.thighRadius + loose),
                    ], side: side, segments: 16, capped: false),
                part: part.rawValue)
        } else if bottom == .skirt || top == .coat || top == .dress {
            let start = k.pelvis + trunkAxis * (0.14 * trunkLength)
            let length: Float = top == .coat ? 0.3 * h : (0.2 + 0.1 * (build - 0.85)) * h
            let end = start + SIMD3(0, -length, 0)
            let stride = max(abs(k.knees.0.z - k.pelvis.z), abs(k.knees.1.z - k.pelvis.z))
            let hemDepth = max(p.chestDepth * 1.2, stride + p.thighRadius) + loose
            let hemWidth = p.hipHalf * 1.15 + loose
            let part: Part = top == .coat ? .top : (top == .dress ? .top : .bottom)
            let mid = (start + end) / 2 + SIMD3(0, 0, (k.knees.0.z + k.knees.1.z) / 4)
            body.append(
                .tube(
                    [start, mid, end + SIMD3(0, 0, (k.knees.0.z + k.knees.1.z) / 2 - k.pelvis.z)],
                    radii: [
                        SIMD2(waist * p.hipHalf + loose, 0.9 * p.chestDepth + loose),
                        SIMD2(p.hipHalf * 1.05 + loose, (p.chestDepth + hemDepth) / 2), SIMD2(hemWidth, hemDepth),
                    ], side: side, segments: 16, capped: false),
                part: part.rawValue)
        }
        // Bags.
        switch carrying {
        case .backpack:
            let centre = k.pelvis + trunkAxis * (0.62 * trunkLength) - SIMD3(0, 0, p.chestDepth + 0.045 * h)
            body.append(
                .ellipsoid(
                    center: centre, radii: SIMD3(0.7 * p.shoulderHalf, 0.13 * h, 0.045 * h),
                    axes: (SIMD3(1, 0, 0), trunkAxis, normalized(cross(SIMD3(1, 0, 0), trunkAxis))), rings: 6, segments: 12),
                part: Part.accessory.rawValue)
        case .bag:
            // A cross-body bag at the right hip, its strap over the chest to the left shoulder.
            let centre = k.pelvis + SIMD3(p.hipHalf + 0.025 * h, 0.03 * h, -0.02 * h)
            body.append(
                .ellipsoid(center: centre, radii: SIMD3(0.028 * h, 0.06 * h, 0.085 * h), rings: 6, segments: 10),
                part: Part.accessory.rawValue)
            let chest = k.pelvis + trunkAxis * (0.62 * trunkLength) + SIMD3(0, 0, p.chestDepth * 1.12 + loose)
            let shoulder = k.shoulders.1 + SIMD3(0, p.armRadius + loose, 0)
            body.append(
                .tube(
                    [centre + SIMD3(-0.01 * h, 0.06 * h, 0.02 * h), chest, shoulder],
                    radii: [SIMD2(0.012 * h, 0.003 * h), SIMD2(0.012 * h, 0.003 * h), SIMD2(0.012 * h, 0.003 * h)],
                    side: SIMD3(0, 0, 1), segments: 6),
                part: Part.accessory.rawValue)
        case .nothing, .umbrella:
            break
        }
        // Soles on the ground: the skeleton put the lowest joint-derived sole there, the shoes'
        // round soles reach a little lower.
        var ground = SIMD3<Float>.zero
        switch pose {
        case .riding, .sitting: break
        case .walking, .running, .standing: ground.y = -body.bounds.min.y
        }
        body = body.placed(at: ground, yaw: 0)
        guard carrying == .umbrella else { return (body, nil) }
        // The umbrella: a shaft from the left hand up past the head, a dome over the head.
        let hand = k.wrists.1 + normalized(k.wrists.1 - k.elbows.1) * (0.4 * p.hand)
        let topPoint = SIMD3<Float>(hand.x * 0.3, h + 0.32, hand.z * 0.4)
        var umbrella = Mesh.limb(hand - SIMD3(0, 0.1, 0), topPoint, 0.008, 0.008, side: side, segments: 6)
        let radius: Float = 0.52
        let dome = Mesh.ellipsoid(
            center: topPoint - SIMD3(0, 0.32, 0), radii: SIMD3(radius, 0.36, radius), rings: 5, segments: 16, bottom: { _ in 0.42 * .pi })
        umbrella.append(dome, part: 1)
        return (body, umbrella.placed(at: ground, yaw: 0))
    }
}
