public import StudioCore

/// Small deterministic images for codec and dataset tests.
public enum TestImages {
    /// A `width × height` image whose every sample differs from its neighbours, at the given shape.
    public static func pattern(width: Int, height: Int, layout: PixelLayout, depth: BitDepth = .eight, seed: UInt64 = 1) -> Image {
        var rng = RandomStream(seed: seed)
        let count = width * height * layout.channels
        switch depth {
        case .eight:
            return Image(
                width: width, height: height, layout: layout, pixels: .eight((0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            )
        case .sixteen:
            return Image(
                width: width, height: height, layout: layout,
                pixels: .sixteen((0..<count).map { _ in UInt16(truncatingIfNeeded: rng.next()) }))
        }
    }

    /// A horizontal gray ramp, 0 at the left to 255 at the right.
    public static func grayRamp(width: Int = 256, height: Int = 4) -> Image {
        var samples = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width { samples[y * width + x] = UInt8(x * 255 / max(1, width - 1)) }
        }
        return Image(width: width, height: height, layout: .gray, pixels: .eight(samples))
    }
}
