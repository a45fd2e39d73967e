internal import Glibc
internal import StudioCore

/// Sun, sky and fog for a time of day and a weather.
struct Lighting: Sendable {
    let sunDirection: SIMD3<Float>
    let sunIntensity: SIMD3<Float>
    let sunSpread: Float
    /// Two unit vectors perpendicular to the sun's direction and to each other: the plane its
    /// cone of directions is sampled in.
    let sunTangents: (SIMD3<Float>, SIMD3<Float>)
    /// 256 unit directions towards the sun: its cone (wider under clouds, for soft shadows)
    /// seen as a square of side `sunSpread` across the sun's direction, at the centres of a
    /// 16 × 16 grid. A shadow ray picks one with eight random bits, no square root.
    private let sunDirections: [SIMD3<Float>]
    let ambient: SIMD3<Float>
    let horizon: SIMD3<Float>
    let zenith: SIMD3<Float>
    let fogDensity: Float
    let fogColor: SIMD3<Float>
    let exposure: Float

    init(_ p: SceneParameters) {
        let elevation = (p.timeOfDay == .day ? p.sunElevation : (p.timeOfDay == .dusk ? 6 : -20)) * .pi / 180
        let azimuth = p.sunAzimuth * .pi / 180
        // Azimuth 90 is on the camera's right: −x in the right-handed world, looking down +z.
        sunDirection = SIMD3(-sinf(azimuth) * cosf(elevation), sinf(elevation), cosf(azimuth) * cosf(elevation))
        var sun: SIMD3<Float>, sky: SIMD3<Float>, horizonColor: SIMD3<Float>, zenithColor: SIMD3<Float>
        switch p.timeOfDay {
        case .day:
            sun = SIMD3(3.2, 3.0, 2.7); sky = SIMD3(0.55, 0.62, 0.75); horizonColor = SIMD3(0.75, 0.82, 0.92);
            zenithColor = SIMD3(0.25, 0.45, 0.85)
        case .dusk:
            sun = SIMD3(2.2, 1.2, 0.5); sky = SIMD3(0.35, 0.3, 0.35); horizonColor = SIMD3(0.95, 0.55, 0.3);
            zenithColor = SIMD3(0.2, 0.2, 0.45)
        case .night:
            sun = .zero; sky = SIMD3(0.02, 0.025, 0.04); horizonColor = SIMD3(0.03, 0.035, 0.06); zenithColor = SIMD3(0.005, 0.008, 0.02)
        }
        // Extinction per metre from meteorological visibility (3.9 / visibility): clear air
        // ~5 km, overcast ~1.3 km, haze ~330 m, rain ~650 m, snowfall ~400 m.
        var spread: Float = 0.03, density: Float = 0.0008
        switch p.weather {
        case .sunny: break
        case .cloudy:
            sun *= 0.25; sky *= 1.25; spread = 0.8; density = 0.003
            horizonColor = SIMD3(repeating: horizonColor.max() * 0.75); zenithColor = SIMD3(repeating: zenithColor.max() * 0.7)
        case .hazy:
            sun *= 0.5; sky *= 1.2; spread = 0.3; density = 0.012
        case .rain:
            sun *= 0.1; sky *= 0.9; spread = 1; density = 0.006
            horizonColor = SIMD3(repeating: horizonColor.max() * 0.55); zenithColor = SIMD3(repeating: zenithColor.max() * 0.45)
        case .snow:
            sun *= 0.2; sky *= 1.3; spread = 1; density = 0.01
            horizonColor = SIMD3(repeating: horizonColor.max() * 0.8); zenithColor = SIMD3(repeating: zenithColor.max() * 0.75)
        }
        sunIntensity = sun
        sunSpread = spread
        let helper: SIMD3<Float> = abs(sunDirection.y) < 0.9 ? SIMD3(0, 1, 0) : SIMD3(1, 0, 0)
        var u = SIMD3<Float>(
            helper.y * sunDirection.z - helper.z * sunDirection.y, helper.z * sunDirection.x - helper.x * sunDirection.z,
            helper.x * sunDirection.y - helper.y * sunDirection.x)
        u /= (u * u).sum().squareRoot()
        let v = SIMD3<Float>(
            sunDirection.y * u.z - sunDirection.z * u.y, sunDirection.z * u.x - sunDirection.x * u.z,
            sunDirection.x * u.y - sunDirection.y * u.x)
        sunTangents = (u, v)
        let centre = sunDirection
        sunDirections = (0..<256).map { i in
            let offset = ((SIMD2(Float(i % 16), Float(i / 16)) + 0.5) / 16 - 0.5) * spread
            let d = centre + offset.x * u + offset.y * v
            return d / (d * d).sum().squareRoot()
        }
        ambient = sky
        horizon = horizonColor
        zenith = zenithColor
        fogDensity = density
        fogColor = p.timeOfDay == .night ? horizonColor * 1.5 : horizonColor
        exposure = p.timeOfDay == .night ? 1.2 : (p.timeOfDay == .dusk ? 1.1 : 0.9)
    }

    /// The sky's colour in a direction: a gradient from horizon to zenith, the sun's disc by day.
    func sky(_ d: SIMD3<Float>) -> SIMD3<Float> {
        let t = max(0, d.y)
        var color = horizon * (1 - t) + zenith * t
        let toSun = (d * sunDirection).sum()
        if sunIntensity.max() > 0.5, toSun > 0.9995 { color += sunIntensity * 3 }
        return color
    }

