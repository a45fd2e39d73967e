import Foundation
import ImageIO
import StudioCore
import TerminalGraphics
import TestSupport
import Testing

@testable import TUI

@Suite struct PicturesTests {
    /// The tiny workspace, indexed, in a terminal that speaks `graphics`.
    static func app(_ dir: TemporaryDirectory, graphics: AppState.Graphics) throws -> App {
        let data = try StudioData(workspace: dir.path)
        _ = data.indexer()
        data.reload()
        return App(data: data, colors: .truecolor, graphics: graphics, pixelModes: [graphics], executable: "/bin/false")
    }

    /// Composes until `done` holds for the pictures (previews are made off the UI thread).
    static func pictures(_ app: App, width: Int = 120, height: Int = 30, until done: ([PicturePlacement]) -> Bool) -> [PicturePlacement] {
        let deadline = Date().addingTimeInterval(10)
        var pictures = app.compose(width: width, height: height).pictures
        while !done(pictures), Date() < deadline {
            usleep(10_000)
            _ = app.poll()
            pictures = app.compose(width: width, height: height).pictures
        }
        return pictures
    }

    @Test func browseSendsThePreviewAndEveryThumbnailAsKittyPictures() throws {
        let dir = try tinyWorkspace()
        let app = try Self.app(dir, graphics: .kitty)
        app.handle(.enter)
        let preview = Self.pictures(app) { !$0.isEmpty }
        let picture = try #require(preview.first)
        #expect(preview.count == 1 && picture.mode == .kitty)
        // The bytes are kitty APC chunks whose payload is the preview as PNG.
        let text = String(decoding: picture.bytes, as: UTF8.self)
        #expect(text.hasPrefix("\u{1B}_Ga=T,f=100,t=d,i=\(try #require(picture.kittyID)),C=1,q=2,"), "at its own pixels, the cursor held")
        let payload = text.split(separator: "\u{1B}\\").map { chunk in chunk.split(separator: ";", maxSplits: 1).last.map(String.init) ?? ""
        }
        .joined()
        let png = try #require(Base64.decode(Array(payload.utf8)))
        let decoded = try ImageFile.decode(png)
        #expect(decoded.width > 8 && decoded.width == decoded.height, "the 8×8 image enlarged to the pane, square")
        // An overlay hides pictures (the terminal would draw them over the panel).
        app.handle(.character("?"))
        #expect(app.compose(width: 120, height: 30).pictures.isEmpty)
        app.handle(.escape)
        // Thumbnails: one picture each, not blocks.
        app.handle(.character("v"))
        let grid = Self.pictures(app) { $0.count >= 6 }
        #expect(grid.count >= 6 && grid.allSatisfy { $0.mode == .kitty && $0.columns <= 12 }, "\(grid.count)")
        #expect(Set(grid.map { "\($0.x),\($0.y)" }).count == grid.count, "each in its own place")
        #expect(Set(grid.compactMap(\.kittyID)).count == grid.count, "each under its own id (deleted by it)")
        // t cycles kitty → blocks → ascii → kitty; in blocks there are no pictures.
        app.handle(.character("t"))
        #expect(app.state.graphics == .blocks && Self.pictures(app) { $0.isEmpty }.isEmpty)
        app.handle(.character("t"))
        app.handle(.character("t"))
        #expect(app.state.graphics == .kitty)
    }

    @Test func iTermPicturesAreOneOSCEach() throws {
        let dir = try tinyWorkspace()
        let app = try Self.app(dir, graphics: .iterm)
        app.handle(.enter)
        let picture = try #require(Self.pictures(app) { !$0.isEmpty }.first)
        let text = String(decoding: picture.bytes, as: UTF8.self)
        #expect(picture.mode == .iterm && text.hasPrefix("\u{1B}]1337;File=inline=1;size=") && picture.bytes.last == 0x07)
    }
}

@Suite struct DirectColourTests {
    /// Inside tmux with COLORTERM=truecolor ncurses maps colours to 256; text previews are then
    /// written past it, in 24-bit, at their cells.
    @Test func blockPreviewsGoStraightIn24BitColour() throws {
        let dir = try tinyWorkspace()
        let app = try PicturesTests.app(dir, graphics: .blocks)
        app.directColor = true
        app.handle(.enter)
        let picture = try #require(PicturesTests.pictures(app) { !$0.isEmpty }.first)
        let text = String(decoding: picture.bytes, as: UTF8.self)
        #expect(picture.mode == .blocks && text.contains("38;2;") && text.hasPrefix("\u{1B}[\(picture.y + 1);\(picture.x + 1)H"))
        // One cursor move per row of the preview.
        #expect(text.components(separatedBy: "H").count - 1 >= picture.rows)
        app.directColor = false
        #expect(PicturesTests.pictures(app) { $0.isEmpty }.isEmpty, "256 colours: the cells go through ncurses")
    }
}

