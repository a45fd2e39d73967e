internal import Glibc

/// glTF's metallic-roughness BRDF at one point: a Lambertian base under a GGX microfacet
/// specular lobe (Smith height-correlated visibility, Schlick Fresnel from F0 = 0.04 for
/// dielectrics, the base colour for metals). Directions are unit vectors pointing away from the
/// surface; `n` is the shading normal.
struct BRDF {
    let base: SIMD3<Float>
    let metallic: Float
    /// GGX α = roughness², kept above 0.002 so a mirror still has a finite peak.
    let alpha: Float
    /// The chance a sample takes the specular lobe (the rest: diffuse).
    let specularChance: Float

    init(base: SIMD3<Float>, metallic: Float, roughness: Float) {
        self.base = base
        self.metallic = metallic
        alpha = max(0.002, roughness * roughness)
        let f0 = Self.f0(base, metallic).max()
        specularChance = max(0.1, min(0.9, f0 + metallic * 0.5 + (1 - roughness) * 0.25))
    }

    static func f0(_ base: SIMD3<Float>, _ metallic: Float) -> SIMD3<Float> { SIMD3(repeating: 0.04) * (1 - metallic) + base * metallic }

    /// f(v, l) · cos θ_l, and the density with which `sample` picks `l`.
    func evaluate(n: SIMD3<Float>, v: SIMD3<Float>, l: SIMD3<Float>) -> (value: SIMD3<Float>, pdf: Float) {
        let nl = (n * l).sum(), nv = (n * v).sum()
        guard nl > 0, nv > 0 else { return (.zero, 0) }
        var h = v + l
        h /= max(1e-8, (h * h).sum().squareRoot())
        let nh = max(0, (n * h).sum()), vh = max(0, (v * h).sum())
        let a2 = alpha * alpha
        let k = nh * nh * (a2 - 1) + 1
        let d = a2 / (.pi * k * k)
        let visibility = 0.5 / (nl * (nv * nv * (1 - a2) + a2).squareRoot() + nv * (nl * nl * (1 - a2) + a2).squareRoot())
        let f0 = Self.f0(base, metallic)
        let c = 1 - vh, c2 = c * c
        let fresnel = f0 + (SIMD3(repeating: 1) - f0) * (c2 * c2 * c)
        let specular = fresnel * (d * visibility)
        let diffuse = (SIMD3(repeating: 1) - fresnel) * (1 - metallic) * base / .pi
        let pdf = specularChance * d * nh / (4 * max(1e-8, vh)) + (1 - specularChance) * nl / .pi
        return ((specular + diffuse) * nl, pdf)
    }

    /// A direction drawn from the BRDF (a GGX half-vector or a cosine-weighted one) with `r`,
    /// or nil when it falls below the surface.
    func sample(n: SIMD3<Float>, v: SIMD3<Float>, _ r: SIMD3<Float>) -> SIMD3<Float>? {
        let (t, b) = Self.basis(n)
        if r.z < specularChance {
            // GGX normal distribution: tan²θ_h = α² u / (1 − u).
            let phi = 2 * Float.pi * r.x
            let cos2 = (1 - r.y) / (1 + (alpha * alpha - 1) * r.y)
            let cosine = cos2.squareRoot(), sine = max(0, 1 - cos2).squareRoot()
            let turn = FastMath.sinCos(phi)
            let h = t * (sine * turn.cos) + b * (sine * turn.sin) + n * cosine
            let l = 2 * (v * h).sum() * h - v
            return (n * l).sum() > 0 ? l : nil
        }
        let radius = r.x.squareRoot(), turn = FastMath.sinCos(2 * Float.pi * r.y)
        return t * (radius * turn.cos) + b * (radius * turn.sin) + n * max(0, 1 - r.x).squareRoot()
    }

    /// Two unit vectors that make a right-handed frame with `n`.
    static func basis(_ n: SIMD3<Float>) -> (SIMD3<Float>, SIMD3<Float>) {
        let sign: Float = n.z >= 0 ? 1 : -1
        let a = -1 / (sign + n.z), b = n.x * n.y * a
        return (SIMD3(1 + sign * n.x * n.x * a, sign * b, -sign * n.x), SIMD3(b, sign + n.y * n.y * a, -n.y))
    }
}
