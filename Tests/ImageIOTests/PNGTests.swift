import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@Suite("PNG")
struct PNGTests {
    @Test("round trip keeps every sample", arguments: PixelLayout.allCases, [BitDepth.eight, .sixteen])
    func roundTrip(layout: PixelLayout, depth: BitDepth) throws {
        // Sixteen-bit images with alpha come back as 8-bit (see PNGCodec); the rest are exact.
        guard !(depth == .sixteen && layout.hasAlpha) else { return }
        let image = TestImages.pattern(width: 37, height: 23, layout: layout, depth: depth)
        let bytes = try ImageFile.encode(image, as: .png)
        let decoded = try ImageFile.decode(bytes)
        #expect(decoded == image)
        let info = try ImageFile.probe(bytes: bytes)
        #expect(info == ImageInfo(format: .png, width: 37, height: 23, layout: layout, depth: depth))
    }

    @Test("16-bit with alpha is returned as 8-bit, straight alpha")
    func sixteenBitAlpha() throws {
        var samples = [UInt16](repeating: 0, count: 4 * 2)
        samples[0] = 65535; samples[1] = 65535  // opaque white
        samples[2] = 0; samples[3] = 65535  // opaque black
        samples[4] = 65535; samples[5] = 0  // transparent
        let image = Image(width: 4, height: 1, layout: .grayAlpha, pixels: .sixteen(samples))
        let bytes = try ImageFile.encode(image, as: .png)
        let decoded = try ImageFile.decode(bytes)
        #expect(decoded.depth == .eight)
        #expect(decoded.layout == .grayAlpha)
        guard case .eight(let out) = decoded.pixels else { return }
        #expect(Array(out[0..<4]) == [255, 255, 0, 255])
        #expect(out[5] == 0)
        #expect(try ImageFile.probe(bytes: bytes).depth == .eight)
    }

    @Test("files written by ImageMagick: palette, 16-bit gray, gray+alpha")
    func foreignFiles() throws {
        let dir = fixtures
        let palette = try ImageFile.read("\(dir)/palette.png")
        #expect(palette.layout == .rgb && palette.width == 16 && palette.height == 8)
        let paletteInfo = try ImageFile.probe("\(dir)/palette.png")
        #expect(paletteInfo.layout == .rgb)
        // Left half red, right half blue, as the fixture script draws it.
        let rgb = palette.rgb8()
        #expect(Array(rgb[0..<3]) == [255, 0, 0])
        #expect(Array(rgb[(15 * 3)..<(16 * 3)]) == [0, 0, 255])

        let gray16 = try ImageFile.read("\(dir)/gray16.png")
        #expect(gray16.depth == .sixteen && gray16.layout == .gray && gray16.width == 1024)
        guard case .sixteen(let g) = gray16.pixels else { Issue.record("not 16-bit"); return }
        #expect(g.first == 0 && g[gray16.width - 1] == 65535)
        #expect(Set(g).count > 256)
        let row = g.prefix(gray16.width)
        #expect(zip(row, row.dropFirst()).allSatisfy { $0 <= $1 })
        // The file says gAMA 0.45455, so libpng's simplified API returns linear light:
        // column 500 holds 32031 (0.4888) in the file, 0.4888^(1/0.45455) = 0.2071 → 13573.
        #expect(abs(Int(g[500]) - 13573) < 40)

        let ga = try ImageFile.read("\(dir)/gray-alpha.png")
        #expect(ga.layout == .grayAlpha)
        let trns = try ImageFile.read("\(dir)/palette-trns.png")
        #expect(trns.layout == .rgba)
        #expect(try ImageFile.probe("\(dir)/palette-trns.png").layout == .rgba)
    }

    @Test("a truncated PNG is an error naming the file")
    func truncated() throws {
        let bytes = try ImageFile.encode(TestImages.pattern(width: 64, height: 64, layout: .rgb), as: .png)
        let dir = TemporaryDirectory()
        let path = dir.write("cut.png", Array(bytes.prefix(bytes.count / 2)))
        let error = #expect(throws: ImageIOError.self) { try ImageFile.read(path) }
        #expect(error?.path == path)
        #expect(error?.code == .truncated || error?.code == .corrupt)
        // The header is intact, so probing still works: it reads no pixels.
        #expect(try ImageFile.probe(path).width == 64)
    }

