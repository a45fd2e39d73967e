internal import CTurboJPEG
internal import StudioCore

/// JPEG decoding (and encoding) through TurboJPEG, which returns errors as codes, never by longjmp.
///
/// Grayscale files decode to `.gray`, everything else to `.rgb` (CMYK and YCCK are converted).
/// Decoding stops at the first warning, so a file cut short is an error rather than a picture with
/// a grey bottom half.
enum JPEGCodec {
    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws(ImageIOError) -> Image {
        try decode(bytes, limits: limits, minWidth: nil, minHeight: nil)
    }

    /// Decodes at TurboJPEG's smallest scale (⅛ … 1) that keeps the image at least
    /// `minWidth`×`minHeight`: a preview of a 16384² photo allocates for 2048², not 16384².
    static func decodeReduced(_ bytes: [UInt8], minWidth: Int, minHeight: Int, limits: DecodeLimits) throws(ImageIOError) -> Image {
        try decode(bytes, limits: limits, minWidth: minWidth, minHeight: minHeight)
    }

    private static func decode(_ bytes: [UInt8], limits: DecodeLimits, minWidth: Int?, minHeight: Int?) throws(ImageIOError) -> Image {
        let handle = try Decompressor()
        var header = try handle.header(bytes)
        try limits.check(width: header.width, height: header.height)
        // Every 8×8 luma block costs at least one bit Huffman-coded (its DC code), a fraction of
        // one arithmetic-coded: a file far smaller than that cannot hold the frame its header
        // declares (a forged or cut header), found out before the pixels are allocated.
        let blocks = (header.width / 8) * (header.height / 8)
        guard bytes.count >= (Self.isArithmetic(bytes) ? blocks / 1024 : blocks / 16) else {
            throw ImageIOError(
                .truncated, path: nil,
                "JPEG of \(bytes.count) bytes cannot hold the \(header.width)×\(header.height) image its header declares (cut short or forged)"
            )
        }
        if let minWidth, let minHeight {
            // Factors num/8: the smallest whose scaled size still covers the minimum.
            for num in 1...8 {
                let w = (header.width * num + 7) / 8, h = (header.height * num + 7) / 8
                if w >= minWidth && h >= minHeight || num == 8 {
                    (header.width, header.height) = (w, h)
                    break
                }
            }
        }
        let flags = cturbojpeg_flag_accuratedct() | cturbojpeg_flag_stoponwarning()
        if header.isGray {
            var samples = [UInt8](repeating: 0, count: header.width * header.height)
            try handle.decompress(bytes, into: &samples, width: header.width, height: header.height, format: TJPF_GRAY, flags: flags)
            return Image(width: header.width, height: header.height, layout: .gray, pixels: .eight(samples))
        }
        if header.isCMYK {
            var cmyk = [UInt8](repeating: 0, count: header.width * header.height * 4)
            try handle.decompress(bytes, into: &cmyk, width: header.width, height: header.height, format: TJPF_CMYK, flags: flags)
            // Adobe writes CMYK inverted (0 = full ink), which libjpeg passes through unchanged.
            var rgb = [UInt8](repeating: 0, count: header.width * header.height * 3)
            for p in 0..<(header.width * header.height) {
                let k = UInt16(cmyk[p * 4 + 3])
                for c in 0..<3 { rgb[p * 3 + c] = UInt8((UInt16(cmyk[p * 4 + c]) * k + 127) / 255) }
            }
            return Image(width: header.width, height: header.height, layout: .rgb, pixels: .eight(rgb))
        }
        var samples = [UInt8](repeating: 0, count: header.width * header.height * 3)
        try handle.decompress(bytes, into: &samples, width: header.width, height: header.height, format: TJPF_RGB, flags: flags)
        return Image(width: header.width, height: header.height, layout: .rgb, pixels: .eight(samples))
    }

    /// Whether the first frame header is arithmetic-coded (SOF9–SOF15 but DHT-less SOF12):
    /// markers walked from the start, nothing decoded.
    static func isArithmetic(_ bytes: [UInt8]) -> Bool {
        var i = 2
        while i + 4 <= bytes.count, bytes[i] == 0xFF {
            let marker = bytes[i + 1]
            if (0xC0...0xCF).contains(marker), marker != 0xC4, marker != 0xC8, marker != 0xCC { return marker >= 0xC9 }
            i += 2 + (Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]))
        }
        return true  // unknown: assume the loosest bound
    }

    /// Width and height from the frame header; `prefix` need only reach the SOF marker.
    static func probe(_ prefix: [UInt8]) throws(ImageIOError) -> ImageInfo {
        let header = try Decompressor().header(prefix)
        return ImageInfo(format: .jpeg, width: header.width, height: header.height, layout: header.isGray ? .gray : .rgb, depth: .eight)
    }
}

