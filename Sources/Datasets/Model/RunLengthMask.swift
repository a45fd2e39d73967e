public import StudioCore

/// A binary mask in COCO's run-length encoding: runs of 0s and 1s alternating, starting with 0s,
/// in column-major order (down the first column, then the next), over a `height × width` image.
public struct RunLengthMask: Sendable, Hashable {
    public let height: Int
    public let width: Int
    /// Run lengths; they add up to `height * width`.
    public let counts: [Int]

    /// Wraps run lengths, refusing negative runs or a total that does not fill the image.
    public init(height: Int, width: Int, counts: [Int]) throws(RunLengthMask.Invalid) {
        guard height >= 0, width >= 0 else { throw Invalid("size \(height)×\(width) is negative") }
        guard counts.allSatisfy({ $0 >= 0 }) else { throw Invalid("a run length is negative") }
        // Overflow-checked: hostile counts (or a huge size) must be an error, never a trap.
        let (area, overflow) = height.multipliedReportingOverflow(by: width)
        guard !overflow else { throw Invalid("size \(height)×\(width) is impossible") }
        var total = 0
        for run in counts {
            let (sum, over) = total.addingReportingOverflow(run)
            guard !over, sum <= area else { throw Invalid("run lengths add up to more than \(height)×\(width) = \(area)") }
            total = sum
        }
        guard total == area else {
            throw Invalid("run lengths add up to \(total), not \(height)×\(width) = \(area)")
        }
        self.height = height
        self.width = width
        self.counts = counts
    }

    /// Encodes a row-major mask (any non-zero byte is inside).
    public init(rowMajor mask: [UInt8], width: Int, height: Int) {
        precondition(mask.count == width * height, "mask size does not match")
        var counts: [Int] = []
        var run = 0
        var current: UInt8 = 0
        for x in 0..<width {
            for y in 0..<height {
                let v: UInt8 = mask[y * width + x] != 0 ? 1 : 0
                if v != current {
                    counts.append(run)
                    run = 0
                    current = v
                }
                run += 1
            }
        }
        counts.append(run)
        self.height = height
        self.width = width
        self.counts = counts
    }

    /// The mask row-major, 1 inside and 0 outside.
    public func rowMajor() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: width * height)
        var index = 0
        for (i, run) in counts.enumerated() {
            if i % 2 == 1 {
                for k in index..<(index + run) { out[(k % height) * width + k / height] = 1 }
            }
            index += run
        }
        return out
    }

    /// Pixels inside the mask.
    public var area: Int { stride(from: 1, to: counts.count, by: 2).reduce(0) { $0 + counts[$1] } }

    /// The tight box around the mask, as pycocotools' `toBbox` computes it; `nil` when empty.
    public var boundingBox: BoundingBox? {
        guard height > 0 else { return nil }
        var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
        var index = 0
        for (i, run) in counts.enumerated() {
            if i % 2 == 1, run > 0 {
                let first = index, last = index + run - 1
                let x0 = first / height, x1 = last / height
                minX = min(minX, x0)
                maxX = max(maxX, x1)
                if x0 == x1 {
                    minY = min(minY, first % height)
                    maxY = max(maxY, last % height)
                } else {
                    // The run wraps into the next column: it covers the whole column height.
                    minY = 0
                    maxY = height - 1
                }
            }
            index += run
        }
        guard maxX >= 0 else { return nil }
        return BoundingBox(minX: Double(minX), minY: Double(minY), maxX: Double(maxX + 1), maxY: Double(maxY + 1))
    }

    /// COCO's compressed string form (what pycocotools' `frPyObjects`/`encode` produce): each run,
    /// after the third minus the run two before it, in 5-bit groups with a continuation bit, offset
    /// by 48 into printable ASCII.
    public var compressedCounts: String {
        var bytes: [UInt8] = []
        for i in counts.indices {
            var x = counts[i]
            if i > 2 { x -= counts[i - 2] }
            var more = true
            while more {
                var c = x & 0x1F
                x >>= 5
                more = (c & 0x10) != 0 ? x != -1 : x != 0
                if more { c |= 0x20 }
                bytes.append(UInt8(c + 48))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes the compressed string form.
    public init(height: Int, width: Int, compressed: String) throws(RunLengthMask.Invalid) {
        var counts: [Int] = []
        var bytes = Array(compressed.utf8)[...]
        while !bytes.isEmpty {
            var x = 0, k = 0, more = true
            while more {
                guard let byte = bytes.popFirst() else { throw Invalid("compressed counts end inside a number") }
                guard byte >= 48, byte < 48 + 64 else { throw Invalid("compressed counts hold a byte outside the alphabet") }
                guard k < 12 else { throw Invalid("compressed counts hold a number too long") }
                let c = Int(byte) - 48
                x |= (c & 0x1F) << (5 * k)
                more = (c & 0x20) != 0
                k += 1
                if !more && (c & 0x10) != 0 { x |= -1 << (5 * k) }
            }
            if counts.count > 2 { x += counts[counts.count - 2] }
            counts.append(x)
        }
        try self.init(height: height, width: width, counts: counts)
    }

    /// Why run lengths were refused.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