@Suite struct PreviewLayerTests {
    @Test func masksTintInstancesAndDepthShadesNearBright() throws {
        let dir = TemporaryDirectory("layers")
        let image = Image(width: 4, height: 2, layout: .rgb, pixels: .eight([UInt8](repeating: 100, count: 24)))
        // Instance 0 (none) on the left half, instance 3 on the right; depth 1 m, 10 m, nothing hit.
        try ImageFile.write(Image(width: 4, height: 2, layout: .gray, pixels: .sixteen([0, 0, 3, 3, 0, 0, 3, 3])), to: dir.file("m.png"))
        try ImageFile.write(
            Image(width: 4, height: 2, layout: .gray, pixels: .sixteen([1000, 1000, 10000, 65535, 1000, 1000, 10000, 65535])),
            to: dir.file("d.png"))
        let masked = try PreviewService.layered(image, .masks(dir.file("m.png"))).rgb8()
        #expect(Array(masked[0..<3]) == [100, 100, 100], "no instance: the image as it is")
        #expect(Array(masked[6..<9]) != [100, 100, 100], "an instance is tinted")
        let depth = try PreviewService.layered(image, .depth(dir.file("d.png"))).rgb8()
        let luma = { (p: Int) in Int(depth[p * 3]) + Int(depth[p * 3 + 1]) + Int(depth[p * 3 + 2]) }
        #expect(luma(0) > luma(2) && luma(2) > luma(3) && luma(3) == 0, "near bright, far darker, nothing hit black")
        // Not a 16-bit map: a clear error, no crash.
        try ImageFile.write(image, to: dir.file("rgb.png"))
        #expect(throws: ImageIOError.self) { try PreviewService.layered(image, .masks(dir.file("rgb.png"))) }
    }

    @Test func mAndDTogglePreviewLayersAndSayWhenThereIsNone() throws {
        let dir = try tinyWorkspace()
        let app = try PicturesTests.app(dir, graphics: .blocks)
        app.handle(.enter)
        app.handle(.character("m"))
        #expect(app.state.layer == .masks)
        #expect(settledText(app).contains("Preview · blocks · no masks/ for it"))
        try FileManager.default.createDirectory(atPath: dir.file("real/shapes/masks"), withIntermediateDirectories: true)
        try ImageFile.write(
            Image(width: 8, height: 8, layout: .gray, pixels: .sixteen([UInt16](repeating: 1, count: 64))),
            to: dir.file("real/shapes/masks/0.png"))
        #expect(settledText(app).contains("Preview · blocks · masks"))
        app.handle(.character("d"))
        #expect(app.state.layer == .depth)
        app.handle(.character("d"))
        #expect(app.state.layer == .image)
    }
}

@Suite struct PreviewZoomTests {
    @Test func aZoomStaysInsideTheImageAndSteps() {
        var zoom = PreviewZoom(sample: 1, level: 2)
        #expect(zoom.region == BoundingBox(x: 0.25, y: 0.25, width: 0.5, height: 0.5))
        zoom = zoom.panned(dx: -4, dy: -4)
        #expect(zoom.region.x == 0 && zoom.region.y == 0, "it stops at the image's edge")
        #expect(zoom.panned(dx: 1, dy: 0).region.x == 0.125, "a quarter of what is shown")
        let closer = try! #require(zoom.zoomed(by: 2))
        #expect(closer.level == 4 && closer.region.width == 0.25)
        #expect(try! #require(PreviewZoom(sample: 1, level: 16).zoomed(by: 2)).level == 16, "at most 16×")
        #expect(zoom.zoomed(by: 0.5) == nil, "out of 2×: the whole image")
        #expect(PreviewZoom(sample: 1, level: 4, centerX: .nan, centerY: .infinity).region.x == 0.375)
        // Onto a 20×40 box of a 640×480 image: the largest level where three times it fits.
        let onto = PreviewZoom.onto(BoundingBox(x: 600, y: 100, width: 20, height: 40), width: 640, height: 480, sample: 1)
        #expect(onto.level == 4 && onto.region.maxX == 1, "\(onto.level) \(onto.region)")
        #expect(PreviewZoom.onto(BoundingBox(x: 300, y: 200, width: 8, height: 9), width: 640, height: 480, sample: 1).level == 16)
        #expect(PreviewZoom.onto(BoundingBox(x: 0, y: 0, width: 600, height: 400), width: 640, height: 480, sample: 1).level == 2)
    }

