import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@Suite("Decoding for display, and headers that lie")
struct ReducedDecodeTests {
    /// `image` reduced by `factor`: each output pixel the rounded mean of its block (edge blocks
    /// smaller), 8-bit — what the row-by-row decoder computes.
    static func boxReduced(_ image: Image, factor: Int) -> Image {
        let c = image.layout.channels
        let samples: [Int]
        switch image.pixels {
        case .eight(let s): samples = s.map(Int.init)
        case .sixteen(let s): samples = s.map { Int($0 >> 8) }
        }
        let (ow, oh) = ((image.width + factor - 1) / factor, (image.height + factor - 1) / factor)
        var out = [UInt8](repeating: 0, count: ow * oh * c)
        for oy in 0..<oh {
            for ox in 0..<ow {
                var sums = [Int](repeating: 0, count: c)
                var n = 0
                for y in (oy * factor)..<min(image.height, (oy + 1) * factor) {
                    for x in (ox * factor)..<min(image.width, (ox + 1) * factor) {
                        for k in 0..<c { sums[k] += samples[(y * image.width + x) * c + k] }
                        n += 1
                    }
                }
                for k in 0..<c { out[(oy * ow + ox) * c + k] = UInt8((sums[k] + n / 2) / n) }
            }
        }
        return Image(width: ow, height: oh, layout: image.layout, pixels: .eight(out))
    }

    @Test("PNG row by row, interlaced or not, equals the full decode reduced by blocks", arguments: [1, 2, 4, 5, 23])
    func pngReduced(factor: Int) throws {
        let full = try ImageFile.read("\(fixtures)/rgb-37x23.png")
        let expected = Self.boxReduced(full, factor: factor)
        for name in ["rgb-37x23.png", "rgb-37x23-interlaced.png"] {
            // The largest factor that keeps at least the minimum: ask for what `factor` gives.
            let reduced = try ImageFile.readForDisplay("\(fixtures)/\(name)", minWidth: 37 / factor, minHeight: 23 / factor)
            #expect(reduced == expected, "\(name) at 1/\(factor)")
        }
        // Palette, transparency and gray+alpha files from ImageMagick, unreduced: the same pixels.
        for name in ["palette.png", "palette-trns.png", "gray-alpha.png"] {
            let whole = try ImageFile.read("\(fixtures)/\(name)")
            #expect(try ImageFile.readForDisplay("\(fixtures)/\(name)", minWidth: whole.width, minHeight: whole.height) == whole, "\(name)")
        }
    }

    @Test("a 16384² PNG decodes for a preview into a few hundred pixels, refused by a plain decode under tight limits")
    func hugePNG() throws {
        let path = "\(fixtures)/huge-16384.png"
        let info = try ImageFile.probe(path)
        #expect(info.width == 16384 && info.height == 16384)
        let small = try ImageFile.readForDisplay(path, minWidth: 80, minHeight: 80)
        #expect(small.width == 81 && small.height == 81 && small.layout == .gray)
        let rgb = small.rgb8()
        // Left quarter black, then 200 above the middle and 60 below.
        #expect(rgb[(10 * 81 + 2) * 3] == 0 && rgb[(10 * 81 + 60) * 3] == 200 && rgb[(70 * 81 + 60) * 3] == 60)
        #expect(throws: ImageIOError.self) { try ImageFile.read(path, limits: DecodeLimits(maxPixels: 1 << 24)) }
    }

    @Test("a JPEG decodes for display at TurboJPEG's smallest scale that covers the size asked for")
    func jpegReduced() throws {
        let path = "\(Self.repository)/Tests/DatasetsTests/Fixtures/coco-photos/val2017/china.jpg"
        let full = try ImageFile.read(path)
        let eighth = try ImageFile.readForDisplay(path, minWidth: 20, minHeight: 10)
        #expect(eighth.width == (full.width + 7) / 8 && eighth.height == (full.height + 7) / 8)
        let half = try ImageFile.readForDisplay(path, minWidth: full.width / 2, minHeight: 1)
        #expect(half.width == full.width / 2)
        #expect(try ImageFile.readForDisplay(path, minWidth: 5000, minHeight: 5000) == full)
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

    /// The bytes of a PNG chunk with its CRC.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let length = withUnsafeBytes(of: UInt32(data.count).bigEndian) { Array($0) }
        var body = Array(type.utf8) + data
        var crc: UInt32 = 0xFFFF_FFFF
        for b in body {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        body += withUnsafeBytes(of: (crc ^ 0xFFFF_FFFF).bigEndian) { Array($0) }
        return length + body
    }

    @Test("a ~100-byte PNG or JPEG whose header says 16384² is refused before anything is allocated for it")
    func headerBombs() throws {
        let size = withUnsafeBytes(of: UInt32(16384).bigEndian) { Array($0) }
        let png: [UInt8] =
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Self.chunk("IHDR", size + size + [16, 6, 0, 0, 0])
            + Self.chunk("IDAT", [0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]) + Self.chunk("IEND", [])
        #expect(png.count < 100)
        for decode in [{ try ImageFile.decode(png) }, { try ImageFile.decode(png, limits: .standard) }] as [() throws -> Image] {
            let error = #expect(throws: ImageIOError.self) { try decode() }
            #expect(error?.code == .truncated && error?.message.contains("cannot hold") == true, "\(String(describing: error))")
        }
        // A 16×8 PNG whose tEXt chunk claims 1.9 GB (found by fuzzing: libpng allocated it).
        let text: [UInt8] =
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + Self.chunk("IHDR", [0, 0, 0, 16, 0, 0, 0, 8, 8, 2, 0, 0, 0]) + [0x74, 0x65, 0x3A, 0x25] + Array("tEXtdate".utf8)
        for decode in [{ try ImageFile.decode(text) }, { try ImageFile.decodeForDisplay(text, minWidth: 4, minHeight: 2) }]
            as [() throws -> Image]
        {
            let error = #expect(throws: ImageIOError.self) { try decode() }
            #expect(error?.message.contains("claims") == true, "\(String(describing: error))")
        }
        // A small real JPEG with its frame header rewritten to 16384×16384.
        var jpeg = Array(
            try Data(contentsOf: URL(fileURLWithPath: "\(Self.repository)/Tests/DatasetsTests/Fixtures/coco-photos/val2017/china.jpg")))
        let sof = try #require((0..<(jpeg.count - 9)).first { jpeg[$0] == 0xFF && (jpeg[$0 + 1] == 0xC0 || jpeg[$0 + 1] == 0xC2) })
        jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0x40, 0x00, 0x40, 0x00])
        let error = #expect(throws: ImageIOError.self) { try ImageFile.decode(jpeg) }
        #expect(error?.code == .truncated && error?.message.contains("cannot hold") == true, "\(String(describing: error))")
    }
}
