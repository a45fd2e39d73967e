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

    /// RGB bytes blurred by `passes` passes of a separable box filter of `radius` (three passes are
    /// close to a Gaussian), edges averaged over the pixels inside.
    public static func boxBlurred(_ pixels: [UInt8], width w: Int, height h: Int, radius r: Int, passes: Int) -> [UInt8] {
        var p = pixels
        for _ in 0..<passes {
            for (dx, dy) in [(1, 0), (0, 1)] {
                var q = p
                for y in 0..<h {
                    for x in 0..<w {
                        for c in 0..<3 {
                            var s = 0
                            var n = 0
                            for k in -r...r {
                                let (xx, yy) = (x + k * dx, y + k * dy)
                                guard xx >= 0, xx < w, yy >= 0, yy < h else { continue }
                                s += Int(p[(yy * w + xx) * 3 + c])
                                n += 1
                            }
                            q[(y * w + x) * 3 + c] = UInt8(s / n)
                        }
                    }
                }
                p = q
            }
        }
        return p
    }
}
