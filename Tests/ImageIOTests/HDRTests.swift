import Foundation
import StudioCore
import TestSupport
import Testing

@testable import ImageIO

/// The sample workspace's environment maps (CC0, from Debian's blender-data).
private let city = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
    "../../sample-data/environments/city.exr"
)
.standardized.path

@Suite("HDR: Radiance RGBE and OpenEXR")
struct HDRTests {
    /// RGBE of a linear value triple (Ward's encoding).
    static func rgbe(_ c: SIMD3<Float>) -> [UInt8] {
        let m = c.max()
        guard m > 1e-32 else { return [0, 0, 0, 0] }
        let e = Int(floorf(log2f(m))) + 1
        let scale = 256 / powf(2, Float(e))
        return [UInt8(c.x * scale), UInt8(c.y * scale), UInt8(c.z * scale), UInt8(e + 128)]
    }

    static func header(width: Int, height: Int) -> [UInt8] {
        Array("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\nEXPOSURE=1\n\n-Y \(height) +X \(width)\n".utf8)
    }

    /// Flat rows, and run-length rows (a run and a literal stretch per channel).
    static func file(width: Int, height: Int, runLength: Bool) -> (bytes: [UInt8], values: [SIMD3<Float>]) {
        var bytes = header(width: width, height: height)
        var values: [SIMD3<Float>] = []
        for y in 0..<height {
            let row = (0..<width).map { x in SIMD3<Float>(Float(x < width / 2 ? 1 : x) * 0.5, Float(y) * 3 + 0.25, 100) }
            let encoded = row.map(rgbe)
            values += encoded.map { q in
                let s = powf(2, Float(Int(q[3]) - 136))
                return SIMD3((Float(q[0]) + 0.5) * s, (Float(q[1]) + 0.5) * s, (Float(q[2]) + 0.5) * s)
            }
            guard runLength else {
                bytes += encoded.flatMap { $0 }
                continue
            }
            bytes += [2, 2, UInt8(width >> 8), UInt8(width & 255)]
            for c in 0..<4 {
                let channel = encoded.map { $0[c] }
                // The first half as a run when it is one, the rest as literals of ≤ 128.
                var x = 0
                let half = width / 2
                if Set(channel[0..<half]).count == 1 {
                    bytes += [UInt8(128 + half), channel[0]]
                    x = half
                }
                while x < width {
                    let n = min(128, width - x)
                    bytes += [UInt8(n)] + channel[x..<(x + n)]
                    x += n
                }
            }
        }
        return (bytes, values)
    }

    @Test("Flat and run-length Radiance files read back to their RGBE values", arguments: [false, true])
    func radiance(_ runLength: Bool) throws {
        let (bytes, values) = Self.file(width: 40, height: 3, runLength: runLength)
        let dir = TemporaryDirectory()
        let image = try HDRFile.read(dir.write("sky.hdr", bytes))
        #expect(image.width == 40 && image.height == 3)
        for (i, v) in values.enumerated() {
            #expect(image.pixel(i % 40, i / 40) == v)
        }
    }

    @Test("Broken Radiance files are errors, and a lying size is refused before allocating")
    func brokenRadiance() {
        let (bytes, _) = Self.file(width: 40, height: 3, runLength: true)
        let dir = TemporaryDirectory()
        let cases: [(String, [UInt8])] = [
            ("truncated", Array(bytes.dropLast(30))),
            ("no header end", Array("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n".utf8)),
            ("other format", Array("#?RADIANCE\nFORMAT=32-bit_rle_xyze\n\n-Y 1 +X 1\n\0\0\0\0".utf8)),
            ("flipped orientation", Array("#?RADIANCE\n\n+Y 1 +X 1\n\0\0\0\0".utf8)),
            ("huge", Self.header(width: 30000, height: 30000) + [2, 2, 117, 48]),
            ("run past the row", Self.header(width: 8, height: 1) + [2, 2, 0, 8, 255, 7]),
            ("wrong row width", Self.header(width: 8, height: 1) + [2, 2, 0, 9] + [UInt8](repeating: 1, count: 40)),
        ]
        for (name, data) in cases {
            #expect(throws: ImageIOError.self, "\(name)") { try HDRFile.read(dir.write("\(name).hdr", data)) }
        }
    }

