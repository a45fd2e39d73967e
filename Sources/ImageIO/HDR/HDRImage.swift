internal import COpenEXR
internal import Glibc
internal import StudioCore

/// A high-dynamic-range picture: linear RGB floats, row-major, top row first (environment maps).
public struct HDRImage: Sendable, Hashable {
    public let width: Int
    public let height: Int
    /// `width × height × 3` linear values.
    public let rgb: [Float]

    public init(width: Int, height: Int, rgb: [Float]) {
        precondition(rgb.count == width * height * 3, "HDRImage: \(rgb.count) values for \(width)×\(height)")
        self.width = width
        self.height = height
        self.rgb = rgb
    }

    @inline(__always) public func pixel(_ x: Int, _ y: Int) -> SIMD3<Float> {
        let i = (y * width + x) * 3
        return SIMD3(rgb[i], rgb[i + 1], rgb[i + 2])
    }
}

/// Reading HDR files: Radiance RGBE (`.hdr`, our own reader) and OpenEXR (through the library).
/// The format is recognised from the first bytes.
public enum HDRFile {
    /// An environment map larger than 8192 × 4096 is refused: 400 MB of floats.
    public static let limits = DecodeLimits(maxSide: 16_384, maxPixels: 8192 * 4096)

    public static func read(_ path: String, limits: DecodeLimits = HDRFile.limits) throws(ImageIOError) -> HDRImage {
        let prefix = try FileIO.readPrefix(path, count: 16)
        if prefix.starts(with: [0x76, 0x2F, 0x31, 0x01]) { return try readEXR(path, limits: limits) }
        let bytes = try FileIO.read(path)
        do {
            return try RadianceHDR.decode(bytes, limits: limits)
        } catch {
            throw error.at(path)
        }
    }

    private static func readEXR(_ path: String, limits: DecodeLimits) throws(ImageIOError) -> HDRImage {
        var message = [CChar](repeating: 0, count: 512)
        var width: Int32 = 0, height: Int32 = 0
        guard let file = copenexr_open(path, &width, &height, &message, message.count) else {
            throw ImageIOError(.corrupt, path: path, "not a readable OpenEXR file: \(String(cBuffer: message))")
        }
        defer { copenexr_close(file) }
        do { try limits.check(width: Int(width), height: Int(height)) } catch { throw error.at(path) }
        // The smallest EXR pixel (RLE of a constant run) still takes a bit or so: a tiny file
        // claiming a huge window is a lie, refused before the floats are allocated.
        let size = FileIO.status(path)?.size ?? 0
        if Int(width) * Int(height) > size * 4096 {
            throw ImageIOError(.corrupt, path: path, "a \(size)-byte file cannot hold \(width)×\(height) pixels")
        }
        var rgb = [Float](repeating: 0, count: Int(width) * Int(height) * 3)
        let status = rgb.withUnsafeMutableBufferPointer { copenexr_read(file, $0.baseAddress, &message, message.count) }
        guard status == 0 else { throw ImageIOError(.corrupt, path: path, "OpenEXR: \(String(cBuffer: message))") }
        for v in rgb where !v.isFinite {
            throw ImageIOError(.corrupt, path: path, "holds a value that is not finite (\(v))")
        }
        return HDRImage(width: Int(width), height: Int(height), rgb: rgb.map { max(0, $0) })
    }
}

