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
        let d = Self.distribution(nh: nh, a2: a2)
        let visibility = Self.visibility(nl: nl, nv: nv, a2: a2)
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
        if r.z < specularChance {
            let h = Self.microfacet(n: n, alpha: alpha, SIMD2(r.x, r.y))
            let l = 2 * (v * h).sum() * h - v
            return (n * l).sum() > 0 ? l : nil
        }
        let (t, b) = Self.basis(n)
        let radius = r.x.squareRoot(), turn = FastMath.sinCos(2 * Float.pi * r.y)
        return t * (radius * turn.cos) + b * (radius * turn.sin) + n * max(0, 1 - r.x).squareRoot()
    }

    /// A microfacet normal drawn from GGX's distribution of roughness `alpha` about `n`, with
    /// density D(h) (n·h): tan²θ_h = α² u / (1 − u).
    @inline(__always) static func microfacet(n: SIMD3<Float>, alpha: Float, _ r: SIMD2<Float>) -> SIMD3<Float> {
        let (t, b) = basis(n)
        let cos2 = (1 - r.y) / (1 + (alpha * alpha - 1) * r.y)
        let cosine = cos2.squareRoot(), sine = max(0, 1 - cos2).squareRoot()
        let turn = FastMath.sinCos(2 * Float.pi * r.x)
        return t * (sine * turn.cos) + b * (sine * turn.sin) + n * cosine
    }

    /// GGX's distribution of microfacet normals D(h), for α² = `a2`.
    @inline(__always) static func distribution(nh: Float, a2: Float) -> Float {
        let k = nh * nh * (a2 - 1) + 1
        return a2 / (.pi * k * k)
    }

    /// Smith's height-correlated masking-shadowing over 4 (n·l)(n·v), for α² = `a2`.
    @inline(__always) static func visibility(nl: Float, nv: Float, a2: Float) -> Float {
        0.5 / (nl * (nv * nv * (1 - a2) + a2).squareRoot() + nv * (nl * nl * (1 - a2) + a2).squareRoot())
    }

    /// Two unit vectors that make a right-handed frame with `n`.
    static func basis(_ n: SIMD3<Float>) -> (SIMD3<Float>, SIMD3<Float>) {
        let sign: Float = n.z >= 0 ? 1 : -1
        let a = -1 / (sign + n.z), b = n.x * n.y * a
        return (SIMD3(1 + sign * n.x * n.x * a, sign * b, -sign * n.x), SIMD3(b, sign + n.y * n.y * a, -n.y))
    }
}

/// A thin sheet of glass (glTF's KHR_materials_transmission on a surface with no inside), as
/// one rough sheet scatters: Fresnel's share mirrored about GGX microfacets, the rest let through
/// (`transmission` of it, tinted), the mirror image turned back through the sheet's plane — its
/// two faces undo each other's bending, so what is let through leaves about the direction it came
/// in. Directions point away from the sheet; `n` is its normal on the viewer's side.
struct Sheet {
    let n: SIMD3<Float>
    let alpha: Float
    let ior: Float
    let transmission: Float
    let tint: SIMD3<Float>

    /// f · |cos θ_l| for light arriving from `l` (on the far side: through the sheet) and seen
    /// along `v`, and the density with which a microfacet drawn by D(h)(n·h) and Fresnel's choice
    /// sends the ray along `l`.
    func evaluate(v: SIMD3<Float>, l: SIMD3<Float>) -> (value: SIMD3<Float>, pdf: Float) {
        let through = (n * l).sum() < 0
        // On the far side, the mirror image on the viewer's side that was let through.
        let mirrored = through ? l - n * (2 * (l * n).sum()) : l
        var h = v + mirrored
        h /= max(1e-8, (h * h).sum().squareRoot())
        let (nv, nl, nh, vh) = ((n * v).sum(), (n * mirrored).sum(), (n * h).sum(), (v * h).sum())
        guard nv > 0, nl > 0, nh > 0, vh > 0 else { return (.zero, 0) }
        let a2 = alpha * alpha
        let d = BRDF.distribution(nh: nh, a2: a2)
        let fresnel = Self.fresnel(cosine: min(1, vh), ior: ior)
        let choice = through ? (1 - fresnel) * transmission : fresnel
        let value = (through ? tint : SIMD3(repeating: 1)) * (choice * d * BRDF.visibility(nl: nl, nv: nv, a2: a2) * nl)
        return (value, choice * d * nh / (4 * vh))
    }

    /// Schlick's Fresnel reflectance of a dielectric of index `ior` at incidence `cosine`.
    @inline(__always) static func fresnel(cosine: Float, ior: Float) -> Float {
        let f0 = (ior - 1) * (ior - 1) / ((ior + 1) * (ior + 1))
        let m = 1 - cosine
        return f0 + (1 - f0) * m * m * m * m * m
    }
}
