public import NeuralNet

#if canImport(Glibc)
    internal import Glibc
#endif

/// One box in network input pixels, as the detector learns or predicts it.
public struct LabelledBox: Sendable, Equatable {
    public var category: Int
    public var x: Float
    public var y: Float
    public var width: Float
    public var height: Float
    /// An ignore region: its pixels are neither object nor background to the loss.
    public var ignore: Bool

    public init(category: Int, x: Float, y: Float, width: Float, height: Float, ignore: Bool = false) {
        self.category = category
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.ignore = ignore
    }
}

/// CenterNet's training targets and loss: a Gaussian peak per object centre on its class's heat
/// map (penalty-reduced focal loss, α = 2, β = 4, normalised by the number of objects), and at
/// each centre an L1 loss on log width, log height and the sub-cell offset.
public enum CenterTargets {
    static let alpha: Float = 2
    static let beta: Float = 4
    static let sizeWeight: Float = 1
    static let offsetWeight: Float = 1

    /// The Gaussian radius (in cells) for which a box at a corner-shifted peak still overlaps the
    /// true box by `overlap` (CornerNet's three cases, as CenterNet uses them).
    static func radius(width w: Float, height h: Float, overlap m: Float = 0.7) -> Float {
        let b1 = h + w
        let c1 = w * h * (1 - m) / (1 + m)
        let r1 = (b1 + (b1 * b1 - 4 * c1).squareRoot()) / 2
        let b2 = 2 * (h + w)
        let c2 = (1 - m) * w * h
        let r2 = (b2 + (b2 * b2 - 16 * c2).squareRoot()) / 2
        let a3 = 4 * m
        let b3 = -2 * m * (h + w)
        let c3 = (m - 1) * w * h
        let r3 = (b3 + (b3 * b3 - 4 * a3 * c3).squareRoot()) / 2
        return max(0, min(r1, r2, r3))
    }

    /// Loss and gradient of a batch of detector outputs `(N, C + 4, h, w)` against its boxes
    /// (network input pixels; `stride` input pixels per output cell).
    public static func loss(_ output: Tensor, boxes: [[LabelledBox]], stride: Int = Detector.stride) -> LossResult {
        let (n, channels, h, w) = (output.shape[0], output.shape[1], output.shape[2], output.shape[3])
        let classes = channels - 4
        let plane = h * w
        var gradient = [Float](repeating: 0, count: output.count)
        var heatLoss: Float = 0
        var regressionLoss: Float = 0
        var objects = 0
        let s = Float(stride)
        for item in 0..<n {
            // Targets for this image: heat per class, ignore mask per class.
            var heat = [Float](repeating: 0, count: classes * plane)
            var ignored = [Bool](repeating: false, count: classes * plane)
            var centres = [(category: Int, cell: Int, logW: Float, logH: Float, dx: Float, dy: Float)]()
            for box in boxes[item] where box.category < classes {
                let cx = (box.x + box.width / 2) / s
                let cy = (box.y + box.height / 2) / s
                let bw = box.width / s
                let bh = box.height / s
                if box.ignore || bw <= 0 || bh <= 0 {
                    let x0 = max(0, Int((box.x / s).rounded(.down)))
                    let x1 = min(w - 1, Int(((box.x + box.width) / s).rounded(.up)))
                    let y0 = max(0, Int((box.y / s).rounded(.down)))
                    let y1 = min(h - 1, Int(((box.y + box.height) / s).rounded(.up)))
                    if x0 <= x1 && y0 <= y1 {
                        for y in y0...y1 { for x in x0...x1 { ignored[box.category * plane + y * w + x] = true } }
                    }
                    continue
                }
                let ix = Int(cx.rounded(.down))
                let iy = Int(cy.rounded(.down))
                guard ix >= 0, ix < w, iy >= 0, iy < h else { continue }
                let r = Int(radius(width: bw, height: bh).rounded(.down))
                let sigma = Float(2 * r + 1) / 6
                for y in max(0, iy - r)...min(h - 1, iy + r) {
                    for x in max(0, ix - r)...min(w - 1, ix + r) {
                        let d2 = Float((x - ix) * (x - ix) + (y - iy) * (y - iy))
                        let value = expf(-d2 / (2 * sigma * sigma))
                        let index = box.category * plane + y * w + x
                        heat[index] = max(heat[index], value)
                    }
                }
                heat[box.category * plane + iy * w + ix] = 1
                centres.append((box.category, iy * w + ix, logf(bw), logf(bh), cx - Float(ix), cy - Float(iy)))
            }
            objects += centres.count
            let base = item * channels * plane
            output.storage.withUnsafeBufferPointer { out in
                for c in 0..<classes {
                    for i in 0..<plane {
                        let index = c * plane + i
                        let target = heat[index]
                        if ignored[index] && target < 1 { continue }
                        let x = out[base + index]
                        let p = min(max(1 / (1 + expf(-x)), 1e-4), 1 - 1e-4)
                        if target == 1 {
                            heatLoss -= (1 - p) * (1 - p) * logf(p)
                            gradient[base + index] = 2 * p * (1 - p) * (1 - p) * logf(p) - (1 - p) * (1 - p) * (1 - p)
                        } else {
                            let weight = powf(1 - target, beta)
                            heatLoss -= weight * p * p * logf(1 - p)
                            gradient[base + index] = -weight * (2 * p * p * (1 - p) * logf(1 - p) - p * p * p)
                        }
                    }
                }
                for centre in centres {
                    let targets = [centre.logW, centre.logH, centre.dx, centre.dy]
                    for (k, target) in targets.enumerated() {
                        let index = base + (classes + k) * plane + centre.cell
                        let difference = out[index] - target
                        let weight = k < 2 ? sizeWeight : offsetWeight
                        regressionLoss += weight * abs(difference)
                        gradient[index] += weight * (difference > 0 ? 1 : difference < 0 ? -1 : 0)
                    }
                }
            }
        }
        let norm = 1 / Float(max(objects, 1))
        for i in gradient.indices { gradient[i] *= norm }
        return LossResult(value: (heatLoss + regressionLoss) * norm, gradient: Tensor(shape: output.shape, storage: gradient))
    }

