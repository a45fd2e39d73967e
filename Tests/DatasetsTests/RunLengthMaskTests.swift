import Datasets
import StudioCore
import Testing

@Suite("COCO run-length masks")
struct RunLengthMaskTests {
    /// The mask pycocotools was given: 7×9, a 3×4 block, a full row, one corner pixel.
    static let mask: [UInt8] = {
        var m = [UInt8](repeating: 0, count: 7 * 9)
        for y in 1..<4 { for x in 2..<6 { m[y * 9 + x] = 1 } }
        for x in 0..<9 { m[5 * 9 + x] = 1 }
        m[6 * 9 + 8] = 1
        return m
    }()

    @Test("encoding matches pycocotools' mask.encode, area and toBbox")
    func matchesPycocotools() throws {
        let rle = RunLengthMask(rowMajor: Self.mask, width: 9, height: 7)
        // Recorded from pycocotools 2.0: mask.encode(np.asfortranarray(m)).
        #expect(rle.compressedCounts == "5160L2ON12ON12ON12ON500001")
        #expect(rle.area == 22)
        #expect(rle.boundingBox == BoundingBox(x: 0, y: 1, width: 9, height: 6))
        #expect(rle.rowMajor() == Self.mask)
        let decoded = try RunLengthMask(height: 7, width: 9, compressed: "5160L2ON12ON12ON12ON500001")
        #expect(decoded == rle)
    }

    @Test("a larger mask with a hole: pycocotools' area and box")
    func withHole() throws {
        var m = [UInt8](repeating: 0, count: 240 * 320)
        for y in 10..<200 { for x in 30..<290 { m[y * 320 + x] = 1 } }
        for y in 50..<60 { for x in 100..<110 { m[y * 320 + x] = 0 } }
        let rle = RunLengthMask(rowMajor: m, width: 320, height: 240)
        #expect(rle.area == 49300)
        #expect(rle.boundingBox == BoundingBox(x: 30, y: 10, width: 260, height: 190))
        #expect(rle.compressedCounts.hasPrefix("ZQ7n5b1000"))
        #expect(rle.compressedCounts.hasSuffix("0fP7"))
        #expect(try RunLengthMask(height: 240, width: 320, compressed: rle.compressedCounts).rowMajor() == m)
    }

    @Test("empty and full masks")
    func edges() throws {
        let empty = RunLengthMask(rowMajor: [0, 0, 0, 0], width: 2, height: 2)
        #expect(empty.counts == [4] && empty.area == 0 && empty.boundingBox == nil)
        let full = RunLengthMask(rowMajor: [1, 1, 1, 1], width: 2, height: 2)
        #expect(full.counts == [0, 4] && full.boundingBox == BoundingBox(x: 0, y: 0, width: 2, height: 2))
        #expect(try RunLengthMask(height: 2, width: 2, compressed: full.compressedCounts) == full)
    }

    @Test("bad run lengths are refused", arguments: ["5160L2ON1", "\u{7F}\u{7F}", "1111111111111111"])
    func badCompressed(text: String) {
        #expect(throws: RunLengthMask.Invalid.self) { try RunLengthMask(height: 7, width: 9, compressed: text) }
    }

    @Test("counts that do not fill the image are refused")
    func badCounts() {
        #expect(throws: RunLengthMask.Invalid.self) { try RunLengthMask(height: 2, width: 2, counts: [1, 2]) }
        #expect(throws: RunLengthMask.Invalid.self) { try RunLengthMask(height: 2, width: 2, counts: [5, -1]) }
    }
}
