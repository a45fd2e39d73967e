import ImageIO
import StudioCore
import TestSupport
import Testing

@testable import TerminalGraphics

@Suite("Unicode blocks and ASCII")
struct TextModeTests {
    static let photo = "\(SixelTests.photos)/flower.jpg"

    /// Left half red, right half blue, top quarter white: 16 × 16.
    static func pattern() -> Image {
        var rgb: [UInt8] = []
        for y in 0..<16 {
            for x in 0..<16 { rgb += y < 4 ? [255, 255, 255] : x < 8 ? [255, 0, 0] : [0, 0, 255] }
        }
        return Image(width: 16, height: 16, layout: .rgb, pixels: .eight(rgb))
    }

    @Test("golden text for each block mode and ASCII", arguments: ["blocks", "half", "sextant", "ascii"])
    func golden(mode: String) throws {
        let options = PreviewOptions(
            mode: GraphicsMode(name: mode)!, colors: .truecolor, width: .columns(8), cell: CellSize(width: 10, height: 20))
        try Golden.check(Preview.render(Self.pattern(), options: options), "pattern-\(mode).txt")
    }

    @Test("golden text for a disc: glyph choice along curved edges", arguments: ["blocks", "half", "sextant", "ascii"])
    func goldenDisc(mode: String) throws {
        var rgb: [UInt8] = []
        for y in 0..<40 {
            for x in 0..<40 {
                let inside = (x - 20) * (x - 20) + (y - 20) * (y - 20) < 15 * 15
                rgb += inside ? [240, 200, 40] : [20, 30, 90]
            }
        }
        let disc = Image(width: 40, height: 40, layout: .rgb, pixels: .eight(rgb))
        let options = PreviewOptions(
            mode: GraphicsMode(name: mode)!, colors: .truecolor, width: .columns(12), cell: CellSize(width: 10, height: 20))
        try Golden.check(Preview.render(disc, options: options), "disc-\(mode).txt")
    }

