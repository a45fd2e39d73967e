public import StudioCore

/// The file formats ImageIO reads, recognised by their first bytes.
public enum ImageFormat: String, Sendable, Hashable, CaseIterable {
    case png
    case jpeg
    /// Netpbm binary graymap (P5) or pixmap (P6).
    case pnm

    /// The format the leading bytes announce, or `nil`.
    public static func sniff(_ bytes: some Collection<UInt8>) -> ImageFormat? {
        let head = Array(bytes.prefix(8))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.count >= 2, head[0] == UInt8(ascii: "P"), (UInt8(ascii: "1")...UInt8(ascii: "7")).contains(head[1]) {
            return .pnm
        }
        return nil
    }

    /// The format a file name's extension names, for writing (`.png`, `.jpg`/`.jpeg`, `.pgm`/`.ppm`/`.pnm`).
    public init?(pathExtension ext: String) {
        switch ext.lowercased() {
        case "png": self = .png
        case "jpg", "jpeg", "jpe": self = .jpeg
        case "pgm", "ppm", "pnm": self = .pnm
        default: return nil
        }
    }

    /// File extensions that dataset folders use for images of any format we read.
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "jpe", "pgm", "ppm", "pnm"]
}

/// What a header says about an image, read without decoding its pixels.
public struct ImageInfo: Sendable, Hashable {
    public let format: ImageFormat
    public let width: Int
    public let height: Int
    /// The channels the decoder will return.
    public let layout: PixelLayout
    /// The bit depth the decoder will return.
    public let depth: BitDepth

    public init(format: ImageFormat, width: Int, height: Int, layout: PixelLayout, depth: BitDepth) {
        self.format = format
        self.width = width
        self.height = height
        self.layout = layout
        self.depth = depth
    }
}
