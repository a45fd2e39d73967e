public import StudioCore

/// Reading, probing and writing image files: the entry point other modules use.
///
/// The format is recognised from the first bytes, never from the extension, when reading; it is
/// taken from the extension when writing. Every error names the file.
public enum ImageFile {
    /// Bytes read for a header-only probe. PNG and PNM headers sit in the first 33 bytes; JPEG's
    /// frame header usually within the first kilobyte, later when a large EXIF block comes first,
    /// so the probe reads further only when it must.
    static let probeSizes = [4096, 65_536, 1 << 20]

    /// Decodes the image at `path`.
    public static func read(_ path: String, limits: DecodeLimits = .standard) throws(ImageIOError) -> Image {
        let bytes = try FileIO.read(path)
        do {
            return try decode(bytes, limits: limits)
        } catch {
            throw error.at(path)
        }
    }

    /// Decodes the image at `path` for display at `minWidth`×`minHeight` or smaller: reduced while
    /// it is read (JPEG at a scale of ⅛ … 1, PNG row by row into a box filter) so memory is bounded
    /// by the output, not the image. The result is at least the size asked for (when the image
    /// is), 8-bit; the caller resamples to the exact size.
    public static func readForDisplay(_ path: String, minWidth: Int, minHeight: Int, limits: DecodeLimits = .standard) throws(ImageIOError)
        -> Image
    {
        let bytes = try FileIO.read(path)
        do {
            return try decodeForDisplay(bytes, minWidth: minWidth, minHeight: minHeight, limits: limits)
        } catch {
            throw error.at(path)
        }
    }

    /// `readForDisplay` on bytes in memory.
    public static func decodeForDisplay(_ bytes: [UInt8], minWidth: Int, minHeight: Int, limits: DecodeLimits = .standard)
        throws(ImageIOError) -> Image
    {
        switch try format(of: bytes) {
        case .png: return try PNGCodec.decodeReduced(bytes, minWidth: minWidth, minHeight: minHeight, limits: limits)
        case .jpeg: return try JPEGCodec.decodeReduced(bytes, minWidth: minWidth, minHeight: minHeight, limits: limits)
        // Uncompressed: the file is as large as its pixels, already in memory.
        case .pnm: return try PNMCodec.decode(bytes, limits: limits)
        }
    }

    /// Decodes an image held in memory.
    public static func decode(_ bytes: [UInt8], limits: DecodeLimits = .standard) throws(ImageIOError) -> Image {
        switch try format(of: bytes) {
        case .png: try PNGCodec.decode(bytes, limits: limits)
        case .jpeg: try JPEGCodec.decode(bytes, limits: limits)
        case .pnm: try PNMCodec.decode(bytes, limits: limits)
        }
    }

    /// Width, height and shape from the header alone, reading as few bytes as the format needs.
    /// The size is checked against `limits` like a decode would.
    public static func probe(_ path: String, limits: DecodeLimits = .standard) throws(ImageIOError) -> ImageInfo {
        do throws(ImageIOError) {
            for (attempt, size) in probeSizes.enumerated() {
                let prefix = try FileIO.readPrefix(path, count: size)
                let isWholeFile = prefix.count < size
                do throws(ImageIOError) {
                    let info = try probe(bytes: prefix)
                    try limits.check(width: info.width, height: info.height)
                    return info
                } catch {
                    // A prefix cut before the header's end can look corrupt rather than short (libjpeg
                    // reads to the SOS marker and reports "missing SOS" on a prefix that stops
                    // before it): read more, unless the whole file was read or the size is refused.
                    if error.code != .tooLarge && !isWholeFile && attempt + 1 < probeSizes.count { continue }
                    throw error
                }
            }
            throw ImageIOError(.corrupt, path: path, "no image header in the first \(probeSizes.last!) bytes")
        } catch {
            throw error.path == nil ? error.at(path) : error
        }
    }

    /// Width, height and shape from leading bytes of an image.
    public static func probe(bytes: [UInt8]) throws(ImageIOError) -> ImageInfo {
        switch try format(of: bytes) {
        case .png: try PNGCodec.probe(bytes)
        case .jpeg: try JPEGCodec.probe(bytes)
        case .pnm: try PNMCodec.probe(bytes)
        }
    }

    /// The quality JPEG is written at when none is given.
    public static let defaultJPEGQuality = 90

    /// zlib's level for PNG when none is given (libpng's own default).
    public static let defaultPNGLevel = 6

    /// Encodes `image` in the format named by `path`'s extension (`jpegQuality` 1…100 for
    /// `.jpg`, `pngLevel` 0…9 for `.png`) and writes it atomically.
    public static func write(
        _ image: Image, to path: String, jpegQuality: Int = defaultJPEGQuality, pngLevel: Int = defaultPNGLevel
    ) throws(ImageIOError) {
        let ext = FileIO.pathExtension(of: path)
        guard let format = ImageFormat(pathExtension: ext) else {
            throw ImageIOError(
                .unsupported, path: path, "cannot tell the image format from the extension \"\(ext)\" (use .png, .jpg, .pgm or .ppm)")
        }
        do {
            try FileIO.writeAtomically(try encode(image, as: format, jpegQuality: jpegQuality, pngLevel: pngLevel), to: path)
        } catch {
            throw error.path == nil ? error.at(path) : error
        }
    }

    /// Encodes `image` in memory (`jpegQuality` 1…100 for JPEG, `pngLevel` 0…9 for PNG).
    public static func encode(
        _ image: Image, as format: ImageFormat, jpegQuality: Int = defaultJPEGQuality, pngLevel: Int = defaultPNGLevel
    ) throws(ImageIOError) -> [UInt8] {
        switch format {
        case .png: try PNGCodec.encode(image, level: pngLevel)
        case .pnm: try PNMCodec.encode(image)
        case .jpeg: try JPEGCodec.encode(image, quality: jpegQuality)
        }
    }

    private static func format(of bytes: [UInt8]) throws(ImageIOError) -> ImageFormat {
        guard !bytes.isEmpty else { throw ImageIOError(.empty, path: nil, "the file is empty") }
        guard let format = ImageFormat.sniff(bytes) else {
            throw ImageIOError(.unknownFormat, path: nil, "not a PNG, JPEG or PNM image")
        }
        return format
    }
}