    @Test("block output rendered back matches the picture: the red/blue edge and the white band")
    func renderedBack() throws {
        let options = PreviewOptions(mode: .blocks(.block), colors: .truecolor, width: .columns(8), cell: CellSize(width: 10, height: 20))
        let text = String(decoding: Preview.render(Self.pattern(), options: options), as: UTF8.self)
        let cells = CellRenderer.parse(text)
        #expect(cells.count == 4 && cells.allSatisfy { $0.count == 8 })  // 16×16 on 10×20 cells: 8 columns, 4 rows
        let image = CellRenderer.render(cells)
        let rgb = image.rgb8()
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(rgb[((y * image.width) + x) * 3..<((y * image.width) + x) * 3 + 3]) }
        #expect(pixel(2, 2) == [255, 255, 255])
        #expect(pixel(10, 40) == [255, 0, 0])
        #expect(pixel(image.width - 3, image.height - 3) == [0, 0, 255])
    }

    @Test("a photo in blocks beats half blocks, and every mode stays close to the picture")
    func photoQuality() throws {
        let photo = try ImageFile.read(Self.photo)
        var psnr: [String: Double] = [:]
        for mode in ["blocks", "half", "sextant"] {
            let options = PreviewOptions(mode: GraphicsMode(name: mode)!, colors: .truecolor, width: .columns(60))
            let rendered = CellRenderer.render(CellRenderer.parse(String(decoding: Preview.render(photo, options: options), as: UTF8.self)))
            let reference = Canvas(photo).resized(width: rendered.width, height: rendered.height).rgb8()
            psnr[mode] = ImageQuality.psnr(reference, rendered.rgb8())
        }
        #expect(psnr["blocks"]! > psnr["half"]!)
        #expect(psnr.values.allSatisfy { $0 > 22 })
    }

    @Test("256 and 16 colours use only palette codes; none uses no escape at all")
    func colourModes() {
        let image = Self.pattern()
        let c256 = String(
            decoding: Preview.render(image, options: PreviewOptions(mode: .blocks(.block), colors: .palette256, width: .columns(8))),
            as: UTF8.self)
        #expect(c256.contains("38;5;") || c256.contains("48;5;"))
        #expect(!c256.contains(";2;"))
        let c16 = String(
            decoding: Preview.render(image, options: PreviewOptions(mode: .blocks(.block), colors: .palette16, width: .columns(8))),
            as: UTF8.self)
        #expect(!c16.contains(";5;") && !c16.contains(";2;"))
        #expect(c16.contains("\u{1B}[91") || c16.contains("\u{1B}[31") || c16.contains("41m") || c16.contains("101m"))
        for mode in [GraphicsMode.blocks(.block), .ascii] {
            let plain = String(
                decoding: Preview.render(image, options: PreviewOptions(mode: mode, colors: .none, width: .columns(8))), as: UTF8.self)
            #expect(!plain.contains("\u{1B}"))
            #expect(plain.split(separator: "\n").count == 4)
        }
    }

    @Test("ASCII follows lightness: black is blank, white is dense, mid-gray mid-ramp")
    func asciiRamp() {
        let image = Image(width: 3, height: 1, layout: .gray, pixels: .eight([0, 119, 255]))
        let grid = ASCIIEncoder(colors: .none).encode(Canvas(image))
        #expect(grid.cells.map(\.character) == [" ", grid.cells[1].character, "$"])
        let middle = ASCIIEncoder.rampIndex(of: grid.cells[1].character)
        #expect((25...45).contains(middle))  // L* of 119 is about 50: half-way along the 70 characters
        let light = ASCIIEncoder(colors: .none, darkBackground: false).encode(Canvas(image))
        #expect(light.cells.first?.character == "$" && light.cells.last?.character == " ")
    }

    @Test("aspect: a square image on 10×20 cells is half as many rows as columns")
    func aspect() throws {
        let square = TestImages.pattern(width: 100, height: 100, layout: .rgb)
        let grid = try #require(Preview.cells(square, options: PreviewOptions(mode: .ascii, colors: .none, width: .columns(40))))
        #expect(grid.columns == 40 && grid.rows == 20)
        let limited = try #require(
            Preview.cells(square, options: PreviewOptions(mode: .ascii, colors: .none, width: .columns(40), maxRows: 10)))
        #expect(limited.rows == 10 && limited.columns == 20)
        let sixel = try #require(Preview.sixelCanvas(square, options: PreviewOptions(mode: .sixel, width: .pixels(64))))
        #expect(sixel.width == 64 && sixel.height == 64)
    }

    @Test("zero-size, 1×1 and a huge image")
    func edges() {
        let empty = Image(width: 0, height: 0, layout: .rgb)
        for mode in [GraphicsMode.sixel, .blocks(.block), .ascii] {
            #expect(Preview.render(empty, options: PreviewOptions(mode: mode)).isEmpty)
        }
        let one = Image(width: 1, height: 1, layout: .gray, pixels: .eight([200]))
        #expect(!Preview.render(one, options: PreviewOptions(mode: .blocks(.block), width: .columns(3))).isEmpty)
        let huge = Image(width: 4000, height: 3000, layout: .gray)
        let text = Preview.render(huge, options: PreviewOptions(mode: .blocks(.half), colors: .none, width: .columns(80)))
        #expect(String(decoding: text, as: UTF8.self).split(separator: "\n").count == 30)
    }

    @Test("boxes are drawn and their labels written as text in the cells")
    func overlays() throws {
        let image = Image(width: 200, height: 100, layout: .rgb)
        let box = OverlayBox(box: BoundingBox(x: 50, y: 40, width: 100, height: 40), label: "car\u{1B}[2J")
        let grid = try #require(Preview.cells(image, options: PreviewOptions(mode: .blocks(.block), width: .columns(40), boxes: [box])))
        let rows = (0..<grid.rows).map { r in String(String.UnicodeScalarView((0..<grid.columns).map { grid[$0, r].character })) }
        #expect(rows.contains { $0.contains("car?[2J") })  // the escape is never written raw
        // The outline is drawn in the box's colour on the black picture.
        #expect(grid.cells.contains { $0.foreground != nil && $0.foreground != SIMD3(0, 0, 0) || $0.background != SIMD3(0, 0, 0) })
        let canvas = try #require(Preview.sixelCanvas(image, options: PreviewOptions(mode: .sixel, width: .pixels(200), boxes: [box])))
        #expect(canvas.rgb[(60 * 200 + 50) * 3 + 0] > 0 || canvas.rgb[(60 * 200 + 50) * 3 + 2] > 0)  // left edge
        #expect(canvas.rgb[(60 * 200 + 100) * 3] == 0)  // inside stays black
    }
}

@Suite("Box colours")
struct BoxColourTests {
    static func box(_ label: String) -> OverlayBox { OverlayBox(box: BoundingBox(x: 0, y: 0, width: 4, height: 4), label: label) }

    @Test("classes drawn together never share a colour (up to the palette's twelve); a class keeps its colour wherever it has no clash")
    func distinct() {
        // The street classes and the ones the issue saw clash (person and tripod, car and pedestrian).
        let street = [
            "pedestrian", "car", "cyclist", "pedestrian_reflection", "street_lamp", "traffic_sign", "person", "tripod", "bus", "truck",
        ]
        let colors = OverlayBox.colors(for: street.map(Self.box))
        #expect(Set(colors.values.map { "\($0)" }).count == street.count)
        for n in 1...12 {
            let labels = (0..<n).map { "class-\($0)" }
            #expect(Set(OverlayBox.colors(for: labels.map(Self.box)).values.map { "\($0)" }).count == n, "\(n) classes")
        }
        // Alone, or beside a class that does not clash, a class has its own colour.
        let alone = OverlayBox.colors(for: [Self.box("car")])["car"]
        #expect(alone == Self.box("car").color)
        #expect(OverlayBox.colors(for: [Self.box("car"), Self.box("car")]).count == 1)
    }
}
