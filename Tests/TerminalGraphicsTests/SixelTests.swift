import ImageIO
import StudioCore
import TerminalGraphics
import TestSupport
import Testing

@Suite("Sixel encoder")
struct SixelTests {
    static let photos = "\(CLIRoot.path)/Tests/DatasetsTests/Fixtures/coco-photos/val2017"

    @Test("an image with few colours decodes back exactly (to sixel's percent grid)")
    func exactSmall() throws {
        // Colours already on the percent grid: 0, 51 (20 %), 153 (60 %), 255.
        var rgb: [UInt8] = []
        for y in 0..<13 {
            for x in 0..<9 { rgb += [[0, 51, 153, 255][(x + y) % 4], [255, 0, 51, 153][x % 4], [153, 255, 0, 51][y % 4]] }
        }
        let image = Image(width: 9, height: 13, layout: .rgb, pixels: .eight(rgb))
        let bytes = SixelEncoder().encode(Canvas(image))
        let decoded = try SixelDecoder.decode(bytes)
        #expect(decoded.declaredWidth == 9 && decoded.declaredHeight == 13)
        #expect(decoded.image.rgb8() == image.rgb8())
    }

    @Test("golden bytes for a small gradient")
    func golden() throws {
        var rgb: [UInt8] = []
        for y in 0..<8 {
            for x in 0..<8 { rgb += [UInt8(x * 36), UInt8(y * 36), 128] }
        }
        let bytes = SixelEncoder(colors: 16).encode(Canvas(Image(width: 8, height: 8, layout: .rgb, pixels: .eight(rgb))))
        try Golden.check(bytes, "gradient-8x8-16colors.sixel")
    }

    @Test("never more than 256 colour registers, however many colours the image has")
    func paletteLimit() throws {
        let noisy = TestImages.pattern(width: 200, height: 120, layout: .rgb, seed: 9)
        let bytes = SixelEncoder().encode(Canvas(noisy))
        let decoded = try SixelDecoder.decode(bytes)
        #expect(decoded.registers <= 256)
        #expect(decoded.registers > 200)
        let few = SixelEncoder(colors: 8).encode(Canvas(noisy))
        #expect(try SixelDecoder.decode(few).registers <= 8)
    }

    @Test("a gray ramp keeps at least 64 distinct gray levels")
    func grayLevels() throws {
        let ramp = TestImages.grayRamp(width: 512, height: 12)
        let decoded = try SixelDecoder.decode(SixelEncoder().encode(Canvas(ramp))).image
        guard case .eight(let rgba) = decoded.pixels else { return }
        var levels: Set<UInt8> = []
        for p in 0..<(decoded.width * decoded.height) {
            #expect(rgba[p * 4] == rgba[p * 4 + 1] && rgba[p * 4 + 1] == rgba[p * 4 + 2])
            levels.insert(rgba[p * 4])
        }
        #expect(levels.count >= 64)
        // And the tones stay where they were: each column's mean within 2 levels of the source.
        let columnMeanError = (0..<decoded.width).map { x -> Double in
            let mean = (0..<decoded.height).reduce(0.0) { $0 + Double(rgba[($1 * decoded.width + x) * 4]) } / Double(decoded.height)
            return abs(mean - Double(x * 255 / 511))
        }.max()!
        #expect(columnMeanError < 6)
    }

    @Test("a gray photo keeps its tones: PSNR above 34 dB and 64+ levels")
    func grayPhoto() throws {
        let photo = try ImageFile.read("\(Self.photos)/flower_gray.jpg")
        let decoded = try SixelDecoder.decode(SixelEncoder().encode(Canvas(photo))).image
        let source = photo.rgb8(), shown = decoded.rgb8()
        #expect(ImageQuality.psnr(source, shown) > 34)
        #expect(Set(shown).count >= 64)
    }

    @Test("a colour photo: PSNR above 28 dB with Floyd–Steinberg")
    func colourPhoto() throws {
        let photo = try ImageFile.read("\(Self.photos)/china.jpg")
        let decoded = try SixelDecoder.decode(SixelEncoder().encode(Canvas(photo))).image
        #expect(decoded.width == photo.width && decoded.height == photo.height)
        #expect(ImageQuality.psnr(photo.rgb8(), decoded.rgb8()) > 28)
        for dithering in [Dithering.ordered, .none] {
            let other = try SixelDecoder.decode(SixelEncoder(dithering: dithering).encode(Canvas(photo))).image
            #expect(ImageQuality.psnr(photo.rgb8(), other.rgb8()) > 24, "\(dithering)")
        }
    }

    @Test("transparent pixels are not drawn; half-transparent ones are blended over the background")
    func transparency() throws {
        let rgba: [UInt8] = [255, 0, 0, 255, 255, 0, 0, 0, 255, 255, 255, 128, 0, 0, 255, 255]
        let image = Image(width: 2, height: 2, layout: .rgba, pixels: .eight(rgba))
        let bytes = SixelEncoder(background: (0, 0, 0)).encode(Canvas(image))
        #expect(bytes.starts(with: Array("\u{1B}P0;1;0q".utf8)))  // P2 = 1: undrawn pixels stay background
        let decoded = try SixelDecoder.decode(bytes).image
        guard case .eight(let out) = decoded.pixels else { return }
        #expect(out[3] == 255 && out[7] == 0 && out[11] == 255)
        #expect(Array(out[8..<11]).allSatisfy { (120...135).contains($0) })  // white at 50 % over black
    }

    @Test("zero-size, 1×1, a thin line and a tall image")
    func edges() throws {
        #expect(SixelEncoder().encode(Canvas(width: 0, height: 0)).isEmpty)
        let one = Image(width: 1, height: 1, layout: .rgb, pixels: .eight([10, 200, 30]))
        let decoded = try SixelDecoder.decode(SixelEncoder().encode(Canvas(one))).image
        #expect(decoded.width == 1 && decoded.height == 1)
        guard case .eight(let px) = decoded.pixels else { return }
        #expect(abs(Int(px[1]) - 200) <= 2)
        for (w, h) in [(300, 1), (1, 50), (7, 7)] {
            let image = TestImages.pattern(width: w, height: h, layout: .rgb)
            let d = try SixelDecoder.decode(SixelEncoder().encode(Canvas(image)))
            #expect(d.image.width == w && d.image.height == h)
        }
    }

    @Test("run-length compression: a flat image is a few dozen bytes")
    func runLength() {
        let flat = Canvas(width: 400, height: 60, fill: (51, 102, 153))
        let bytes = SixelEncoder().encode(flat)
        #expect(bytes.count < 120)
        #expect(String(decoding: bytes, as: UTF8.self).contains("!400~"))
    }
}

@Suite("Palette search")
struct PaletteSearchTests {
    @Test("the grid search finds the exact nearest colour (distance equal to brute force)", arguments: [1, 2, 17, 256])
    func exact(size: Int) {
        var rng = RandomStream(seed: UInt64(size))
        func channel() -> Float { Float(rng.next() % 256) }
        let palette = (0..<size).map { _ in SIMD3(channel(), channel(), channel()) }
        let search = NearestColor(palette)
        for _ in 0..<3000 {
            let c = SIMD3(Float(rng.next() % 300) - 20, Float(rng.next() % 300) - 20, Float(rng.next() % 300) - 20)
            let clamped = c.clamped(lowerBound: .zero, upperBound: SIMD3(repeating: 255))
            func distance(_ p: SIMD3<Float>) -> Float { ((p - clamped) * (p - clamped)).sum() }
            let best = palette.map(distance).min()!
            #expect(distance(palette[search.index(of: c)]) == best)
        }
    }
}
