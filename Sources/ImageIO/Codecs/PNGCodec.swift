internal import CLibPNG
internal import CPNGRows
internal import StudioCore

/// PNG through libpng's simplified API (`png_image_*`), which reports failure through its return
/// value and `png_image.message` instead of longjmp (INTEROP.md item 6).
///
/// Decoding keeps what the file holds: gray, gray+alpha, RGB or RGBA; palette images are expanded
/// to RGB (RGBA when they carry transparency). Sixteen-bit files without alpha are returned with
/// 16-bit samples, unchanged (masks, depth maps); sixteen-bit files with alpha are returned as 8-bit,
/// because the simplified API only gives premultiplied alpha at 16 bits. Sixteen-bit samples are
/// linear light: exact file values when the file has no `gAMA` or says gamma 1.0 (our own masks
/// and depth maps, OpenCV's files), converted when it declares another gamma.
enum PNGCodec {
    static func decode(_ bytes: [UInt8], limits: DecodeLimits) throws(ImageIOError) -> Image {
        // Check the size from IHDR ourselves first: libpng would read on towards IDAT before
        // saying anything, and a forged header must cost nothing.
        let header = try probe(Array(bytes.prefix(33)))
        try limits.check(width: header.width, height: header.height)
        try checkPlausible(bytes.count, header)
        try checkChunks(bytes)
        var image = png_image()
        image.version = clibpng_image_version()
        let began = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard began != 0 else { throw failure(&image) }
        do {
            try limits.check(width: Int(image.width), height: Int(image.height))
        } catch {
            png_image_free(&image)
            throw error
        }
        let source = image.format
        let shape = outputShape(
            alpha: source & clibpng_format_flag_alpha() != 0,
            color: source & clibpng_format_flag_color() != 0,
            sixteen: source & clibpng_format_flag_linear() != 0
        )
        image.format = libpngFormat(shape.layout, shape.depth)
        let width = Int(image.width), height = Int(image.height)
        let count = width * height * shape.layout.channels
        switch shape.depth {
        case .eight:
            var samples = [UInt8](repeating: 0, count: count)
            let ok = samples.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
            guard ok != 0 else { throw failure(&image) }
            return Image(width: width, height: height, layout: shape.layout, pixels: .eight(samples))
        case .sixteen:
            var samples = [UInt16](repeating: 0, count: count)
            let ok = samples.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
            guard ok != 0 else { throw failure(&image) }
            return Image(width: width, height: height, layout: shape.layout, pixels: .sixteen(samples))
        }
    }

    /// Refuses a header whose image the file cannot hold: deflate shrinks data at most ~1032:1,
    /// so a 100-byte file saying 16384² RGBA16 (2 GB of rows) is cut short or forged — found out
    /// before the rows are allocated, not after.
    ///
    /// Every chunk must also fit in the file: libpng allocates a text chunk's declared length before
    /// reading it, so a 128-byte file with a `tEXt` chunk claiming 1.9 GB took 1.9 GB (found by
    /// fuzzing).
    static func checkChunks(_ bytes: [UInt8]) throws(ImageIOError) {
        var offset = 8
        while offset + 8 <= bytes.count {
            let length = Int(readUInt32(bytes, offset))
            guard length <= bytes.count - offset - 12 else {
                let type = String(
                    decoding: bytes[(offset + 4)..<(offset + 8)].map { (0x20...0x7E).contains($0) ? $0 : 0x3F }, as: UTF8.self)
                throw ImageIOError(
                    .truncated, path: nil,
                    "PNG chunk \(type) claims \(length) bytes; the file has \(bytes.count - offset - 8) after its header")
            }
            if bytes[(offset + 4)..<(offset + 8)].elementsEqual("IEND".utf8) { return }
            offset += 12 + length
        }
    }

    static func checkPlausible(_ fileSize: Int, _ header: ImageInfo) throws(ImageIOError) {
        let bytesPerPixel = header.layout.channels * (header.depth == .sixteen ? 2 : 1)
        let raw = header.height * (header.width * bytesPerPixel / 8 + 1)  // palette/low-bit files: at least an eighth
        guard fileSize.multipliedReportingOverflow(by: 1032).partialValue + 4096 >= raw else {
            throw ImageIOError(
                .truncated, path: nil,
                "PNG of \(fileSize) bytes cannot hold the \(header.width)×\(header.height) image its header declares (cut short or forged)")
        }
    }

    /// Decodes reduced by the largest integer factor that keeps the result at least
    /// `minWidth`×`minHeight`, reading row by row (`CPNGRows`): memory bounded by the output.
    /// 8-bit samples; gray, gray+alpha, RGB or RGBA as the file holds.
    static func decodeReduced(_ bytes: [UInt8], minWidth: Int, minHeight: Int, limits: DecodeLimits) throws(ImageIOError) -> Image {
        let header = try probe(Array(bytes.prefix(33)))
        try limits.check(width: header.width, height: header.height)
        try checkPlausible(bytes.count, header)
        try checkChunks(bytes)
        var out = cpng_reduced()
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer { data in
            cpng_decode_reduced(
                data.baseAddress, data.count, UInt32(clamping: max(1, minWidth)), UInt32(clamping: max(1, minHeight)),
                UInt32(clamping: limits.maxSide), UInt64(limits.maxPixels), &out, &message, message.count)
        }
        guard status == 0, let pixels = out.pixels else {
            let text = String(cBuffer: message)
            let lower = text.lowercased()
            throw ImageIOError(lower.contains("ends before") || lower.contains("truncat") ? .truncated : .corrupt, path: nil, text)
        }
        defer { cpng_free(pixels) }
        let (width, height, channels) = (Int(out.width), Int(out.height), Int(out.channels))
        let layout: PixelLayout = [1: .gray, 2: .grayAlpha, 3: .rgb, 4: .rgba][channels] ?? .rgb
        return Image(
            width: width, height: height, layout: layout,
            pixels: .eight(Array(UnsafeBufferPointer(start: pixels, count: width * height * channels))))
    }