    @Test("a PNG with a bad CRC is refused")
    func badCRC() throws {
        var bytes = try ImageFile.encode(TestImages.pattern(width: 16, height: 16, layout: .gray), as: .png)
        // Flip one byte inside the IDAT data; its CRC no longer matches.
        let idat = try #require(findChunk("IDAT", in: bytes))
        let length = Int(bytes[idat + 2]) << 8 | Int(bytes[idat + 3])
        var badData = bytes
        badData[idat + 8 + length / 2] ^= 0xFF  // zlib notices first
        #expect((#expect(throws: ImageIOError.self) { try ImageFile.decode(badData) })?.code == .corrupt)
        bytes[idat + 8 + length + 3] ^= 0xFF  // data intact, CRC wrong
        let error = #expect(throws: ImageIOError.self) { try ImageFile.decode(bytes) }
        #expect(error?.code == .corrupt)
        #expect(error?.message.lowercased().contains("crc") == true)

        var header = try ImageFile.encode(TestImages.pattern(width: 16, height: 16, layout: .gray), as: .png)
        header[17] ^= 0x01  // width byte inside IHDR
        #expect(throws: ImageIOError.self) { try ImageFile.probe(bytes: header) }
        #expect(throws: ImageIOError.self) { try ImageFile.decode(header) }
    }

    @Test("a 100000×100000 header is refused before allocating")
    func hugeHeader() throws {
        let bytes = Self.pngHeader(width: 100_000, height: 100_000)
        let decodeError = #expect(throws: ImageIOError.self) { try ImageFile.decode(bytes) }
        #expect(decodeError?.code == .tooLarge)
        let dir = TemporaryDirectory()
        let path = dir.write("huge.png", bytes)
        let probeError = #expect(throws: ImageIOError.self) { try ImageFile.probe(path) }
        #expect(probeError?.code == .tooLarge)
        #expect(probeError?.path == path)
        // 30000 × 30000 passes the side limit but not the pixel count.
        let wide = #expect(throws: ImageIOError.self) { try ImageFile.decode(Self.pngHeader(width: 30_000, height: 30_000)) }
        #expect(wide?.code == .tooLarge)
        let small = DecodeLimits(maxSide: 8, maxPixels: 64)
        let png = try ImageFile.encode(TestImages.pattern(width: 9, height: 2, layout: .gray), as: .png)
        #expect(throws: ImageIOError.self) { try ImageFile.decode(png, limits: small) }
    }

    @Test("zero-byte and non-image files")
    func emptyAndGarbage() throws {
        let dir = TemporaryDirectory()
        let empty = dir.write("empty.png", [])
        #expect((#expect(throws: ImageIOError.self) { try ImageFile.read(empty) })?.code == .empty)
        #expect((#expect(throws: ImageIOError.self) { try ImageFile.probe(empty) })?.code == .empty)
        let text = dir.write("text.png", "hello, not an image")
        #expect((#expect(throws: ImageIOError.self) { try ImageFile.read(text) })?.code == .unknownFormat)
        let missing = "\(dir.path)/missing.png"
        #expect((#expect(throws: ImageIOError.self) { try ImageFile.read(missing) })?.code == .unreadable)
        #expect((#expect(throws: ImageIOError.self) { try ImageFile.read(dir.path) })?.code == .unreadable)
        #expect(throws: ImageIOError.self) { try ImageFile.decode(Array("\u{89}PNG\r\n\u{1A}\n".utf8)) }
    }

    /// A PNG signature and IHDR chunk (with a correct CRC) announcing an 8-bit RGB image, and no data.
    static func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        var chunk = Array("IHDR".utf8)
        for v in [width, height] { chunk += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        chunk += [8, 2, 0, 0, 0]
        let crc = crc32(chunk)
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + chunk
            + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }

    @Test("zlib's level: every level keeps every sample, lower levels write more bytes; 8-bit marked sRGB, 16-bit linear")
    func compressionLevels() throws {
        var random = RandomStream(seed: 6)
        // Smooth gradients with a little noise, like a render.
        let rgb = (0..<(96 * 64 * 3)).map { i in UInt8(truncatingIfNeeded: (i / 3) % 96 * 2 + Int(random.next() % 6)) }
        let image = Image(width: 96, height: 64, layout: .rgb, pixels: .eight(rgb))
        var sizes: [Int] = []
        for level in [0, 2, 9] {
            let bytes = try ImageFile.encode(image, as: .png, pngLevel: level)
            #expect(try ImageFile.decode(bytes).pixels == image.pixels, "level \(level)")
            #expect(findChunk("sRGB", in: bytes) != nil)
            sizes.append(bytes.count)
        }
        #expect(sizes[0] > sizes[1] && sizes[1] >= sizes[2], "\(sizes)")
        let deep = Image(width: 3, height: 2, layout: .gray, pixels: .sixteen([0, 1, 255, 256, 40000, 65535]))
        let bytes = try ImageFile.encode(deep, as: .png, pngLevel: 2)
        #expect(try ImageFile.decode(bytes).pixels == deep.pixels)
        #expect(findChunk("gAMA", in: bytes) != nil && findChunk("sRGB", in: bytes) == nil)
    }

    private func findChunk(_ type: String, in bytes: [UInt8]) -> Int? {
        var offset = 8
        while offset + 8 <= bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            if String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self) == type { return offset }
            offset += 12 + length
        }
        return nil
    }
}

/// The folder of files written by other tools, beside these tests.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
