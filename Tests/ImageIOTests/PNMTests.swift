import ImageIO
import StudioCore
import TestSupport
import Testing

@Suite("PNM")
struct PNMTests {
    @Test("P5 and P6 round trip at 8 and 16 bits", arguments: [PixelLayout.gray, .rgb], [BitDepth.eight, .sixteen])
    func roundTrip(layout: PixelLayout, depth: BitDepth) throws {
        let image = TestImages.pattern(width: 13, height: 7, layout: layout, depth: depth)
        let bytes = try ImageFile.encode(image, as: .pnm)
        #expect(try ImageFile.decode(bytes) == image)
        #expect(try ImageFile.probe(bytes: bytes) == ImageInfo(format: .pnm, width: 13, height: 7, layout: layout, depth: depth))
    }

    @Test("comments in the header and a maxval below 255 are read")
    func commentsAndMaxval() throws {
        let bytes = Array("P5\n# made by hand\n2 1 # size\n15\n".utf8) + [0, 15]
        let image = try ImageFile.decode(bytes)
        #expect(image.pixels == .eight([0, 255]))
    }

    @Test(
        "bad PNM files are errors",
        arguments: [
            "P5\n2 2\n255\n\u{0}",  // truncated pixels
            "P5\n2",  // truncated header
            "P5\nx 2\n255\n",  // not a number
            "P5\n0 2\n255\n",  // empty size
            "P5\n2 2\n70000\n",  // maxval out of range
            "P3\n1 1\n255\n0 0 0",  // ASCII pixmap: unsupported
            "P6\n99999999999 1\n255\n",  // absurd number
        ])
    func bad(text: String) {
        #expect(throws: ImageIOError.self) { try ImageFile.decode(Array(text.utf8)) }
    }

    @Test("huge PNM header is refused before allocating")
    func huge() {
        let error = #expect(throws: ImageIOError.self) { try ImageFile.decode(Array("P6\n100000 100000\n255\n".utf8)) }
        #expect(error?.code == .tooLarge)
    }

    @Test("alpha cannot be written to PNM")
    func alpha() {
        #expect(throws: ImageIOError.self) { try ImageFile.encode(TestImages.pattern(width: 2, height: 2, layout: .rgba), as: .pnm) }
    }
}
