internal import StudioCore

/// Netpbm binary formats: P5 (graymap) and P6 (pixmap), 8-bit (maxval ≤ 255) or 16-bit big-endian
/// (maxval ≤ 65535). Samples are rescaled to the full range when maxval is not 255 or 65535.
enum PNMCodec {
    struct Header {
        var magic: UInt8
        var width: Int
        var height: Int
        var maxval: Int
        var dataOffset: Int

        var layout: PixelLayout { magic == UInt8(ascii: "5") ? .gray : .rgb }
        var depth: BitDepth { maxval > 255 ? .sixteen : .eight }
    }

    static func probe(_ prefix: [UInt8]) throws(ImageIOError) -> ImageInfo {
        let header = try parseHeader(prefix)
        return ImageInfo(format: .pnm, width: header.width, height: header.height, layout: header.layout, depth: header.depth)
    }

    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws(ImageIOError) -> Image {
        let header = try parseHeader(bytes)
        try limits.check(width: header.width, height: header.height)
        let count = header.width * header.height * header.layout.channels
        let bytesPerSample = header.depth == .sixteen ? 2 : 1
        guard bytes.count - header.dataOffset >= count * bytesPerSample else {
            throw ImageIOError(
                .truncated, path: nil, "PNM ends after \(bytes.count - header.dataOffset) of \(count * bytesPerSample) pixel bytes")
        }
        let maxval = header.maxval
        switch header.depth {
        case .eight:
            var samples = Array(bytes[header.dataOffset..<(header.dataOffset + count)])
            if maxval != 255 {
                for i in samples.indices {
                    samples[i] = UInt8((min(Int(samples[i]), maxval) * 255 + maxval / 2) / maxval)
                }
            }
            return Image(width: header.width, height: header.height, layout: header.layout, pixels: .eight(samples))
        case .sixteen:
            var samples = [UInt16](repeating: 0, count: count)
            var offset = header.dataOffset
            for i in 0..<count {
                let raw = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
                samples[i] = maxval == 65535 ? UInt16(raw) : UInt16((min(raw, maxval) * 65535 + maxval / 2) / maxval)
                offset += 2
            }
            return Image(width: header.width, height: header.height, layout: header.layout, pixels: .sixteen(samples))
        }
    }

    /// P5 for gray, P6 for RGB; alpha is not representable in P5/P6 and is refused.
    static func encode(_ image: Image) throws(ImageIOError) -> [UInt8] {
        let magic: String
        switch image.layout {
        case .gray: magic = "P5"
        case .rgb: magic = "P6"
        case .grayAlpha, .rgba:
            throw ImageIOError(.unsupported, path: nil, "PNM (P5/P6) has no alpha channel; cannot write \(image.layout)")
        }
        let maxval = image.depth == .sixteen ? 65535 : 255
        var out = Array("\(magic)\n\(image.width) \(image.height)\n\(maxval)\n".utf8)
        switch image.pixels {
        case .eight(let samples):
            out.append(contentsOf: samples)
        case .sixteen(let samples):
            out.reserveCapacity(out.count + samples.count * 2)
            for s in samples {
                out.append(UInt8(s >> 8))
                out.append(UInt8(s & 0xFF))
            }
        }
        return out
    }

    /// Parses "P5|P6 <ws> width <ws> height <ws> maxval <one ws>", with `#` comments between fields.
    static func parseHeader(_ bytes: [UInt8]) throws(ImageIOError) -> Header {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P") else {
            throw ImageIOError(.corrupt, path: nil, "not a PNM file")
        }
        let magic = bytes[1]
        guard magic == UInt8(ascii: "5") || magic == UInt8(ascii: "6") else {
            throw ImageIOError(
                .unsupported, path: nil, "PNM type P\(Character(Unicode.Scalar(magic))) is not supported (only binary P5 and P6)")
        }
        var offset = 2
        var fields: [Int] = []
        while fields.count < 3 {
            // Skip whitespace and comments.
            while offset < bytes.count {
                if bytes[offset] == UInt8(ascii: "#") {
                    while offset < bytes.count, bytes[offset] != 0x0A, bytes[offset] != 0x0D { offset += 1 }
                } else if isSpace(bytes[offset]) {
                    offset += 1
                } else {
                    break
                }
            }
            guard offset < bytes.count else { throw ImageIOError(.truncated, path: nil, "PNM ends inside its header") }
            guard isDigit(bytes[offset]) else {
                throw ImageIOError(.corrupt, path: nil, "PNM header field \(fields.count + 1) is not a number")
            }
            var value = 0
            while offset < bytes.count, isDigit(bytes[offset]) {
                value = value * 10 + Int(bytes[offset] - UInt8(ascii: "0"))
                guard value <= 0x7FFF_FFFF else { throw ImageIOError(.corrupt, path: nil, "PNM header number is too large") }
                offset += 1
            }
            fields.append(value)
        }
        guard offset < bytes.count else { throw ImageIOError(.truncated, path: nil, "PNM ends inside its header") }
        guard isSpace(bytes[offset]) else { throw ImageIOError(.corrupt, path: nil, "PNM header is not followed by whitespace") }
        let (width, height, maxval) = (fields[0], fields[1], fields[2])
        guard width > 0, height > 0 else { throw ImageIOError(.corrupt, path: nil, "PNM size \(width)×\(height) is empty") }
        guard (1...65535).contains(maxval) else { throw ImageIOError(.corrupt, path: nil, "PNM maxval \(maxval) is outside 1...65535") }
        return Header(magic: magic, width: width, height: height, maxval: maxval, dataOffset: offset + 1)
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C }
    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}
