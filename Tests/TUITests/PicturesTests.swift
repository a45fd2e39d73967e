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
        #expect(text.hasPrefix("\u{1B}_Ga=T,f=100,t=d,C=1,q=2,"), "at its own pixels, the cursor held")
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
