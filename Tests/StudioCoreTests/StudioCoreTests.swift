import StudioCore
import Testing

@Suite("StudioCore")
struct StudioCoreTests {
    @Test("terminal-safe strings escape controls and keep letters")
    func terminalSafe() {
        #expect("plain".terminalSafe == "plain")
        #expect("snow ❄ ünïcode".terminalSafe == "snow ❄ ünïcode")
        #expect("\u{1B}[31mred".terminalSafe == "\\e[31mred")
        #expect("a\u{7}b\u{9B}c".terminalSafe == "a\\x07b\\x9bc")
        #expect("tab\there\n".terminalSafe == "tab\\there\\n")
        #expect("back\\slash".terminalSafe == "back\\\\slash")
        #expect("\u{202E}evil".terminalSafe == "\\u{202e}evil")
        #expect(!"x\u{1B}]0;title\u{7}".terminalSafe.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test("random streams are reproducible and derived streams independent")
    func randomStreams() {
        var a = RandomStream(seed: 42), b = RandomStream(seed: 42)
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
        let base = RandomStream(seed: 7)
        var d1 = base.derived(1), d1again = base.derived(1), d2 = base.derived(2)
        let x = d1.next()
        #expect(x == d1again.next())
        #expect(x != d2.next())
        var u = RandomStream(seed: 3)
        for _ in 0..<1000 {
            let v = u.nextUnit()
            #expect(v >= 0 && v < 1)
        }
    }

    @Test("boxes: well-formedness, fit and IoU")
    func boxes() {
        let box = BoundingBox(x: 10, y: 10, width: 20, height: 10)
        #expect(box.isWellFormed && box.area == 200)
        #expect(box.fits(width: 30, height: 20))
        #expect(!box.fits(width: 29, height: 20))
        #expect(!BoundingBox(x: 0, y: 0, width: -1, height: 2).isWellFormed)
        #expect(!BoundingBox(x: 0, y: 0, width: .nan, height: 2).isWellFormed)
        #expect(box.iou(box) == 1)
        #expect(box.iou(BoundingBox(x: 100, y: 100, width: 1, height: 1)) == 0)
    }

    @Test("rgb8 composites alpha over the background and rounds 16-bit samples")
    func rgb8() {
        let image = Image(width: 2, height: 1, layout: .grayAlpha, pixels: .eight([200, 255, 200, 0]))
        #expect(image.rgb8(background: (10, 20, 30)) == [200, 200, 200, 10, 20, 30])
        let deep = Image(width: 1, height: 1, layout: .rgb, pixels: .sixteen([65535, 0, 32896]))
        #expect(deep.rgb8() == [255, 0, 128])
    }
}
