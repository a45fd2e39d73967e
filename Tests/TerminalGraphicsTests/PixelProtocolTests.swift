import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@testable import TerminalGraphics

/// The kitty graphics protocol and iTerm2 inline images: framing checked against golden files and
/// decoded back (chunks joined, base64 undone, the PNG read with our decoder).
@Suite("Pixel protocols")
struct PixelProtocolTests {
    @Test("base64 follows RFC 4648's test vectors and decodes what it encodes")
    func base64() throws {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(String(decoding: Base64.encode(Array(plain.utf8)), as: UTF8.self) == encoded)
            #expect(Base64.decode(Array(encoded.utf8)) == Array(plain.utf8))
        }
        var random = RandomStream(seed: 3)
        let bytes = (0..<1001).map { _ in UInt8(random.nextUnit() * 256) }
        #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        #expect(Base64.decode(Array("Zm9v!A==".utf8)) == nil && Base64.decode(Array("Zm9".utf8)) == nil)
        #expect(Base64.decode(Array("Zg==Zm9v".utf8)) == nil, "padding only at the end")
    }

    /// A 3 × 2 picture as the TUI sends it: PNG from ImageIO.
    static func png() throws -> (Canvas, [UInt8]) {
        let rgb: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 128, 128, 128]
        let image = Image(width: 3, height: 2, layout: .rgb, pixels: .eight(rgb))
        return (Canvas(image), try ImageFile.encode(image, as: .png))
    }

    @Test("kitty: one APC per 4096 base64 bytes, keys on the first, m=1 until the last; the picture decodes back")
    func kitty() throws {
        let (canvas, png) = try Self.png()
        let bytes = KittyGraphics.display(png: png, columns: 4, rows: 2)
        try Golden.check(bytes, "rgb-3x2.kitty")
        let parsed = try #require(KittyStream.parse(bytes))
        #expect(parsed.count == 1 && parsed[0].keys == ["a": "T", "f": "100", "t": "d", "c": "4", "r": "2", "C": "1", "q": "2", "m": "0"])
        let decoded = try ImageFile.decode(try #require(Base64.decode(parsed[0].payload)))
        #expect(decoded.rgb8() == canvas.rgb8())

        // A large picture: chunked.
        var random = RandomStream(seed: 5)
        let big = (0..<20_000).map { _ in UInt8(random.nextUnit() * 256) }
        let chunks = try #require(KittyStream.parse(KittyGraphics.display(png: big, id: 7, columns: 10, rows: 5, holdCursor: false)))
        #expect(chunks.count == (Base64.encode(big).count + 4095) / 4096)
        #expect(chunks.allSatisfy { $0.payload.count <= 4096 })
        #expect(chunks.dropLast().allSatisfy { $0.keys["m"] == "1" } && chunks.last?.keys == ["m": "0"])
        #expect(chunks[0].keys["i"] == "7" && chunks[0].keys["C"] == nil, "an id when given; the cursor moves for a command's output")
        #expect(chunks.dropFirst().allSatisfy { $0.keys.count == 1 }, "later chunks carry m only")
        #expect(Base64.decode(chunks.flatMap(\.payload)) == big)
        #expect(String(decoding: KittyGraphics.delete(), as: UTF8.self) == "\u{1B}_Ga=d,d=A,q=2\u{1B}\\")
        #expect(String(decoding: KittyGraphics.delete(id: 7), as: UTF8.self) == "\u{1B}_Ga=d,d=I,i=7,q=2\u{1B}\\")
        #expect(KittyGraphics.answered("\u{1B}_Gi=31;OK\u{1B}\\\u{1B}[?62;c") && !KittyGraphics.answered("\u{1B}[?62;c"))
    }

    @Test("iTerm2: one OSC 1337 with the file's size and cells; the picture decodes back")
    func iterm() throws {
        let (canvas, png) = try Self.png()
        let bytes = ITermGraphics.display(png: png, columns: 4, rows: 2)
        try Golden.check(bytes, "rgb-3x2.iterm")
        let text = String(decoding: bytes, as: UTF8.self)
        let header = "\u{1B}]1337;File=inline=1;size=\(png.count);width=4;height=2;preserveAspectRatio=1:"
        #expect(text.hasPrefix(header) && bytes.last == 0x07)
        let payload = Array(bytes[header.utf8.count..<(bytes.count - 1)])
        #expect(try ImageFile.decode(try #require(Base64.decode(payload))).rgb8() == canvas.rgb8())
    }

    @Test("a preview in kitty or iTerm2 mode is the resized picture, boxes drawn, as PNG")
    func preview() throws {
        let image = TestImages.pattern(width: 64, height: 32, layout: .rgb, seed: 2)
        for mode in [GraphicsMode.kitty, .iterm] {
            let options = PreviewOptions(mode: mode, width: .pixels(40), cell: CellSize(width: 10, height: 20))
            var encoded: Canvas?
            let bytes = Preview.render(image, options: options) { canvas in
                encoded = canvas
                return try? ImageFile.encode(
                    Image(width: canvas.width, height: canvas.height, layout: .rgb, pixels: .eight(canvas.rgb8())), as: .png)
            }
            let canvas = try #require(encoded)
            #expect(canvas.width == 40 && canvas.height == 20)
            // kitty shows the picture's own pixels (already sized for the cells); iTerm2 is told its cells.
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(mode == .kitty ? text.hasPrefix("\u{1B}_Ga=T,f=100,t=d,q=2,m=0;") : text.contains("width=4;height=1"))
        }
    }
}

