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

    @Test("points of the unit square: in [0, 1)², the two coordinates uncorrelated, the square evenly covered")
    func unitSquare() {
        var random = RandomStream(seed: 11)
        let points = (0..<40_000).map { _ in random.nextSquare() }
        #expect(points.allSatisfy { $0.x >= 0 && $0.x < 1 && $0.y >= 0 && $0.y < 1 })
        // Each quarter of the square gets a quarter of the points, within a few standard deviations.
        var quarters = [Int](repeating: 0, count: 4)
        for p in points { quarters[(p.x < 0.5 ? 0 : 1) + (p.y < 0.5 ? 0 : 2)] += 1 }
        #expect(quarters.allSatisfy { abs($0 - 10_000) < 400 })
        let mean = points.reduce(.zero, +) / Float(points.count)
        let covariance = points.reduce(0) { $0 + ($1.x - mean.x) * ($1.y - mean.y) } / Float(points.count)
        #expect(abs(covariance) < 0.002)
        #expect(abs(mean.x - 0.5) < 0.01 && abs(mean.y - 0.5) < 0.01)
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

@Suite("Text from C buffers")
struct CTextTests {
    @Test func stopsAtTheFirstNulAndReplacesBadBytes() {
        #expect(String(cBuffer: [72, 105, 0, 88, 88]) == "Hi")
        #expect(String(cBuffer: [72, 105]) == "Hi", "no NUL: the whole buffer")
        #expect(String(cBuffer: [0, 72]) == "")
        #expect(String(cBuffer: [72, CChar(bitPattern: 0xFF), 105, 0]) == "H\u{FFFD}i")
    }
}
