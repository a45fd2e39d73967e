/// The largest images a decoder will allocate for, checked against the header before any pixel
/// memory is taken, so a forged 100000×100000 header costs nothing.
public struct DecodeLimits: Sendable, Hashable {
    /// Largest width or height in pixels.
    public var maxSide: Int
    /// Largest `width × height`.
    public var maxPixels: Int

    public init(maxSide: Int = DecodeLimits.defaultMaxSide, maxPixels: Int = DecodeLimits.defaultMaxPixels) {
        self.maxSide = maxSide
        self.maxPixels = maxPixels
    }

    /// 32768 px: larger than any camera sensor or satellite tile we expect in a training set.
    public static let defaultMaxSide = 32_768
    /// 2^28 pixels (a 16384 × 16384 image, 1 GiB as RGBA).
    public static let defaultMaxPixels = 1 << 28

    /// The limits every reader uses unless told otherwise.
    public static let standard = DecodeLimits()

    /// Refuses a size the limits do not allow, or one that is not positive.
    func check(width: Int, height: Int) throws(ImageIOError) {
        guard width > 0, height > 0 else {
            throw ImageIOError(.corrupt, path: nil, "image size \(width)×\(height) is empty")
        }
        guard width <= maxSide, height <= maxSide else {
            throw ImageIOError(.tooLarge, path: nil, "image size \(width)×\(height) exceeds the largest side of \(maxSide) px")
        }
        guard width.multipliedReportingOverflow(by: height).partialValue <= maxPixels else {
            throw ImageIOError(.tooLarge, path: nil, "image size \(width)×\(height) exceeds the limit of \(maxPixels) pixels")
        }
    }
}
