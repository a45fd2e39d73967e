import Datasets
import Foundation
import GAN
import ImageIO
import NeuralNet
import StudioCore

/// `gan-step-check [resnet|dcgan] [STEPS] [MODE_SEEKING]`: does our training step do what
/// PyTorch's does? A run (hinge for the ResNet, BCE for DCGAN, batch 64, Adam 2·10⁻⁴ (0.5, 0.999),
/// EMA 0.999, the mode-seeking term at the weight given (default 0: off); augmentation off, which
/// draws nothing) starts from our
/// initial weights on the sample digits at 16 px and takes STEPS steps (default 5) on batches
/// drawn here; PyTorch (`dcgan_torch.py --step-check`) loads the same weights, takes the same
/// steps on the same batches, and every tensor after them is compared — weights, batch-norm
/// statistics, spectral-norm vectors, the moving average. Float32 in both, so differences of
/// 1e-5 relative are rounding; anything larger is a difference of recipe.
struct GANStepCheck {
    let architecture: GANArchitecture.Kind
    let steps: Int
    var modeSeeking: Float = 0
    let folder: String

    func run() throws {
        let dataset = try DatasetIO.read("sample-data/real/digits")
        let data = try TrainingSet(dataset: dataset, resolution: 16)
        var settings = GANSettings()
        settings.loss = architecture == .resnet ? .hinge : .bce
        settings.augment = try DiffAugment.parse("none")
        settings.ema = 0.999
        settings.modeSeeking = modeSeeking
        let width = architecture == .resnet ? 32 : 64
        let info = GANRunInfo(
            architecture: GANArchitecture(
                kind: architecture, resolution: 16, channels: data.channels, classes: data.classes.count, ngf: width, ndf: width),
            settings: settings, classes: data.classes, datasetRoot: "", imageCount: data.count, nativeWidth: data.nativeWidth,
            nativeHeight: data.nativeHeight)
        let run = "\(folder)/\(architecture.rawValue)"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try info.write(run: run)
        let model = GANModel(info: info)
        try Data(model.checkpoint()).write(to: URL(fileURLWithPath: "\(run)/start.safetensors"))
        var random = RandomStream(seed: 77)
        var entries: [SafeTensors.Entry] = [SafeTensors.Entry(name: "count", tensor: Tensor(shape: [1], storage: [Float(steps)]))]
        let (batch, latent) = (settings.batch, info.architecture.latent)
        for k in 0..<steps {
            let labels = GANModel.labels(batch: batch, classes: data.classes.count, paired: modeSeeking > 0, random: &random)
            let real = data.images.gathering(labels.map { data.byClass[$0][Int(random.next() % UInt64(data.byClass[$0].count))] })
            let noise = Tensor(shape: [batch, latent], storage: (0..<(batch * latent)).map { _ in Float(random.nextNormal()) })
            _ = model.trainStep(real: real, labels: labels, noise: noise)
            entries += [
                SafeTensors.Entry(name: "real_\(k)", tensor: real), SafeTensors.Entry(name: "noise_\(k)", tensor: noise),
                SafeTensors.Entry(name: "labels_\(k)", tensor: Tensor(shape: [batch], storage: labels.map(Float.init))),
            ]
        }
        try Data(SafeTensors.encode(entries, metadata: [])).write(to: URL(fileURLWithPath: "\(run)/batches.safetensors"))
        try Data(model.checkpoint()).write(to: URL(fileURLWithPath: "\(run)/after.safetensors"))
        // What the stepped generator (its moving average) makes of the first batch's noise
        // (`noise_0`, `labels_0`: the entries after the count and `real_0`).
        let images = model.generate(noise: entries[2].tensor, labels: entries[3].tensor.storage.map { Int($0) })
        try Data(SafeTensors.encode([SafeTensors.Entry(name: "images", tensor: images)], metadata: [])).write(
            to: URL(fileURLWithPath: "\(run)/images.safetensors"))
        print(
            "\nOne training recipe, two frameworks: \(architecture.rawValue), \(steps) steps from the same weights on the same batches"
                + (modeSeeking > 0 ? ", mode-seeking term \(modeSeeking)" : ""))
        let quality = GANQualityBench(synthstudio: "", seconds: 0, folder: folder)
        guard
            let result = quality.json(
                ["python3", "Benchmarks/peers/dcgan_torch.py", "--step-check", run], log: "\(run)/peer.log"),
            let ours = result["synthstudio_vs_pytorch"] as? [String: Any], let theirs = result["pytorch_1_vs_2_threads"] as? [String: Any]
        else {
            print("  PyTorch did not answer (see \(run)/peer.log)")
            return
        }
        let noiseOnly = result["without_gradient"] as? [String] ?? []
        print(
            "  left out: \(noiseOnly.count) biases feeding a batch norm (their gradient is rounding noise, which Adam makes whole steps of)"
        )
        for (title, comparison) in [
            ("synthstudio against PyTorch (2 threads)", ours), ("PyTorch on 1 thread against 2 (rounding alone)", theirs),
        ] {
            print(
                String(
                    format:
                        "  %@: images of the same noise differ by at most %.1e; the weights by %.2f %% of how far the steps moved them; the worst of %d tensors:",
                    title as NSString, comparison["images_max_difference"] as? Double ?? .nan,
                    (comparison["weights_mean_ratio"] as? Double ?? .nan) * 100, comparison["tensors"] as? Int ?? 0))
            for entry in comparison["worst"] as? [[String: Any]] ?? [] {
                let difference = entry["max_difference"] as? Double ?? .nan, moved = entry["moved"] as? Double ?? .nan
                print(
                    String(
                        format: "    %-44@ %.2e of %.2e (%.1f %%)", (entry["name"] as? String ?? "?") as NSString, difference, moved,
                        difference / max(moved, 1e-30) * 100))
            }
        }
    }
}
