internal import StudioCore

/// Where a path tracer's samples fall: independent random numbers, or a low-discrepancy
/// sequence (Owen-scrambled Sobol points, after Burley's "Practical Hash-based Owen Scrambling",
/// JCGT 2020). With the sequence, the first `n` samples of a pixel cover each 2-D choice they
/// make — where in the pixel, which light direction, which bounce direction — evenly: every
/// power-of-two count fills the elementary intervals of the square exactly once (a
/// (0,2)-sequence), so 16 samples put one point in each cell of a 4 × 4 grid, of a 2 × 8 grid,
/// and so on. Independent points clump and leave holes; at the handful of samples a dataset
/// render affords, the difference is visible noise.
///
/// Each 2-D choice is a pair of dimensions of its own (`Sampler.Dimension`): the pair's points
/// are Sobol's first two dimensions, Owen-scrambled with a seed of the pixel and the pair, and
/// taken in an order shuffled per pair, so pairs do not correlate with one another.
public enum Sampling: String, Sendable, CaseIterable {
    case independent, sobol
}

/// One pixel sample's source of numbers: `square(pair)` for the sample's 2-D choice `pair`.
struct Sampler {
    /// The 2-D choices of a path, in order: the pixel position, the lens aperture, then three
    /// per bounce (light sample, BRDF direction, then lobe choice and Russian roulette).
    enum Dimension {
        static let pixel: UInt32 = 0, aperture: UInt32 = 1
        static func light(bounce: Int) -> UInt32 { 2 + 3 * UInt32(bounce) }
        static func direction(bounce: Int) -> UInt32 { 3 + 3 * UInt32(bounce) }
        static func choice(bounce: Int) -> UInt32 { 4 + 3 * UInt32(bounce) }
        /// Mirrored or let through, at the path's `pass`-th sheet of glass.
        static func glass(pass: Int) -> UInt32 { 0x1000 + UInt32(pass) }
        /// The microfacet normal a ray meets on rough glass, at the path's `pass`-th sheet.
        static func glassLobe(pass: Int) -> UInt32 { 0x1100 + UInt32(pass) }
        /// The light sample drawn at the path's `pass`-th sheet of frosted glass.
        static func glassLight(pass: Int) -> UInt32 { 0x1200 + UInt32(pass) }
    }

    private var random: RandomStream
    private let sobol: Bool
    private let pixelSeed: UInt32
    private let index: UInt32
    /// The pixel's scrambles of its first `scrambleCount` choices (`scrambles(pixelSeed:pair:)`
    /// for each), when its caller worked them out once for all its samples: six 64-bit hashes
    /// per choice that every sample of the pixel would otherwise repeat (a path of three bounces
    /// makes eleven choices per sample).
    private let scrambles: UnsafePointer<SIMD3<UInt32>>?
    static let scrambleCount = 16

    /// Fills `buffer` (`scrambleCount` long) with the scrambles of the pixel whose seed is
    /// `pixelSeed`, for its samples' `init(…scrambles:)`.
    static func scrambles(_ buffer: UnsafeMutablePointer<SIMD3<UInt32>>, pixelSeed: UInt32) {
        for pair in 0..<scrambleCount { buffer[pair] = scrambles(pixelSeed: pixelSeed, pair: UInt32(pair)) }
    }

    /// Sample `index` of the pixel whose stream is `pixel` (the same for all its samples).
    init(_ sampling: Sampling, pixel: RandomStream, index: Int) {
        self.init(sampling, pixel: pixel, seed: Self.seed(of: pixel), index: index)
    }

    /// The same, with the pixel's `seed(of:)` worked out once for all its samples.
    @inline(__always) init(
        _ sampling: Sampling, pixel: RandomStream, seed: UInt32, index: Int, scrambles: UnsafePointer<SIMD3<UInt32>>? = nil
    ) {
        sobol = sampling == .sobol
        self.scrambles = sobol ? scrambles : nil
        // The independent stream is drawn only when sampling independently.
        random = sobol ? pixel : pixel.derived(UInt64(index))
        pixelSeed = seed
        self.index = UInt32(truncatingIfNeeded: index)
    }

    /// The scrambling seed of the pixel whose stream is `pixel`.
    static func seed(of pixel: RandomStream) -> UInt32 {
        var seeds = pixel.derived(0x50B0_50B0)
        return UInt32(truncatingIfNeeded: seeds.next())
    }

