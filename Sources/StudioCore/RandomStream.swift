#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// A small, fast, splittable pseudo-random generator (SplitMix64).
///
/// Streams are derived, never shared: `RandomStream(seed: s).derived(i)` gives image *i* of job seed
/// *s* its own stream, so results do not depend on thread count or on how a job is split.
public struct RandomStream: RandomNumberGenerator, Sendable, Hashable {
    /// Inlinable into other modules (the renderer draws several numbers per pixel sample).
    @usableFromInline var current: UInt64

    public var state: UInt64 { current }

    public init(seed: UInt64) { current = seed }

    @inlinable public mutating func next() -> UInt64 {
        current &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(current)
    }

    /// A new independent stream for `index` (an image, a pixel, a sample), leaving this one untouched.
    @inlinable public func derived(_ index: UInt64) -> RandomStream {
        RandomStream(seed: Self.mix(current ^ Self.mix(index &+ 0xD1B5_4A32_D192_ED03)))
    }

    /// A uniform float in [0, 1).
    @inlinable public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Two uniform floats in [0, 1) (24 bits each) from one draw: a point of the unit square,
    /// for sampling a pixel or a light.
    @inlinable public mutating func nextSquare() -> SIMD2<Float> {
        let bits = next()
        return SIMD2(Float(UInt32(truncatingIfNeeded: bits >> 40)), Float(UInt32(truncatingIfNeeded: bits >> 8) & 0xFF_FFFF)) * 0x1.0p-24
    }

    /// SplitMix64's finalizer: every input bit moves every output bit.
    @inlinable public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RandomStream {
    /// A standard normal value (Box–Muller; one uniform pair per value, so the stream advances by
    /// exactly two draws each call).
    public mutating func nextNormal() -> Double {
        let u1 = 1 - nextUnit()  // (0, 1]: log never sees zero
        let u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
