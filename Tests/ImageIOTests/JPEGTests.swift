import ImageIO
import StudioCore
import TestSupport
import Testing

@Suite("JPEG")
struct JPEGTests {
    static let photos = "\(fixtures)/../../DatasetsTests/Fixtures/coco-photos/val2017"

    @Test("a colour photo written by ImageMagick decodes to RGB with plausible pixels")
    func colourPhoto() throws {
        let image = try ImageFile.read("\(Self.photos)/flower.jpg")
        #expect(image.width == 320 && image.height == 214 && image.layout == .rgb && image.depth == .eight)
        // The flower in the middle is orange: red well above blue.
        let rgb = image.rgb8()
        let center = (107 * 320 + 155) * 3
        #expect(Int(rgb[center]) > Int(rgb[center + 2]) + 40)
        #expect(
            try ImageFile.probe("\(Self.photos)/flower.jpg")
                == ImageInfo(format: .jpeg, width: 320, height: 214, layout: .rgb, depth: .eight))
    }

    @Test("a grayscale JPEG decodes to gray")
    func grayPhoto() throws {
        let image = try ImageFile.read("\(Self.photos)/flower_gray.jpg")
        #expect(image.layout == .gray && image.width == 160 && image.height == 107)
        #expect(try ImageFile.probe("\(Self.photos)/flower_gray.jpg").layout == .gray)
    }

    @Test("a JPEG cut in half is an error, not a half-grey picture")
    func cutInHalf() throws {
        let bytes = try FileIO.read("\(Self.photos)/china.jpg")
        let dir = TemporaryDirectory()
        let path = dir.write("half.jpg", Array(bytes.prefix(bytes.count / 2)))
        let error = #expect(throws: ImageIOError.self) { try ImageFile.read(path) }
        #expect(error?.path == path)
        #expect(error?.code == .truncated)
        // Cut before the frame header: the header call "succeeds" with no size, which we refuse.
        let tiny = dir.write("tiny.jpg", Array(bytes.prefix(20)))
        #expect(throws: ImageIOError.self) { try ImageFile.probe(tiny) }
        #expect(throws: ImageIOError.self) { try ImageFile.read(tiny) }
    }

    @Test("a huge-dimension JPEG header is refused")
    func hugeHeader() throws {
        var bytes = try FileIO.read("\(Self.photos)/china.jpg")
        // Find the SOF0 marker and rewrite its height and width to 60000 × 60000.
        let sof = try #require((0..<(bytes.count - 9)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes[sof + 5] = 0xEA; bytes[sof + 6] = 0x60
        bytes[sof + 7] = 0xEA; bytes[sof + 8] = 0x60
        let error = #expect(throws: ImageIOError.self) { try ImageFile.decode(bytes) }
        #expect(error?.code == .tooLarge)
    }

    @Test("corrupted JPEG bytes never crash", arguments: 0..<24)
    func fuzzed(seed: Int) throws {
        var bytes = try FileIO.read("\(Self.photos)/china.jpg")
        var rng = RandomStream(seed: UInt64(seed))
        for _ in 0..<8 {
            let at = Int(rng.next() % UInt64(bytes.count))
            bytes[at] = UInt8(truncatingIfNeeded: rng.next())
        }
        // Either a picture of the right size or an error; anything else (a trap) fails the run.
        if let image = try? ImageFile.decode(bytes) {
            #expect(image.width > 0 && image.height > 0)
        }
    }

    @Test("writing JPEG: a photo comes back close at high quality, further and smaller at low; gray stays gray")
    func encode() throws {
        let photo = try ImageFile.read("\(Self.photos)/flower.jpg")
        func error(_ a: Image, _ b: Image) -> Double {
            let (x, y) = (a.rgb8(), b.rgb8())
            return Double(zip(x, y).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(x.count)
        }
        let high = try ImageFile.encode(photo, as: .jpeg, jpegQuality: 95)
        let low = try ImageFile.encode(photo, as: .jpeg, jpegQuality: 10)
        let (fine, coarse) = (try ImageFile.decode(high), try ImageFile.decode(low))
        #expect(fine.width == 320 && fine.height == 214 && fine.layout == .rgb)
        #expect(error(fine, photo) < 3, "\(error(fine, photo))")
        #expect(error(coarse, photo) > error(fine, photo) * 2)
        #expect(low.count < high.count / 3)
        let gray = try ImageFile.read("\(Self.photos)/flower_gray.jpg")
        let dir = TemporaryDirectory()
        try ImageFile.write(gray, to: "\(dir.path)/g.jpg", jpegQuality: 90)
        #expect(try ImageFile.probe("\(dir.path)/g.jpg").layout == .gray)
        // Alpha is dropped; a 16-bit image and a quality of 0 are refused.
        let rgba = Image(width: 2, height: 1, layout: .rgba, pixels: .eight([255, 0, 0, 9, 0, 0, 255, 200]))
        let decoded = try ImageFile.decode(ImageFile.encode(rgba, as: .jpeg, jpegQuality: 100))
        #expect(decoded.layout == .rgb && decoded.width == 2)
        let deep = Image(width: 2, height: 2, layout: .gray, pixels: .sixteen([0, 1, 2, 3]))
        #expect(throws: ImageIOError.self) { try ImageFile.encode(deep, as: .jpeg) }
        #expect(throws: ImageIOError.self) { try ImageFile.encode(gray, as: .jpeg, jpegQuality: 0) }
    }
}