/// kitty APC sequences read back: keys and payload of each `ESC _ G … ESC \`.
enum KittyStream {
    static func parse(_ bytes: [UInt8]) -> [(keys: [String: String], payload: [UInt8])]? {
        var out: [(keys: [String: String], payload: [UInt8])] = []
        var i = 0
        while i < bytes.count {
            guard bytes.count - i >= 3, bytes[i] == 0x1B, bytes[i + 1] == UInt8(ascii: "_"), bytes[i + 2] == UInt8(ascii: "G") else {
                return nil
            }
            var end = i + 3
            while end + 1 < bytes.count, !(bytes[end] == 0x1B && bytes[end + 1] == UInt8(ascii: "\\")) { end += 1 }
            guard end + 1 < bytes.count else { return nil }
            let body = Array(bytes[(i + 3)..<end])
            let semicolon = body.firstIndex(of: UInt8(ascii: ";")) ?? body.count
            var keys: [String: String] = [:]
            for pair in String(decoding: body[..<semicolon], as: UTF8.self).split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { return nil }
                keys[String(kv[0])] = String(kv[1])
            }
            out.append((keys, semicolon < body.count ? Array(body[(semicolon + 1)...]) : []))
            i = end + 2
        }
        return out
    }
}

@Suite("Few colours")
struct FewColoursTests {
    @Test("in 8 and 16 colours every cell's colours are the palette's own, dithered in 16")
    func palette() throws {
        let image = TestImages.pattern(width: 64, height: 48, layout: .rgb, seed: 9)
        for (mode, count) in [(ColorMode.palette8, 8), (.palette16, 16)] {
            let grid = try #require(Preview.cells(image, options: PreviewOptions(mode: .blocks(.half), colors: mode, width: .columns(20))))
            let allowed = Set(ANSIColors.palette16.prefix(count).map { SIMD3<UInt8>(UInt8($0.0), UInt8($0.1), UInt8($0.2)) })
            for row in 0..<grid.rows {
                for column in 0..<grid.columns {
                    let cell = grid[column, row]
                    #expect(cell.foreground.map(allowed.contains) ?? true)
                    #expect(cell.background.map(allowed.contains) ?? true)
                }
            }
        }
        #expect(ANSIColors.sgr(r: 200, g: 10, b: 10, mode: .palette8, background: false) == "31")
        #expect(ANSIColors.sgr(r: 250, g: 250, b: 250, mode: .palette8, background: true) == "47")
        #expect(ANSIColors.nearest8(r: 127, g: 127, b: 127) == 7, "a mid grey is light grey, not cyan")
        #expect(ANSIColors.nearest8(r: 40, g: 40, b: 40) == 0 && ANSIColors.nearest8(r: 20, g: 30, b: 200) == 4)
    }
}

@Suite("Box labels")
struct BoxLabelTests {
    @Test("labels never overlap and stay on the canvas; the largest boxes choose first")
    func noCollisions() {
        // Eight lamps side by side and a car under them: the street's crowded horizon.
        var boxes: [(x0: Int, y0: Int, x1: Int, y1: Int, labelWidth: Int)] = (0..<8).map { i in
            (x0: 100 + i * 12, y0: 60, x1: 106 + i * 12, y1: 90, labelWidth: 11 * 6 + 2)
        }
        boxes.append((x0: 90, y0: 70, x1: 250, y1: 150, labelWidth: 3 * 6 + 2))
        let spots = Canvas.labelSpots(boxes, width: 320, height: 200)
        #expect(spots.first?.0 == 8, "the car is placed first")
        for (a, ra) in spots {
            #expect(ra.x >= 0 && ra.y >= 0 && ra.x + ra.w <= 320 && ra.y + ra.h <= 200, "\(a) on the canvas")
            for (b, rb) in spots where b != a {
                #expect(!(ra.x < rb.x + rb.w && rb.x < ra.x + ra.w && ra.y < rb.y + rb.h && rb.y < ra.y + ra.h), "\(a) and \(b) overlap")
            }
        }
        #expect(spots.count >= 4, "several lamps still get a label: \(spots.count)")
        #expect(spots.count < boxes.count, "not all nine fit side by side without overlap")
    }
}
