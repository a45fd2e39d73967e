import StudioCore
import TerminalGraphics
import Testing

@Suite("Area resampling")
struct ResamplerTests {
    @Test("halving averages each 2×2 block exactly")
    func halve() {
        let image = Image(width: 4, height: 2, layout: .gray, pixels: .eight([0, 100, 200, 200, 100, 200, 40, 40]))
        let small = Canvas(image).resized(width: 2, height: 1)
        #expect(small.rgb.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [100, 120])
    }

    @Test("no aliasing: a 1-pixel checkerboard shrinks to flat gray")
    func checkerboard() {
        var samples: [UInt8] = []
        for y in 0..<64 { for x in 0..<64 { samples.append((x + y) % 2 == 0 ? 255 : 0) } }
        let small = Canvas(Image(width: 64, height: 64, layout: .gray, pixels: .eight(samples))).resized(width: 10, height: 10)
        #expect(small.rgb.allSatisfy { abs($0 - 127.5) < 16 })
    }

    @Test("transparent pixels do not darken their neighbours")
    func premultiplied() {
        let image = Image(width: 2, height: 1, layout: .rgba, pixels: .eight([255, 0, 0, 255, 0, 0, 0, 0]))
        let one = Canvas(image).resized(width: 1, height: 1)
        #expect(one.rgb[0] == 255 && abs(one.alpha[0] - 0.5) < 1e-6)
    }

    @Test("enlarging keeps values within the source range")
    func enlarge() {
        let image = Image(width: 2, height: 1, layout: .gray, pixels: .eight([0, 255]))
        let big = Canvas(image).resized(width: 7, height: 3)
        #expect(big.width == 7 && big.rgb.allSatisfy { $0 >= 0 && $0 <= 255 })
        #expect(big.rgb[0] == 0 && big.rgb[6 * 3] == 255)
    }
}
