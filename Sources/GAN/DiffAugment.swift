public import NeuralNet
public import StudioCore

/// Differentiable augmentation (Zhao et al., "Differentiable Augmentation for Data-Efficient GAN
/// Training", 2020): the same random colour, translation and cutout applied to real and generated
/// images before the discriminator, with a backward pass so the generator learns through it.
/// With a few dozen images of a class, this is what keeps the discriminator from memorizing them.
public struct DiffAugment: Sendable, Equatable {
    public enum Operation: String, Sendable, CaseIterable {
        case color, translation, cutout
    }

    public var operations: [Operation]
    /// Adaptive (ADA, Karras et al. 2020): each operation is applied to each image with a
    /// probability that training raises while the discriminator is too sure of the real images
    /// (the share of positive logits on them above `target`) and lowers otherwise. Off: every
    /// operation on every image (DiffAugment as published).
    public var adaptive = false
    /// ADA's r_t target: the mean sign of the discriminator's logits on real images (2 × the share
    /// it calls real, − 1) above which the probability rises. 0.6 is a share of 80 %.
    public var target: Float = 0.6

    public init(_ operations: [Operation], adaptive: Bool = false) {
        self.operations = operations
        self.adaptive = adaptive
    }

    /// Images it takes the probability to go from 0 to 1 (ADA uses 500k on GPUs; runs here are
    /// a few hundred thousand images in all, so it moves ten times faster).
    public static let imagesToFull: Float = 50_000

    /// The probability after one step whose real logits had `positiveShare` above zero.
    public func adjusted(_ probability: Float, positiveShare: Float, batch: Int) -> Float {
        guard adaptive else { return probability }
        let direction: Float = 2 * positiveShare - 1 > target ? 1 : -1
        return max(0, min(1, probability + direction * Float(batch) / Self.imagesToFull))
    }

    /// `ada` (adaptive, all three operations), `color,translation,cutout` (any of them,
    /// comma-separated, always applied), or `none`.
    public static func parse(_ text: String) throws(GANError) -> DiffAugment {
        if text == "ada" { return DiffAugment(Operation.allCases, adaptive: true) }
        return DiffAugment(try operations(text))
    }

    /// `color,translation,cutout` (any of them, comma-separated), or `none`.
    public static func operations(_ text: String) throws(GANError) -> [Operation] {
        if text == "none" || text.isEmpty { return [] }
        var out: [Operation] = []
        for name in text.split(separator: ",") {
            guard let operation = Operation(rawValue: String(name)) else {
                throw GANError(.settings, "unknown augmentation \(String(name).terminalSafe) (ada, color, translation, cutout or none)")
            }
            out.append(operation)
        }
        return out
    }

    /// The random choices for one batch, drawn up front so backward undoes exactly what forward did.
    public struct Plan: Sendable {
        var brightness: [Float] = []
        var saturation: [Float] = []
        var contrast: [Float] = []
        var shifts: [(dx: Int, dy: Int)] = []
        var cutouts: [(x: Int, y: Int)] = []
        var cutoutSize = 0
        /// Per image, whether the cutout applies (adaptive plans skip some).
        var cutoutOn: [Bool] = []
    }