    @Test func aZoomedPreviewShowsOnlyItsRegionWithItsBoxesMoved() throws {
        let dir = TemporaryDirectory("zoom")
        // 64×64: the top-left quadrant red, the rest blue.
        var rgb = [UInt8](repeating: 0, count: 64 * 64 * 3)
        for y in 0..<64 { for x in 0..<64 { rgb[(y * 64 + x) * 3 + (x < 32 && y < 32 ? 0 : 2)] = 255 } }
        try ImageFile.write(Image(width: 64, height: 64, layout: .rgb, pixels: .eight(rgb)), to: dir.file("q.png"))
        let service = PreviewService(colors: .truecolor)
        func cells(_ region: BoundingBox?) throws -> CellGrid {
            var request = PreviewService.Request(path: dir.file("q.png"), columns: 16, rows: 8, mode: .blocks)
            request.region = region
            guard case .cells(let grid) = service.render(request) else { throw CancellationError() }
            return grid
        }
        let whole = try cells(nil)
        let zoomed = try cells(PreviewZoom(sample: 1, level: 2, centerX: 0, centerY: 0).region)
        func reds(_ grid: CellGrid) -> Int {
            var n = 0
            for r in 0..<grid.rows {
                for c in 0..<grid.columns where max(grid[c, r].foreground?.x ?? 0, grid[c, r].background?.x ?? 0) > 200 { n += 1 }
            }
            return n
        }
        #expect(reds(zoomed) == zoomed.rows * zoomed.columns, "only the red quadrant, enlarged")
        #expect(reds(whole) * 3 < whole.rows * whole.columns * 2 && reds(whole) > 0)
        #expect(reds(try cells(PreviewZoom(sample: 1, level: 2, centerX: 1, centerY: 1).region)) == 0)
        // A box in the blue half is not drawn in the red quadrant; one inside it is, moved.
        var request = PreviewService.Request(
            path: dir.file("q.png"), columns: 16, rows: 8, mode: .sixel,
            boxes: [OverlayBox(box: BoundingBox(x: 40, y: 40, width: 10, height: 10), label: "far")])
        request.region = PreviewZoom(sample: 1, level: 2, centerX: 0, centerY: 0).region
        let plain = service.render(request)
        request.boxes.append(OverlayBox(box: BoundingBox(x: 8, y: 8, width: 16, height: 16), label: "near"))
        let boxed = service.render(request)
        guard case .pixels(let a, _, _, _) = plain, case .pixels(let b, _, _, _) = boxed else {
            Issue.record("pixels expected")
            return
        }
        let empty = PreviewService.Request(path: dir.file("q.png"), columns: 16, rows: 8, mode: .sixel)
        var unboxed = empty
        unboxed.region = request.region
        guard case .pixels(let c, _, _, _) = service.render(unboxed) else { return }
        #expect(a == c, "the far box lies outside the region")
        #expect(b != c, "the near box is drawn")
    }

    @Test func zKeysStepThroughObjectsAndEscapeShowsTheWholeImage() throws {
        let dir = try shapesWorkspace()
        let app = try openApp(dir)
        app.handle(.enter)
        var text = settledText(app)
        app.handle(.character("z"))
        let zoom = try #require(app.state.zoom)
        let object = try #require(zoom.object)
        #expect(object.index == 0 && object.of >= 1 && zoom.level >= 2)
        text = settledText(app)
        #expect(text.contains("zoom \(zoom.level)× on "), "\(text)")
        app.handle(.character("Z"))
        #expect(app.state.zoom?.object?.index == object.of - 1, "Z goes back round to the last")
        app.handle(.character("-"))
        app.handle(.character("+"))
        app.handle(.character("L"))
        #expect(app.state.zoom?.object == nil && app.state.zoom != nil)
        // Another sample shows whole; Esc drops the zoom before it clears anything else.
        app.handle(.character("j"))
        text = settledText(app)
        #expect(!text.contains(" · zoom "), "\(text)")
        app.handle(.escape)
        #expect(app.state.zoom == nil && app.state.focus == .samples)
        app.handle(.character("K"))
        #expect(app.state.zoom == nil && app.state.status.contains("zooms first"))
    }
}
