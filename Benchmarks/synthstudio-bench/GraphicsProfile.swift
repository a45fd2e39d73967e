import Dispatch
import Foundation
import ImageIO
import StudioCore
import TerminalGraphics
import TestSupport

/// Time of each stage of the sixel pipeline on one photo (release build), for finding hot spots.
func profileSixel(_ path: String) throws {
    func ms(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }
    var image: Image!
    var canvas: Canvas!
    var palette: [SIMD3<Float>] = []
    var indices: [UInt16] = []
    var bytes: [UInt8] = []
    for round in 0..<3 {
        let t1 = try ms { image = try ImageFile.read(path) }
        let t2 = ms { canvas = Canvas(image) }
        let t3 = ms { canvas = canvas.flattened(over: (0, 0, 0)) }
        let t4 = ms { palette = PaletteBuilder.build(canvas, maximum: 256) }
        let t5 = ms {
            let d = Ditherer(palette: palette)
            indices = d.indices(canvas, method: .floydSteinberg)
        }
        let t6 = ms { bytes = SixelEncoder.write(indices: indices, palette: palette, width: canvas.width, height: canvas.height) }
        if round == 2 {
            var shown = [UInt8](repeating: 0, count: indices.count * 3)
            for (p, i) in indices.enumerated() {
                let c = palette[Int(i)]
                shown[p * 3] = UInt8(c.x.rounded()); shown[p * 3 + 1] = UInt8(c.y.rounded()); shown[p * 3 + 2] = UInt8(c.z.rounded())
            }
            print(String(format: "  PSNR %.2f dB", ImageQuality.psnr(canvas.rgb8(), shown)))
            print(
                String(
                    format: "  decode %.2f  canvas %.2f  flatten %.2f  palette %.2f  dither %.2f  write %.2f ms  (%d bytes)", t1, t2, t3,
                    t4, t5, t6, bytes.count))
        }
    }
}

func profileNearest() {
    var rng = RandomStream(seed: 3)
    var palette: [SIMD3<Float>] = []
    for _ in 0..<256 { palette.append(SIMD3(Float(rng.next() % 256), Float(rng.next() % 256), Float(rng.next() % 256))) }
    let colors = (0..<68_000).map { _ in SIMD3<Float>(Float(rng.next() % 256), Float(rng.next() % 256), Float(rng.next() % 256)) }
    let search = NearestColor(palette)
    var sum = 0
    let start = DispatchTime.now().uptimeNanoseconds
    for c in colors { sum &+= search.index(of: c) }
    let t = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    print(String(format: "  68k NearestColor lookups: %.2f ms (%d)", t, sum))
}
