import Foundation
import GAN

/// One training step of the 32×32 conditional DCGAN (ngf = ndf = 64, batch 64, 1 channel) and
/// generator throughput, beside PyTorch on the CPU with 2 threads running the identical
/// architecture and step (Benchmarks/peers/dcgan_torch.py), in the same run.
func ganBench(steps: Int) throws {
    var settings = GANSettings()
    settings.batch = 64
    settings.steps = steps
    print("\nGAN: conditional DCGAN 32×32, 1 channel, ngf = ndf = 64, batch 64, \(steps) timed steps after 3 warm-up steps")
    for resolution in [32, 16] {
        let ours = try GANBenchmark.run(
            architecture: GANArchitecture(resolution: resolution, channels: 1, classes: 10), settings: settings)
        let ourStep = ours.stepMilliseconds.sorted()[ours.stepMilliseconds.count / 2]
        print(
            String(
                format: "  %d px  synthstudio            step %7.1f ms (median)   generator %7.0f images/s", resolution, ourStep,
                ours.generatorImagesPerSecond))
        let arguments = [
            "Benchmarks/peers/dcgan_torch.py", "--threads", "2", "--steps", String(steps), "--resolution", String(resolution), "--json",
        ]
        guard let text = peer("python3", arguments),
            let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let torchStep = object["step_ms_median"] as? Double, let torchRate = object["generator_images_per_s"] as? Double
        else {
            print("  PyTorch: not available (pip install torch — a CPU wheel is enough)")
            continue
        }
        print(
            String(
                format: "  %d px  PyTorch %@ (2 thr.)  step %7.1f ms (median)   generator %7.0f images/s", resolution,
                (object["torch"] as? String ?? "?"), torchStep, torchRate))
        print(
            String(
                format: "  %d px  ratio: our step takes %.2f× PyTorch's; our generator runs at %.2f× PyTorch's rate", resolution,
                ourStep / torchStep, ours.generatorImagesPerSecond / torchRate))
    }
}
