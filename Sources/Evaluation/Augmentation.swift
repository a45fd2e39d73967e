internal import StudioCore

#if canImport(Glibc)
    internal import Glibc
#endif

/// What a detector trainer does to each image before a step: a horizontal flip, a random scale
/// (0.7–1.4×, log-uniform) with a random shift, and colour jitter (brightness and contrast
/// ±30 %, saturation ±40 %), boxes moved with the pixels. Boxes pushed mostly out of the frame,
/// or under 2 px, become ignore regions.
enum Augmentation {
    static let mean: Float = 0.45
    static let spread: Float = 0.25

    /// Bytes to the network's input values, `(3, H, W)` planes.
    static func normalized(_ pixels: [UInt8]) -> [Float] {
        let count = pixels.count / 3
        var out = [Float](repeating: 0, count: pixels.count)
        for i in 0..<count {
            for c in 0..<3 { out[c * count + i] = (Float(pixels[i * 3 + c]) / 255 - mean) / spread }
        }
        return out
    }

    static func apply(
        _ item: DetectionImages.Item, width: Int, height: Int, augment: Bool, random: inout RandomStream
    ) -> (input: [Float], boxes: [LabelledBox]) {
        guard augment else { return (normalized(item.pixels), item.boxes) }
        let flip = random.nextUnit() < 0.5
        let scale = Float(exp(log(0.7) + random.nextUnit() * (log(1.4) - log(0.7))))
        let (fw, fh) = (Float(width), Float(height))
        let rangeX = fw - fw * scale
        let rangeY = fh - fh * scale
        let tx = Float(random.nextUnit()) * rangeX
        let ty = Float(random.nextUnit()) * rangeY
        let brightness = Float(0.7 + 0.6 * random.nextUnit())
        let contrast = Float(0.7 + 0.6 * random.nextUnit())
        let saturation = Float(0.6 + 0.8 * random.nextUnit())

        let plane = width * height
        var out = [Float](repeating: 0, count: 3 * plane)
        let pad = Float(DetectionImages.padding)
        let inverse = 1 / scale
        @inline(__always) func jitter(_ value: Float, _ gray: Float) -> Float {
            let x = ((gray + (value - gray) * saturation) * brightness - mean) * contrast + mean
            return (min(max(x, 0), 1) - mean) / spread
        }
        item.pixels.withUnsafeBufferPointer { src in
            for v in 0..<height {
                let sy = (Float(v) + 0.5 - ty) * inverse - 0.5
                let y0 = Int(sy.rounded(.down))
                let wy = sy - Float(y0)
                for u in 0..<width {
                    var sx = (Float(u) + 0.5 - tx) * inverse - 0.5
                    if flip { sx = fw - 1 - sx }
                    let x0 = Int(sx.rounded(.down))
                    let wx = sx - Float(x0)
                    var rgb: (Float, Float, Float) = (0, 0, 0)
                    for dy in 0...1 {
                        let y = y0 + dy
                        let fy = dy == 0 ? 1 - wy : wy
                        for dx in 0...1 {
                            let x = x0 + dx
                            let f = (dx == 0 ? 1 - wx : wx) * fy
                            if x >= 0, x < width, y >= 0, y < height {
                                let p = (y * width + x) * 3
                                rgb.0 += f * Float(src[p])
                                rgb.1 += f * Float(src[p + 1])
                                rgb.2 += f * Float(src[p + 2])
                            } else {
                                rgb.0 += f * pad
                                rgb.1 += f * pad
                                rgb.2 += f * pad
                            }
                        }
                    }
                    rgb = (rgb.0 / 255, rgb.1 / 255, rgb.2 / 255)
                    let gray = 0.299 * rgb.0 + 0.587 * rgb.1 + 0.114 * rgb.2
                    let o = v * width + u
                    out[o] = jitter(rgb.0, gray)
                    out[plane + o] = jitter(rgb.1, gray)
                    out[2 * plane + o] = jitter(rgb.2, gray)
                }
            }
        }
        var boxes: [LabelledBox] = []
        for box in item.boxes {
            var x0 = box.x
            var x1 = box.x + box.width
            if flip { (x0, x1) = (fw - x1, fw - x0) }
            let (ax0, ax1) = (x0 * scale + tx, x1 * scale + tx)
            let (ay0, ay1) = (box.y * scale + ty, (box.y + box.height) * scale + ty)
            let (cx0, cx1) = (max(0, ax0), min(fw, ax1))
            let (cy0, cy1) = (max(0, ay0), min(fh, ay1))
            guard cx1 > cx0, cy1 > cy0 else { continue }
            let kept = (cx1 - cx0) * (cy1 - cy0) / max(1e-6, (ax1 - ax0) * (ay1 - ay0))
            let tooSmall = cx1 - cx0 < 2 || cy1 - cy0 < 2
            boxes.append(
                LabelledBox(
                    category: box.category, x: cx0, y: cy0, width: cx1 - cx0, height: cy1 - cy0,
                    ignore: box.ignore || kept < 0.4 || tooSmall))
        }
        return (out, boxes)
    }
}
