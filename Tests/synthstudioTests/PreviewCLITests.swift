import Foundation
import StudioCore
import TestSupport
import Testing

@Suite("synthstudio preview", .serialized)
struct PreviewCLITests {
    static let photo = "Tests/DatasetsTests/Fixtures/coco-photos/val2017/china.jpg"

    @Test("sixel to a pipe: a complete DCS that decodes to the requested width")
    func sixelToPipe() throws {
        let result = try CLIRunner.run(["preview", Self.photo, "--mode", "sixel", "--width", "160"])
        #expect(result.status == 0)
        let decoded = try SixelDecoder.decode(Array(result.stdout.utf8))
        #expect(decoded.image.width == 160 && decoded.image.height == 107)
    }

    @Test("blocks with --cols, colours as asked, NO_COLOR honoured")
    func blocks() throws {
        let colour = try CLIRunner.run(["preview", Self.photo, "--mode", "blocks", "--cols", "40", "--colors", "256"])
        let lines = colour.stdout.split(separator: "\n")
        #expect(lines.count == 13)  // 320×214 on 10×20 cells at 40 columns
        #expect(colour.stdout.contains("38;5;") && !colour.stdout.contains("38;2;"))
        let plain = try CLIRunner.run(["preview", Self.photo, "--mode", "ascii", "--cols", "40"], environment: ["NO_COLOR": "1"])
        #expect(!plain.stdout.contains("\u{1B}"))
        #expect(plain.stdout.split(separator: "\n").allSatisfy { $0.count == 40 })
    }

    @Test("auto mode without a terminal falls back to blocks")
    func autoWithoutTerminal() throws {
        let result = try CLIRunner.run(
            ["preview", Self.photo, "--cols", "20"], environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        #expect(result.status == 0)
        #expect(!result.stdout.hasPrefix("\u{1B}P"))
        #expect(result.stdout.unicodeScalars.contains { (0x2580...0x259F).contains($0.value) })
    }

    @Test("--boxes draws the dataset's labels")
    func boxes() throws {
        let result = try CLIRunner.run([
            "preview", Self.photo, "--mode", "ascii", "--cols", "80", "--colors", "none", "--boxes",
            "Tests/DatasetsTests/Fixtures/coco-photos",
        ])
        #expect(result.status == 0)
        for label in ["[building]", "[boat]", "[tree]"] { #expect(result.stdout.contains(label)) }
        let wrong = try CLIRunner.run(["preview", Self.photo, "--boxes", "Tests/DatasetsTests/Fixtures/voc-mini"])
        #expect(wrong.status == 1 && wrong.stderr.contains("is not an image of the dataset"))
    }

    @Test("bad input: a missing file, a broken image, bad options")
    func badInput() throws {
        let missing = try CLIRunner.run(["preview", "nope.png"])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("synthstudio: error: nope.png"))
        let dir = TemporaryDirectory()
        let cut = dir.write(
            "cut.jpg", Array(try Data(contentsOf: URL(fileURLWithPath: "\(CLIRunner.repository)/\(Self.photo)")).prefix(3000)))
        let broken = try CLIRunner.run(["preview", cut])
        #expect(broken.status == 1 && broken.stderr.contains("truncated"))
        #expect(try CLIRunner.run(["preview", Self.photo, "--mode", "kitty"]).status != 0)
        #expect(try CLIRunner.run(["preview", Self.photo, "--width", "10", "--cols", "10"]).status != 0)
        #expect(try CLIRunner.run(["preview", Self.photo, "--width", "0"]).status != 0)
    }
}