    /// The image as PNG at zlib `level` (0–9: 1 is several times faster than 6 and a few per
    /// cent larger on rendered images), libpng choosing each row's filter: 8-bit marked sRGB,
    /// 16-bit marked linear (design note 4), as libpng's simplified API marks them.
    static func encode(_ source: Image, level: Int = 6) throws(ImageIOError) -> [UInt8] {
        guard source.width > 0, source.height > 0 else {
            throw ImageIOError(.writeFailed, path: nil, "cannot write an empty \(source.width)×\(source.height) PNG")
        }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let channels = UInt32(source.layout.channels), level = Int32(max(0, min(9, level)))
        let status: Int32
        switch source.pixels {
        case .eight(let samples):
            status = samples.withUnsafeBytes { pixels in
                cpng_encode(
                    pixels.baseAddress, UInt32(source.width), UInt32(source.height), channels, 8, level, cpng_filters_all(), &out, &size,
                    &message, message.count)
            }
        case .sixteen(let samples):
            status = samples.withUnsafeBytes { pixels in
                cpng_encode(
                    pixels.baseAddress, UInt32(source.width), UInt32(source.height), channels, 16, level, cpng_filters_all(), &out,
                    &size, &message, message.count)
            }
        }
        defer { cpng_free(out) }
        guard status == 0, let out else {
            throw ImageIOError(
                .writeFailed, path: nil, String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }

    /// Width, height and output shape from the signature and IHDR chunk alone (and a `tRNS` chunk,
    /// when it comes before the first `IDAT` within `prefix`).
    static func probe(_ prefix: [UInt8]) throws(ImageIOError) -> ImageInfo {
        guard prefix.count >= 33 else { throw ImageIOError(.truncated, path: nil, "PNG ends inside its header") }
        guard readUInt32(prefix, 8) == 13, Array(prefix[12..<16]) == Array("IHDR".utf8) else {
            throw ImageIOError(.corrupt, path: nil, "PNG does not start with an IHDR chunk")
        }
        guard crc32(prefix[12..<29]) == readUInt32(prefix, 29) else {
            throw ImageIOError(.corrupt, path: nil, "PNG IHDR chunk has a bad CRC")
        }
        let width = Int(readUInt32(prefix, 16)), height = Int(readUInt32(prefix, 20))
        let bitDepth = prefix[24], colorType = prefix[25]
        guard width > 0, height > 0, width <= 0x7FFF_FFFF, height <= 0x7FFF_FFFF else {
            throw ImageIOError(.corrupt, path: nil, "PNG header gives an impossible size \(width)×\(height)")
        }
        guard [0, 2, 3, 4, 6].contains(colorType), [1, 2, 4, 8, 16].contains(bitDepth) else {
            throw ImageIOError(.corrupt, path: nil, "PNG header has colour type \(colorType) with bit depth \(bitDepth)")
        }
        var hasTransparency = false
        var offset = 33
        while offset + 8 <= prefix.count {
            let length = Int(readUInt32(prefix, offset))
            let type = String(decoding: prefix[(offset + 4)..<(offset + 8)], as: UTF8.self)
            if type == "IDAT" { break }
            if type == "tRNS" { hasTransparency = true; break }
            offset += 12 + length
        }
        let shape = outputShape(
            alpha: colorType == 4 || colorType == 6 || hasTransparency,
            color: colorType == 2 || colorType == 3 || colorType == 6,
            sixteen: bitDepth == 16
        )
        return ImageInfo(format: .png, width: width, height: height, layout: shape.layout, depth: shape.depth)
    }

    /// The one mapping from what a file holds to what the decoder returns, shared by decode and probe.
    private static func outputShape(alpha: Bool, color: Bool, sixteen: Bool) -> (layout: PixelLayout, depth: BitDepth) {
        let layout: PixelLayout = color ? (alpha ? .rgba : .rgb) : (alpha ? .grayAlpha : .gray)
        return (layout, sixteen && !alpha ? .sixteen : .eight)
    }

    private static func libpngFormat(_ layout: PixelLayout, _ depth: BitDepth) -> UInt32 {
        switch (layout, depth) {
        case (.gray, .eight): clibpng_format_gray()
        case (.grayAlpha, .eight): clibpng_format_ga()
        case (.rgb, .eight): clibpng_format_rgb()
        case (.rgba, .eight): clibpng_format_rgba()
        case (.gray, .sixteen): clibpng_format_linear_y()
        case (.grayAlpha, .sixteen): clibpng_format_linear_y_alpha()
        case (.rgb, .sixteen): clibpng_format_linear_rgb()
        case (.rgba, .sixteen): clibpng_format_linear_rgb_alpha()
        }
    }

    /// The one funnel from a failed `png_image` read to an error; frees libpng's state.
    private static func failure(_ image: inout png_image) -> ImageIOError {
        let message = withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        png_image_free(&image)
        let lower = message.lowercased()
        let code: ImageIOError.Code
        if lower.contains("crc") || lower.contains("bad") || lower.contains("invalid") || lower.contains("incorrect") {
            code = .corrupt
        } else if lower.contains("end") || lower.contains("eof") || lower.contains("truncat") || lower.contains("too short")
            || lower.contains("not enough")
        {
            code = .truncated
        } else {
            code = .corrupt
        }
        return ImageIOError(code, path: nil, "PNG: \(message)")
    }

    private static func readUInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 as PNG chunks use it (ISO 3309).
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
