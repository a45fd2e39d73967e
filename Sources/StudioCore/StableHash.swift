/// A 64-bit hash of bytes that is the same in every process, run and machine (Swift's `Hasher` is
/// seeded randomly per process): for fingerprints written into file names, such as the key that
/// ties a generated image's name to the inputs its bytes depend on. Not cryptographic.
///
/// Eight bytes at a time, each word mixed with a multiply and a rotate (the core of
/// wyhash/xxhash-style mixers), so hashing a multi-megabyte checkpoint takes about a millisecond.
public struct StableHash: Sendable {
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var length: UInt64 = 0

    public init() {}

    /// Adds bytes.
    public mutating func combine(_ bytes: [UInt8]) {
        let whole = bytes.count / 8 * 8
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < whole {
                mix(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                offset += 8
            }
        }
        var word: UInt64 = 0
        for (i, byte) in bytes[whole...].enumerated() { word |= UInt64(byte) << (8 * UInt64(i)) }
        if whole < bytes.count { mix(word ^ (UInt64(bytes.count - whole) << 56)) }
        length &+= UInt64(bytes.count)
    }

    /// Adds bytes (any collection; the same hash as the array of them).
    public mutating func combine(_ bytes: some Collection<UInt8>) {
        var word: UInt64 = 0
        var filled = 0
        for byte in bytes {
            word |= UInt64(byte) << (8 * UInt64(filled))
            filled += 1
            if filled == 8 {
                mix(word)
                word = 0
                filled = 0
            }
        }
        if filled > 0 { mix(word ^ (UInt64(filled) << 56)) }
        length &+= UInt64(bytes.count)
    }

    /// Adds a string's UTF-8 bytes followed by a separator, so `("ab", "c")` and `("a", "bc")` differ.
    public mutating func combine(_ text: String) {
        combine(Array(text.utf8))
        mix(0xFF00_FF00_FF00_FF00 ^ UInt64(text.utf8.count))
    }

    private mutating func mix(_ word: UInt64) {
        state ^= word &* 0xBF58_476D_1CE4_E5B9
        state = (state << 31 | state >> 33) &* 0x94D0_49BB_1331_11EB
    }

    /// The hash of everything added.
    public var value: UInt64 {
        var h = state ^ length
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    /// The hash as `digits` lowercase hex digits (at most 16).
    public func hex(_ digits: Int = 16) -> String {
        let text = String(value, radix: 16)
        let full = String(repeating: "0", count: 16 - text.count) + text
        return String(full.prefix(digits))
    }
}