    /// One of the sun's 256 directions for a pixel's sample: in stratum `stratum` of `side` ×
    /// `side` equal squares of the grid (`side` 1, 2, 4, 8 or 16; strata numbered row by row),
    /// at the cell `bits` picks within it. A pixel whose samples take different strata sees the
    /// whole cone evenly: less noise in soft shadows than independent directions.
    @inline(__always) func sunDirection(stratum: Int, side: Int, _ bits: Int) -> SIMD3<Float> {
        let cells = 16 / side
        let row = (stratum / side) * cells + (bits >> 4) & (cells - 1)
        let column = (stratum % side) * cells + bits & (cells - 1)
        return sunDirections[row * 16 + column]
    }

    /// The strata per side for `samplesPerPixel` samples: the largest power of two whose square
    /// is at most that many (at most 16).
    static func sunStrata(samplesPerPixel: Int) -> Int {
        var side = 1
        while side < 16, (side * 2) * (side * 2) <= samplesPerPixel { side *= 2 }
        return side
    }

    /// The sky's light on a surface facing `n`: more from above.
    @inline(__always) func skyLight(_ n: SIMD3<Float>) -> SIMD3<Float> { ambient * (0.6 + 0.4 * max(0, n.y)) }

    /// Exponential fog: the share of a colour that survives `distance` metres (the rest is the
    /// fog colour).
    @inline(__always) func transmittance(_ distance: Float) -> Float {
        // e^(−density · distance) = 2^(−y): 2^(−whole part) from the exponent bits, 2^(−fraction)
        // by a polynomial (relative error under 1e-5; `expf` costs a call per hit).
        let y = min(fogDensity * distance * 1.442_695, 126)
        let whole = Int32(y)
        let f = y - Float(whole)
        let power = 0.999_996_124 + f * (-0.693_029_304 + f * (0.239_385_085 + f * (-0.053_186_534_7 + f * 0.006_838_269_27)))
        return power * Float(bitPattern: UInt32(127 - whole) << 23)
    }
}

/// Rain and snow falling between the camera and the scene, drawn over the image: each drop or
/// flake is placed at a depth (more of them far away, as in a volume) and drawn only where the
/// scene lies behind it, at the size and streak length that depth gives — a raindrop falling
/// at 8 m/s through a 1/60 s exposure is a streak 14 cm long, long and soft near the lens, a
/// short faint line far off; a snowflake (1 cm, falling at 1 m/s) is a soft blob near the lens and
/// a speck far off. Deterministic from the image's stream.
enum Weather {
    /// `depth` is the render's depth map (millimetres along the view axis, 0 for sky); `focal`
    /// the focal length in pixels.
    static func overlay(
        _ rgb: inout [UInt8], depth: [UInt16], width: Int, height: Int, focal: Float, parameters: SceneParameters, stream: RandomStream
    ) {
        var random = stream
        let rain = parameters.weather == .rain
        guard rain || parameters.weather == .snow else { return }
        // A little wind: every streak leans the same way.
        let slant = Float(random.nextUnit() - 0.5) * (rain ? 0.35 : 0.6)
        let count = width * height / (rain ? 420 : 260)
        for _ in 0..<count {
            let x0 = Float(random.nextUnit()) * Float(width), y0 = Float(random.nextUnit()) * Float(height)
            // Depth: 0.7 to 25 m, denser far away (the volume grows with depth).
            let z = 0.7 + 24.3 * Float(random.nextUnit()).squareRoot()
            let brightness = Float(random.nextUnit())
            let behind = UInt16(min(65535, z * 1000))
            func visible(_ x: Int, _ y: Int) -> Bool {
                guard x >= 0, x < width, y >= 0, y < height else { return false }
                let d = depth[y * width + x]
                return d == 0 || d > behind
            }
            if rain {
                let length = max(2, min(90, 0.14 * focal / z))
                // Near the lens a drop is out of focus: wider, fainter.
                let spread = max(0, min(3, 0.012 * focal / z - 0.5))
                let alpha = (0.1 + 0.22 * brightness) / (1 + spread * 0.8)
                let steps = Int(length.rounded(.up))
                for k in 0...steps {
                    let t = Float(k) / Float(steps)
                    let along = alpha * sinf(.pi * t)
                    let (x, y) = (x0 + slant * t * length, y0 + t * length)
                    for dx in -Int(spread.rounded(.up))...Int(spread.rounded(.up)) {
                        let px = Int(x) + dx, py = Int(y)
                        guard visible(px, py) else { continue }
                        let fall = spread > 0 ? max(0, 1 - abs(Float(dx)) / (spread + 1)) : 1
                        blend(&rgb, (py * width + px) * 3, toward: 215, amount: along * fall)
                    }
                }
            } else {
                let radius = max(0.35, min(4, 0.006 * focal / z))
                // Near the lens a flake is a faint out-of-focus blob, far off a bright speck.
                let alpha = (0.55 + 0.4 * brightness) * min(1, radius * radius * 2) / (1 + max(0, radius - 1.5) * 0.6)
                let r = Int(radius.rounded(.up))
                for dy in -r...r {
                    for dx in -r...r {
                        let px = Int(x0) + dx, py = Int(y0) + dy
                        guard visible(px, py) else { continue }
                        let d = (Float(dx * dx + dy * dy)).squareRoot()
                        let edge = max(0, min(1, radius + 0.5 - d))
                        guard edge > 0 else { continue }
                        blend(&rgb, (py * width + px) * 3, toward: 242, amount: alpha * edge)
                    }
                }
            }
        }
    }

    private static func blend(_ rgb: inout [UInt8], _ at: Int, toward value: Float, amount: Float) {
        for c in 0..<3 { rgb[at + c] = UInt8(max(0, min(255, Float(rgb[at + c]) * (1 - amount) + value * amount))) }
    }
}
