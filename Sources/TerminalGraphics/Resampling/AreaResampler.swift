/// Area-averaging resampling: each output pixel is the mean of the source area it covers, with
/// fractional weights at the edges. No aliasing when shrinking photos (every source pixel counts);
/// when enlarging, each output pixel lies within one source pixel (or straddles two), so edges stay sharp.
///
/// Colour is averaged premultiplied by alpha, so transparent pixels do not darken their neighbours.
enum AreaResampler {
    static func resize(_ source: Canvas, width: Int, height: Int) -> Canvas {
        precondition(width > 0 && height > 0, "cannot resample to an empty canvas")
        if width == source.width && height == source.height { return source }
        // Premultiply, then resample 4 channels: R·a, G·a, B·a, a.
        let count = source.width * source.height
        var premultiplied = [Float](repeating: 0, count: count * 4)
        for p in 0..<count {
            let a = source.alpha[p]
            premultiplied[p * 4] = source.rgb[p * 3] * a
            premultiplied[p * 4 + 1] = source.rgb[p * 3 + 1] * a
            premultiplied[p * 4 + 2] = source.rgb[p * 3 + 2] * a
            premultiplied[p * 4 + 3] = a
        }
        let horizontal = resizeRows(premultiplied, width: source.width, height: source.height, to: width)
        let vertical = resizeColumns(horizontal, width: width, height: source.height, to: height)
        var rgb = [Float](repeating: 0, count: width * height * 3)
        var alpha = [Float](repeating: 0, count: width * height)
        for p in 0..<(width * height) {
            let a = vertical[p * 4 + 3]
            alpha[p] = min(1, a)
            if a > 1e-6 {
                rgb[p * 3] = vertical[p * 4] / a
                rgb[p * 3 + 1] = vertical[p * 4 + 1] / a
                rgb[p * 3 + 2] = vertical[p * 4 + 2] / a
            }
        }
        return Canvas(width: width, height: height, rgb: rgb, alpha: alpha)
    }

    /// `height` rows of `width` RGBA pixels → rows of `target` pixels.
    private static func resizeRows(_ input: [Float], width: Int, height: Int, to target: Int) -> [Float] {
        if target == width { return input }
        let weights = coverage(from: width, to: target)
        var output = [Float](repeating: 0, count: height * target * 4)
        input.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    for (x, taps) in weights.enumerated() {
                        var acc = SIMD4<Float>()
                        for (i, w) in taps {
                            let at = (y * width + i) * 4
                            acc += SIMD4(src[at], src[at + 1], src[at + 2], src[at + 3]) * w
                        }
                        let out = (y * target + x) * 4
                        dst[out] = acc.x
                        dst[out + 1] = acc.y
                        dst[out + 2] = acc.z
                        dst[out + 3] = acc.w
                    }
                }
            }
        }
        return output
    }

    /// `height` rows of `width` RGBA pixels → `target` rows.
    private static func resizeColumns(_ input: [Float], width: Int, height: Int, to target: Int) -> [Float] {
        if target == height { return input }
        let weights = coverage(from: height, to: target)
        var output = [Float](repeating: 0, count: target * width * 4)
        input.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                for (y, taps) in weights.enumerated() {
                    let outRow = y * width * 4
                    for (i, w) in taps {
                        let inRow = i * width * 4
                        for k in 0..<(width * 4) { dst[outRow + k] += src[inRow + k] * w }
                    }
                }
            }
        }
        return output
    }

    /// For each output index, the source indices it covers and their weights (summing to 1).
    static func coverage(from length: Int, to target: Int) -> [[(Int, Float)]] {
        let scale = Double(length) / Double(target)
        return (0..<target).map { o in
            // Enlarging too: an output pixel takes the source pixel it lies in (two, weighted,
            // where it straddles an edge), so edges stay sharp.
            let start = Double(o) * scale, end = Double(o + 1) * scale
            var taps: [(Int, Float)] = []
            var i = Int(start.rounded(.down))
            while Double(i) < end && i < length {
                let w = min(end, Double(i + 1)) - max(start, Double(i))
                if w > 1e-9 { taps.append((i, Float(w))) }
                i += 1
            }
            let total = taps.reduce(Float(0)) { $0 + $1.1 }
            return taps.map { ($0.0, $0.1 / total) }
        }
    }
}

extension Canvas {
    /// The canvas resampled by area averaging to `width × height`.
    public func resized(width: Int, height: Int) -> Canvas {
        AreaResampler.resize(self, width: width, height: height)
    }
}