/// Radiance RGBE pictures (`#?RADIANCE`): the header, `-Y H +X W` orientation (the one every
/// writer uses), flat or run-length scanlines.
enum RadianceHDR {
    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws(ImageIOError) -> HDRImage {
        guard bytes.starts(with: Array("#?".utf8)) else {
            throw ImageIOError(.unknownFormat, path: nil, "neither Radiance (#?RADIANCE) nor OpenEXR")
        }
        var at = 0
        func line() throws(ImageIOError) -> String {
            guard let end = bytes[at...].prefix(4096).firstIndex(of: 0x0A) else {
                throw ImageIOError(.corrupt, path: nil, "header line longer than 4 KiB or unterminated")
            }
            defer { at = end + 1 }
            return String(decoding: bytes[at..<end], as: UTF8.self)
        }
        var format = ""
        while true {
            let text = try line()
            if text.isEmpty { break }
            if text.hasPrefix("FORMAT=") { format = String(text.dropFirst(7)) }
        }
        guard format.isEmpty || format == "32-bit_rle_rgbe" else {
            throw ImageIOError(.unsupported, path: nil, "Radiance format \(format.prefix(40)) (only 32-bit_rle_rgbe)")
        }
        let resolution = try line().split(separator: " ")
        guard resolution.count == 4, resolution[0] == "-Y", resolution[2] == "+X", let height = Int(resolution[1]),
            let width = Int(resolution[3])
        else {
            throw ImageIOError(
                .unsupported, path: nil, "resolution line \(resolution.joined(separator: " ").prefix(40)) (expected -Y H +X W)")
        }
        try limits.check(width: width, height: height)
        // A run-length scanline holds at most 127 pixels of a channel in 2 bytes.
        guard width * height <= (bytes.count - at) * 64 else {
            throw ImageIOError(.corrupt, path: nil, "\(bytes.count - at) bytes of pixels cannot hold \(width)×\(height)")
        }
        var rgb = [Float](repeating: 0, count: width * height * 3)
        var scanline = [UInt8](repeating: 0, count: width * 4)
        for y in 0..<height {
            try readScanline(bytes, &at, width: width, into: &scanline, row: y)
            for x in 0..<width {
                let e = Int(scanline[x * 4 + 3])
                guard e > 0 else { continue }
                let scale = Float(sign: .plus, exponent: e - 136, significand: 1)
                for c in 0..<3 { rgb[(y * width + x) * 3 + c] = (Float(scanline[x * 4 + c]) + 0.5) * scale }
            }
        }
        return HDRImage(width: width, height: height, rgb: rgb)
    }

    /// One scanline as RGBE quadruples: the run-length form (`2 2 w/256 w%256`, then each channel
    /// as runs) or flat pixels.
    private static func readScanline(_ bytes: [UInt8], _ at: inout Int, width: Int, into out: inout [UInt8], row: Int)
        throws(ImageIOError)
    {
        func truncated() -> ImageIOError { ImageIOError(.truncated, path: nil, "pixels end in row \(row)") }
        guard at + 4 <= bytes.count else { throw truncated() }
        let isRunLength = width >= 8 && width < 32768 && bytes[at] == 2 && bytes[at + 1] == 2 && bytes[at + 2] & 0x80 == 0
        guard isRunLength else {
            guard at + width * 4 <= bytes.count else { throw truncated() }
            out.withUnsafeMutableBufferPointer { out in
                for i in 0..<(width * 4) { out[i] = bytes[at + i] }
            }
            at += width * 4
            return
        }
        guard Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) == width else {
            throw ImageIOError(
                .corrupt, path: nil, "row \(row) says it is \(Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])) pixels wide, not \(width)")
        }
        at += 4
        for channel in 0..<4 {
            var x = 0
            while x < width {
                guard at < bytes.count else { throw truncated() }
                let count = Int(bytes[at])
                at += 1
                if count > 128 {
                    let run = count - 128
                    guard x + run <= width, at < bytes.count else {
                        throw ImageIOError(.corrupt, path: nil, "a run overflows row \(row)")
                    }
                    for i in 0..<run { out[(x + i) * 4 + channel] = bytes[at] }
                    at += 1
                    x += run
                } else {
                    guard count > 0, x + count <= width else {
                        throw ImageIOError(.corrupt, path: nil, "a run of \(count) overflows row \(row)")
                    }
                    guard at + count <= bytes.count else { throw truncated() }
                    for i in 0..<count { out[(x + i) * 4 + channel] = bytes[at + i] }
                    at += count
                    x += count
                }
            }
        }
    }
}
