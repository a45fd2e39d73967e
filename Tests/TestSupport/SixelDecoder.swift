import Foundation
public import StudioCore

/// Decodes DEC sixel graphics into pixels, so tests check what a terminal would show rather than
/// bytes. Handles raster attributes, RGB (`#n;2;r;g;b`) and HLS (`#n;1;h;l;s`) colour registers,
/// repeats (`!n`), graphics carriage return (`$`) and new line (`-`).
public enum SixelDecoder {
    public struct Decoded {
        /// RGBA, 8-bit; alpha 0 where nothing was drawn.
        public var image: Image
        /// Colour registers defined (counting redefinitions once).
        public var registers: Int
        /// Raster attributes as declared (`"Pan;Pad;Ph;Pv`).
        public var declaredWidth: Int?
        public var declaredHeight: Int?
    }

    public enum Failure: Error, Equatable {
        case notSixel
        case unterminated
        case badColor(Int)
    }

    public static func decode(_ bytes: [UInt8]) throws -> Decoded {
        guard let q = bytes.firstIndex(of: UInt8(ascii: "q")), bytes.starts(with: [0x1B, UInt8(ascii: "P")]) else { throw Failure.notSixel }
        var i = q + 1
        var palette: [Int: (UInt8, UInt8, UInt8)] = [:]
        var pixels: [Int: Int] = [:]  // y * 65536 + x → register
        var x = 0, y = 0, current = 0, maxX = 0, maxY = 0
        var declared: (Int, Int)?
        var terminated = false
        func number() -> Int {
            var n = 0
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                n = n * 10 + Int(bytes[i] - 48)
                i += 1
            }
            return n
        }
        func numbers() -> [Int] {
            var out = [number()]
            while i < bytes.count, bytes[i] == UInt8(ascii: ";") {
                i += 1
                out.append(number())
            }
            return out
        }
        func put(_ value: UInt8, count: Int) {
            let bits = Int(value) - 63
            for _ in 0..<count {
                for b in 0..<6 where bits >> b & 1 != 0 {
                    pixels[(y + b) * 65536 + x] = current
                    maxY = max(maxY, y + b + 1)
                }
                x += 1
                maxX = max(maxX, x)
            }
        }
        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case 0x1B:
                terminated = true
                i = bytes.count
            case UInt8(ascii: "\""):
                i += 1
                let p = numbers()
                if p.count >= 4 { declared = (p[2], p[3]) }
            case UInt8(ascii: "#"):
                i += 1
                let p = numbers()
                current = p[0]
                if p.count >= 5 {
                    if p[1] == 2 {
                        func v(_ percent: Int) -> UInt8 { UInt8((min(100, percent) * 255 + 50) / 100) }
                        palette[p[0]] = (v(p[2]), v(p[3]), v(p[4]))
                    } else if p[1] == 1 {
                        palette[p[0]] = hls(p[2], p[3], p[4])
                    } else {
                        throw Failure.badColor(p[1])
                    }
                }
            case UInt8(ascii: "!"):
                i += 1
                let n = number()
                if i < bytes.count {
                    put(bytes[i], count: n)
                    i += 1
                }
            case UInt8(ascii: "$"):
                x = 0
                i += 1
            case UInt8(ascii: "-"):
                x = 0
                y += 6
                i += 1
            case 63...126:
                put(c, count: 1)
                i += 1
            default:
                i += 1
            }
        }
        guard terminated else { throw Failure.unterminated }
        let width = declared?.0 ?? maxX, height = declared?.1 ?? maxY
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        for (key, register) in pixels {
            let (py, px) = (key / 65536, key % 65536)
            guard px < width, py < height else { continue }
            let color = palette[register] ?? (0, 0, 0)
            let o = (py * width + px) * 4
            rgba[o] = color.0
            rgba[o + 1] = color.1
            rgba[o + 2] = color.2
            rgba[o + 3] = 255
        }
        return Decoded(
            image: Image(width: width, height: height, layout: .rgba, pixels: .eight(rgba)), registers: palette.count,
            declaredWidth: declared?.0, declaredHeight: declared?.1
        )
    }

    /// DEC's HLS: hue 0° = blue, lightness and saturation in percent.
    private static func hls(_ h: Int, _ l: Int, _ s: Int) -> (UInt8, UInt8, UInt8) {
        let hue = Double((h + 240) % 360) / 360, light = Double(l) / 100, sat = Double(s) / 100
        func channel(_ t: Double) -> UInt8 {
            let q = light < 0.5 ? light * (1 + sat) : light + sat - light * sat, p = 2 * light - q
            var t = t
            if t < 0 { t += 1 }
            if t > 1 { t -= 1 }
            let v = t < 1.0 / 6 ? p + (q - p) * 6 * t : t < 0.5 ? q : t < 2.0 / 3 ? p + (q - p) * (2.0 / 3 - t) * 6 : p
            return UInt8((v * 255).rounded())
        }
        return (channel(hue + 1.0 / 3), channel(hue), channel(hue - 1.0 / 3))
    }
}

/// Quality measures for comparing what a terminal shows with the source.
public enum ImageQuality {
    /// Peak signal-to-noise ratio in dB over RGB (8-bit), of two images of one size.
    public static func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
        precondition(a.count == b.count && !a.isEmpty, "PSNR needs two images of one size")
        var sum = 0.0
        for i in a.indices {
            let d = Double(a[i]) - Double(b[i])
            sum += d * d
        }
        let mse = sum / Double(a.count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }
}