    /// Draws one plan for `batch` images of side `resolution`. With `probability` below 1 each
    /// operation is applied to each image only when a draw falls under it (the others get the
    /// identity: no colour change, no shift, no cutout); at 1 nothing extra is drawn, so fixed
    /// DiffAugment runs draw what they always drew.
    public func plan(batch: Int, resolution: Int, probability: Float = 1, random: inout RandomStream) -> Plan {
        var plan = Plan()
        func applies() -> Bool { probability >= 1 || Float(random.nextUnit()) < probability }
        for operation in operations {
            switch operation {
            case .color:
                for _ in 0..<batch {
                    let on = applies()
                    let (b, s, c) = (Float(random.nextUnit()) - 0.5, Float(random.nextUnit()) * 2, Float(random.nextUnit()) + 0.5)
                    plan.brightness.append(on ? b : 0)
                    plan.saturation.append(on ? s : 1)
                    plan.contrast.append(on ? c : 1)
                }
            case .translation:
                let limit = max(1, resolution / 8)
                for _ in 0..<batch {
                    let on = applies()
                    let shift = (Int(random.next() % UInt64(2 * limit + 1)) - limit, Int(random.next() % UInt64(2 * limit + 1)) - limit)
                    plan.shifts.append(on ? shift : (0, 0))
                }
            case .cutout:
                plan.cutoutSize = resolution / 2
                for _ in 0..<batch {
                    plan.cutoutOn.append(applies())
                    plan.cutouts.append((Int(random.next() % UInt64(resolution)), Int(random.next() % UInt64(resolution))))
                }
            }
        }
        return plan
    }

    public func apply(_ images: Tensor, _ plan: Plan) -> Tensor {
        var x = images
        for operation in operations { x = step(operation, x, plan, backward: false) }
        return x
    }

    /// The gradient of the original images from the gradient of the augmented ones.
    public func backward(_ gradient: Tensor, _ plan: Plan) -> Tensor {
        var g = gradient
        for operation in operations.reversed() { g = step(operation, g, plan, backward: true) }
        return g
    }

    private func step(_ operation: Operation, _ x: Tensor, _ plan: Plan, backward: Bool) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let plane = h * w
        var out = x.storage
        for i in 0..<n {
            let base = i * c * plane
            switch operation {
            case .color:
                // brightness: x + b (gradient unchanged); saturation: s·x + (1 − s)·mean over
                // channels; contrast: k·x + (1 − k)·mean over the image. Both are symmetric linear
                // maps, so backward applies them again (without the brightness offset), in reverse.
                let (s, k) = (plan.saturation[i], plan.contrast[i])
                if !backward { for j in base..<(base + c * plane) { out[j] += plan.brightness[i] } }
                let mixes: [(amount: Float, perPixel: Bool)] = backward ? [(k, false), (s, true)] : [(s, true), (k, false)]
                for (amount, perPixel) in mixes {
                    if perPixel {
                        for p in 0..<plane {
                            var mean: Float = 0
                            for ch in 0..<c { mean += out[base + ch * plane + p] }
                            mean /= Float(c)
                            for ch in 0..<c { out[base + ch * plane + p] = amount * out[base + ch * plane + p] + (1 - amount) * mean }
                        }
                    } else {
                        var mean: Float = 0
                        for j in base..<(base + c * plane) { mean += out[j] }
                        mean /= Float(c * plane)
                        for j in base..<(base + c * plane) { out[j] = amount * out[j] + (1 - amount) * mean }
                    }
                }
            case .translation:
                // Shift with zero fill; the adjoint shifts back.
                let (dx, dy) = backward ? (-plan.shifts[i].dx, -plan.shifts[i].dy) : plan.shifts[i]
                for ch in 0..<c {
                    let offset = base + ch * plane
                    for y in 0..<h {
                        for xPos in 0..<w {
                            let (sx, sy) = (xPos - dx, y - dy)
                            out[offset + y * w + xPos] = sx >= 0 && sx < w && sy >= 0 && sy < h ? x.storage[offset + sy * w + sx] : 0
                        }
                    }
                }
            case .cutout:
                // A zeroed square centred at the drawn point; its gradient is zeroed the same.
                guard plan.cutoutOn[i] else { continue }
                let half = plan.cutoutSize / 2
                let (cx, cy) = plan.cutouts[i]
                for ch in 0..<c {
                    let offset = base + ch * plane
                    for y in max(0, cy - half)..<min(h, cy - half + plan.cutoutSize) {
                        for xPos in max(0, cx - half)..<min(w, cx - half + plan.cutoutSize) { out[offset + y * w + xPos] = 0 }
                    }
                }
            }
        }
        return Tensor(shape: x.shape, storage: out)
    }
}