    /// A point of the unit square for the sample's choice `pair`.
    @inline(__always) mutating func square(_ pair: UInt32) -> SIMD2<Float> {
        guard sobol else { return random.nextSquare() }
        if let scrambles, pair < Self.scrambleCount { return Self.owenSobol(index, seeds: scrambles[Int(pair)]) }
        return Self.owenSobol(index, seeds: Self.scrambles(pixelSeed: pixelSeed, pair: pair))
    }

    /// The scrambling seeds of choice `pair` in the pixel whose seed is `pixelSeed`: of the
    /// index shuffle, then of x and of y.
    @inline(__always) static func scrambles(pixelSeed: UInt32, pair: UInt32) -> SIMD3<UInt32> {
        let seed = hash(pixelSeed ^ hash(pair &+ 0x68E3_1DA4))
        return SIMD3(seed, hash(seed ^ 0xA511_E9B3), hash(seed ^ 0x63D8_3595))
    }

    /// Point `index` of a 2-D Owen-scrambled Sobol sequence scrambled by `seeds`
    /// (`scrambles(pixelSeed:pair:)`): the index shuffled by a nested uniform scramble, both
    /// coordinates Owen-scrambled with their own seeds. An Owen scramble of a fraction is Laine
    /// and Karras's permutation of its reversed bits, reversed back; the reversals that cancel
    /// are left out.
    @inline(__always) static func owenSobol(_ index: UInt32, seeds: SIMD3<UInt32>) -> SIMD2<Float> {
        let shuffled = laineKarras(index.bitReversed, seed: seeds.x).bitReversed
        // Sobol's first dimension is the index's bits reversed: scrambled, the reversals cancel.
        let x = laineKarras(shuffled, seed: seeds.y).bitReversed
        let y = laineKarras(sobolSecondReversed(shuffled), seed: seeds.z).bitReversed
        // 24 bits each: exactly representable, and strictly below 1.
        return SIMD2(Float(x >> 8), Float(y >> 8)) * (1 / Float(1 << 24))
    }

    /// Sobol's second dimension (its generator matrix is Pascal's triangle mod 2): the sum of
    /// direction numbers v₁ = 2³¹, vₖ₊₁ = vₖ ⊕ (vₖ >> 1) over the index's set bits.
    static func sobolSecond(_ index: UInt32) -> UInt32 {
        var (i, v, result) = (index, UInt32(1) << 31, UInt32(0))
        while i != 0 {
            if i & 1 != 0 { result ^= v }
            i >>= 1
            v ^= v >> 1
        }
        return result
    }

    /// `sobolSecond(index).bitReversed`, a byte of the index at a time from a table (a shuffled
    /// index has all 32 bits set at random: a loop over them would take 32 steps).
    @inline(__always) static func sobolSecondReversed(_ index: UInt32) -> UInt32 {
        reversedSecond.withUnsafeBufferPointer { table in
            table[Int(index & 0xFF)] ^ table[256 + Int((index >> 8) & 0xFF)] ^ table[512 + Int((index >> 16) & 0xFF)]
                ^ table[768 + Int(index >> 24)]
        }
    }

    /// For each byte position and byte value, its share of `sobolSecond(index).bitReversed`.
    static let reversedSecond: [UInt32] = (0..<4).flatMap { position in
        (0..<256).map { byte in sobolSecond(UInt32(byte) << (8 * UInt32(position))).bitReversed }
    }

    /// Laine and Karras's permutation: each bit flipped by a hash of the bits below it (an Owen
    /// scramble of the reversed fraction), as Burley improved it.
    @inline(__always) static func laineKarras(_ x: UInt32, seed: UInt32) -> UInt32 {
        var v = x
        v ^= v &* 0x3D20_ADEA
        v &+= seed
        v &*= (seed >> 16) | 1
        v ^= v &* 0x0552_6C56
        v ^= v &* 0x53A2_2864
        return v
    }

    /// A 32-bit hash of a 32-bit value.
    @inline(__always) static func hash(_ x: UInt32) -> UInt32 { UInt32(truncatingIfNeeded: RandomStream.mix(UInt64(x))) }
}

extension UInt32 {
    /// The bits in reverse order: the bits of each byte swapped in three steps, then the bytes.
    @inline(__always) var bitReversed: UInt32 {
        var v = self
        v = ((v >> 1) & 0x5555_5555) | ((v & 0x5555_5555) << 1)
        v = ((v >> 2) & 0x3333_3333) | ((v & 0x3333_3333) << 2)
        v = ((v >> 4) & 0x0F0F_0F0F) | ((v & 0x0F0F_0F0F) << 4)
        return v.byteSwapped
    }
}
