/// Chooses up to `maximum` colours for an image: median cut over a 5-bit-per-channel histogram,
/// refined by a few k-means passes, then snapped to sixel's percent grid (each channel one of
/// 101 levels) so the colours the terminal shows are the ones we dithered against.
///
/// A gray image gets gray levels instead: up to 101 of them, every percent level its pixels come
/// near, so tones survive (today's encoders keep 17–33).
package enum PaletteBuilder {
    /// Palette entries, sRGB 0…255 on the percent grid.
    package static func build(_ canvas: Canvas, maximum: Int) -> [SIMD3<Float>] {
        precondition(maximum >= 1 && maximum <= 256, "a palette holds 1…256 colours")
        if canvas.isGray() { return grayLevels(canvas, maximum: maximum) }
        var bins: [Bin] = histogram(canvas)
        guard !bins.isEmpty else { return [SIMD3(0, 0, 0)] }
        var centers = medianCut(&bins, maximum: maximum)
        refine(&centers, bins: bins, passes: 1)
        var seen: Set<SIMD3<Float>> = []
        return centers.map(snapToPercent).filter { seen.insert($0).inserted }
    }

    /// A channel value on sixel's percent grid: round(v / 2.55) percent, shown as that × 2.55.
    static func snapToPercent(_ c: SIMD3<Float>) -> SIMD3<Float> {
        let percent = (c * (100 / 255)).rounded(.toNearestOrAwayFromZero).clamped(
            lowerBound: SIMD3(repeating: 0), upperBound: SIMD3(repeating: 100))
        return percent * 2.55
    }

    private struct Bin {
        var count: Float
        var sum: SIMD3<Float>
        /// The bin's cell in the 32×32×32 histogram, per channel.
        var cell: SIMD3<Int32>
        var mean: SIMD3<Float> { sum / count }
    }

    private static func histogram(_ canvas: Canvas) -> [Bin] {
        var counts = [Float](repeating: 0, count: 32 * 32 * 32)
        var sums = [Float](repeating: 0, count: 32 * 32 * 32 * 3)
        canvas.rgb.withUnsafeBufferPointer { rgb in
            canvas.alpha.withUnsafeBufferPointer { alpha in
                for p in 0..<(canvas.width * canvas.height) where alpha[p] > 0 {
                    let r = max(0, min(255, rgb[p * 3])), g = max(0, min(255, rgb[p * 3 + 1])), b = max(0, min(255, rgb[p * 3 + 2]))
                    let key = (Int(r) >> 3) << 10 | (Int(g) >> 3) << 5 | Int(b) >> 3
                    counts[key] += 1
                    sums[key * 3] += r
                    sums[key * 3 + 1] += g
                    sums[key * 3 + 2] += b
                }
            }
        }
        var bins: [Bin] = []
        for key in counts.indices where counts[key] > 0 {
            let cell = SIMD3<Int32>(Int32(key >> 10), Int32(key >> 5 & 31), Int32(key & 31))
            bins.append(Bin(count: counts[key], sum: SIMD3(sums[key * 3], sums[key * 3 + 1], sums[key * 3 + 2]), cell: cell))
        }
        return bins
    }

    /// Splits the box with the largest weighted spread along its widest channel at the weighted
    /// median, until `maximum` boxes or no box can be split. Splitting partitions by the bins'
    /// histogram cells (a counting pass, no sort).
    private static func medianCut(_ bins: inout [Bin], maximum: Int) -> [SIMD3<Float>] {
        struct Box {
            var range: Range<Int>
            var score: Float
            var channel: Int
        }
        func measure(_ r: Range<Int>) -> Box {
            guard r.count > 1 else { return Box(range: r, score: 0, channel: 0) }
            var lo = SIMD3<Int32>(repeating: 31), hi = SIMD3<Int32>(repeating: 0)
            var weight: Float = 0
            for i in r {
                lo = pointwiseMin(lo, bins[i].cell)
                hi = pointwiseMax(hi, bins[i].cell)
                weight += bins[i].count
            }
            let extent = hi &- lo
            let channel = extent.x >= extent.y && extent.x >= extent.z ? 0 : (extent.y >= extent.z ? 1 : 2)
            // Weight by pixel count (square root, so a huge flat region does not eat the palette).
            return Box(range: r, score: Float(extent[channel]) * weight.squareRoot(), channel: channel)
        }
        var boxes = [measure(0..<bins.count)]
        var weights = [Float](repeating: 0, count: 32)
        while boxes.count < maximum {
            guard let best = boxes.indices.max(by: { boxes[$0].score < boxes[$1].score }), boxes[best].score > 0 else { break }
            let box = boxes[best].range, channel = boxes[best].channel
            for v in 0..<32 { weights[v] = 0 }
            var total: Float = 0
            for i in box {
                weights[Int(bins[i].cell[channel])] += bins[i].count
                total += bins[i].count
            }
            // The weighted median cell; the lower part takes cells up to it, unless that is all.
            var running: Float = 0, median = 0
            for v in 0..<32 {
                running += weights[v]
                if running >= total / 2 {
                    median = v
                    break
                }
            }
            let lowest = (0..<32).first { weights[$0] > 0 }!
            if (median + 1..<32).allSatisfy({ weights[$0] == 0 }) { median -= 1 }
            median = max(median, lowest)
            // Partition in place: cells ≤ median first.
            var split = box.lowerBound
            for i in box where Int(bins[i].cell[channel]) <= median {
                bins.swapAt(i, split)
                split += 1
            }
            boxes[best] = measure(box.lowerBound..<split)
            boxes.append(measure(split..<box.upperBound))
        }
        return boxes.map { box in
            var sum = SIMD3<Float>.zero, count: Float = 0
            for i in box.range {
                sum += bins[i].sum
                count += bins[i].count
            }
            return sum / count
        }
    }

    /// Lloyd's k-means over the histogram bins, starting from the median-cut centres.
    private static func refine(_ centers: inout [SIMD3<Float>], bins: [Bin], passes: Int) {
        for _ in 0..<passes {
            var sums = [SIMD3<Float>](repeating: .zero, count: centers.count)
            var counts = [Float](repeating: 0, count: centers.count)
            let nearest = NearestColor(centers)
            for bin in bins {
                let best = nearest.index(of: bin.mean)
                sums[best] += bin.sum
                counts[best] += bin.count
            }
            for i in centers.indices where counts[i] > 0 { centers[i] = sums[i] / counts[i] }
        }
    }

    /// The percent levels a gray image needs: each pixel's nearest level and its neighbours (so
    /// dithering can mix between them), thinned evenly if more than `maximum`.
    private static func grayLevels(_ canvas: Canvas, maximum: Int) -> [SIMD3<Float>] {
        var used = [Bool](repeating: false, count: 101)
        for p in 0..<(canvas.width * canvas.height) where canvas.alpha[p] > 0 {
            let g = (canvas.rgb[p * 3] + canvas.rgb[p * 3 + 1] + canvas.rgb[p * 3 + 2]) / 3
            let level = max(0, min(100, Int((g / 2.55).rounded())))
            for l in max(0, level - 1)...min(100, level + 1) { used[l] = true }
        }
        var levels = used.indices.filter { used[$0] }
        if levels.count > maximum {
            let step = Double(levels.count - 1) / Double(maximum - 1)
            levels = (0..<maximum).map { levels[Int((Double($0) * step).rounded())] }
        }
        return levels.map { SIMD3(repeating: Float($0) * 2.55) }
    }
}