    @Test("An OpenEXR environment map reads as finite, non-negative light; broken EXR files are errors")
    func openEXR() throws {
        let image = try HDRFile.read(city)
        #expect(image.width == 2 * image.height)
        #expect(image.rgb.allSatisfy { $0.isFinite && $0 >= 0 })
        let mean = image.rgb.reduce(0, +) / Float(image.rgb.count)
        #expect(mean > 0.01)
        // The sky is brighter than the street below it.
        let rows = image.height
        func band(_ y0: Int, _ y1: Int) -> Float {
            var s: Float = 0
            for y in y0..<y1 { for x in 0..<image.width { s += image.pixel(x, y).sum() } }
            return s
        }
        #expect(band(0, rows / 4) > band(rows * 3 / 4, rows))
        let bytes = try FileIO.read(city)
        let dir = TemporaryDirectory()
        for (name, data) in [("cut", Array(bytes.prefix(bytes.count / 2))), ("header only", Array(bytes.prefix(400)))] {
            #expect(throws: ImageIOError.self, "\(name)") { try HDRFile.read(dir.write("\(name).exr", data)) }
        }
        // A header whose data window claims 2^40 pixels.
        var lying = bytes
        if let at = Self.find(Array("dataWindow".utf8), in: lying) {
            // box2i after the name, type and size: xMin yMin xMax yMax.
            let values = at + "dataWindow".utf8.count + 1 + "box2i".utf8.count + 1 + 4
            for (k, v) in ([0, 0, 1 << 20 - 1, 1 << 20 - 1] as [Int32]).enumerated() {
                withUnsafeBytes(of: v.littleEndian) { for j in 0..<4 { lying[values + k * 4 + j] = $0[j] } }
            }
            #expect(throws: ImageIOError.self) { try HDRFile.read(dir.write("lying.exr", lying)) }
        } else {
            Issue.record("city.exr has no dataWindow attribute")
        }
    }

    @Test("OpenEXR as capture tools write it: float values beyond a half float's range come back exact; DWA's are refused, saying why")
    func exrFloats() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
        func expected(_ x: Int, _ y: Int) -> SIMD3<Float> {
            (x, y) == (5, 1) ? SIMD3(100_000, 90_000, 70_000) : SIMD3(Float(0.1 * Double(x)), Float(0.2 * Double(y)), 0.5)
        }
        for name in ["sun-float-zip", "sun-float-piz", "sun-float-none"] {
            let image = try HDRFile.read("\(fixtures)/\(name).exr")
            #expect(image.width == 8 && image.height == 4, "\(name)")
            for y in 0..<4 {
                for x in 0..<8 {
                    #expect(image.pixel(x, y) == expected(x, y), "\(name) (\(x), \(y)): \(image.pixel(x, y))")
                }
            }
        }
        // Half floats (through OpenEXRCore too): as close as their 11 bits allow; Blender clamped
        // the sun to half's largest value.
        let half = try HDRFile.read("\(fixtures)/sun-half-zip.exr")
        for y in 0..<4 {
            for x in 0..<8 {
                let want = (x, y) == (5, 1) ? SIMD3<Float>(repeating: 65504) : expected(x, y)
                let off = half.pixel(x, y) - want
                #expect(max(abs(off.x), abs(off.y), abs(off.z)) <= want.max() / 1024, "half (\(x), \(y)): \(half.pixel(x, y))")
            }
        }
        // Broken copies of a float file: cut anywhere, an error; bytes changed in its pixels, an
        // error or finite light of the right size, never a crash.
        let bytes = try FileIO.read("\(fixtures)/sun-float-zip.exr")
        let dir = TemporaryDirectory()
        for length in stride(from: 8, to: bytes.count, by: 23) {
            #expect(throws: ImageIOError.self, "cut to \(length) bytes") {
                try HDRFile.read(dir.write("cut.exr", Array(bytes.prefix(length))))
            }
        }
        // Its deflated pixels are its last 130-odd bytes (after the header and the chunk offset).
        for at in stride(from: bytes.count - 110, to: bytes.count, by: 3) {
            var changed = bytes
            changed[at] ^= 0x5A
            if let image = try? HDRFile.read(dir.write("changed.exr", changed)) {
                #expect(image.width == 8 && image.height == 4 && image.rgb.allSatisfy(\.isFinite), "byte \(at) changed")
            }
        }
        let dwa = #expect(throws: ImageIOError.self) { try HDRFile.read("\(fixtures)/sun-float-dwab.exr") }
        #expect(dwa?.description.contains("ZIP or PIZ") == true, "\(String(describing: dwa))")
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