extension JPEGCodec {
    /// Baseline JPEG of an 8-bit image at `quality` (1…100): gray as one channel, colour as
    /// YCbCr with 4:2:0 chroma, as cameras write; alpha is dropped. 16-bit images are refused
    /// (JPEG holds eight bits).
    static func encode(_ image: Image, quality: Int) throws(ImageIOError) -> [UInt8] {
        guard (1...100).contains(quality) else {
            throw ImageIOError(.unsupported, path: nil, "JPEG quality \(quality) is not 1…100")
        }
        guard case .eight(let samples) = image.pixels else {
            throw ImageIOError(.unsupported, path: nil, "JPEG holds 8 bits per channel; this image has 16 (write PNG)")
        }
        let gray = !image.layout.isColor
        let channels = image.layout.channels, kept = gray ? 1 : 3
        // Alpha dropped: the colour channels alone, packed.
        let packed =
            channels == kept
            ? samples
            : (0..<(image.width * image.height)).flatMap { p in samples[(p * channels)..<(p * channels + kept)] }
        guard let handle = tjInitCompress() else { throw ImageIOError(.writeFailed, path: nil, "TurboJPEG: cannot create a compressor") }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let status = packed.withUnsafeBufferPointer { pixels in
            tjCompress2(
                handle, pixels.baseAddress, Int32(image.width), 0, Int32(image.height), Int32((gray ? TJPF_GRAY : TJPF_RGB).rawValue),
                &output,
                &size, Int32((gray ? TJSAMP_GRAY : TJSAMP_420).rawValue), Int32(quality), cturbojpeg_flag_accuratedct())
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output else {
            throw ImageIOError(.writeFailed, path: nil, "JPEG: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }
}

/// Owns one TurboJPEG decompressor handle and releases it in `deinit`.
private final class Decompressor {
    struct Header {
        var width: Int
        var height: Int
        var isGray: Bool
        var isCMYK: Bool
    }

    private let handle: tjhandle

    init() throws(ImageIOError) {
        guard let handle = tjInitDecompress() else {
            throw ImageIOError(.unreadable, path: nil, "TurboJPEG: cannot create a decompressor")
        }
        self.handle = handle
    }

    deinit { tjDestroy(handle) }

    func header(_ bytes: [UInt8]) throws(ImageIOError) -> Header {
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = -1, colorspace: Int32 = -1
        let status = bytes.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt($0.count), &width, &height, &subsampling, &colorspace)
        }
        try check(status)
        // tjDecompressHeader3 can succeed without a frame header (a tables-only stream, or data cut
        // before the SOF marker): then width and height stay zero (INTEROP.md item 12).
        guard width > 0, height > 0 else {
            throw ImageIOError(.truncated, path: nil, "JPEG ends before its frame header")
        }
        return Header(
            width: Int(width), height: Int(height),
            isGray: colorspace == Int32(TJCS_GRAY.rawValue),
            isCMYK: colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        )
    }

    func decompress(
        _ bytes: [UInt8], into out: inout [UInt8], width: Int, height: Int, format: TJPF, flags: Int32
    ) throws(ImageIOError) {
        let status = out.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer {
                tjDecompress2(
                    handle, $0.baseAddress, UInt($0.count), target.baseAddress, Int32(width), 0, Int32(height), format.rawValue, flags)
            }
        }
        try check(status)
    }

    /// The one funnel from a TurboJPEG status to an error.
    private func check(_ status: Int32) throws(ImageIOError) {
        guard status != 0 else { return }
        let message = String(cString: tjGetErrorStr2(handle))
        let lower = message.lowercased()
        let code: ImageIOError.Code
        if lower.contains("premature end") || lower.contains("end of") || lower.contains("truncat") {
            code = .truncated
        } else if lower.contains("not a jpeg") || lower.contains("unsupported") || lower.contains("bogus") || lower.contains("invalid") {
            code = lower.contains("unsupported") ? .unsupported : .corrupt
        } else {
            code = .corrupt
        }
        throw ImageIOError(code, path: nil, "JPEG: \(message)")
    }
}