    /// Boxes from one image's output `(C + 4, h, w)` (item `item` of the batch): local maxima of
    /// each class's heat map (3 × 3), the `limit` highest, in network input pixels.
    public static func decode(
        _ output: Tensor, item: Int, limit: Int = 100, threshold: Float = 0.01, stride: Int = Detector.stride
    ) -> [(box: LabelledBox, score: Float)] {
        let (channels, h, w) = (output.shape[1], output.shape[2], output.shape[3])
        let classes = channels - 4
        let plane = h * w
        let base = item * channels * plane
        let logitThreshold = logf(threshold / (1 - threshold))
        var peaks = [(score: Float, category: Int, cell: Int)]()
        output.storage.withUnsafeBufferPointer { out in
            for c in 0..<classes {
                let heat = base + c * plane
                for y in 0..<h {
                    for x in 0..<w {
                        let value = out[heat + y * w + x]
                        guard value > logitThreshold else { continue }
                        var isPeak = true
                        for dy in -1...1 where isPeak {
                            for dx in -1...1 where dx != 0 || dy != 0 {
                                let (nx, ny) = (x + dx, y + dy)
                                if nx >= 0, nx < w, ny >= 0, ny < h, out[heat + ny * w + nx] > value {
                                    isPeak = false
                                    break
                                }
                            }
                        }
                        if isPeak { peaks.append((1 / (1 + expf(-value)), c, y * w + x)) }
                    }
                }
            }
        }
        peaks.sort { $0.score > $1.score || ($0.score == $1.score && ($0.category, $0.cell) < ($1.category, $1.cell)) }
        let s = Float(stride)
        return peaks.prefix(limit).map { peak in
            let (x, y) = (peak.cell % w, peak.cell / w)
            let at = { (k: Int) in output.storage[base + (classes + k) * plane + peak.cell] }
            let bw = expf(min(at(0), 8)) * s
            let bh = expf(min(at(1), 8)) * s
            let cx = (Float(x) + at(2)) * s
            let cy = (Float(y) + at(3)) * s
            return (LabelledBox(category: peak.category, x: cx - bw / 2, y: cy - bh / 2, width: bw, height: bh), peak.score)
        }
    }
}
