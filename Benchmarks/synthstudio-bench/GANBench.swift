import Foundation
import GAN

/// One training step and generator throughput of the conditional DCGAN (32 and 16 px, ngf = ndf =
/// 64) and of the residual GAN (32 and 64 px, ngf = ndf = 32, hinge loss), batch 64, 1 channel,
/// beside PyTorch on the CPU with 2 threads running the identical architecture and step
/// (Benchmarks/peers/dcgan_torch.py), in the same run. The two take turns
/// three times and each figure is a median over the turns: a shared machine's slow minute then
/// falls on both, not on whichever happened to run in it.
func ganBench(steps: Int) throws {
    let turns = 3
    var settings = GANSettings()
    settings.batch = 64
    settings.steps = max(5, steps / turns)
    print(
        "\nGAN: 1 channel, batch 64, \(turns) turns of \(settings.steps) timed steps each after 3 warm-up steps; DCGAN ngf = ndf = 64, ResNet ngf = ndf = 32 with hinge loss"
    )
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    let configurations: [(kind: GANArchitecture.Kind, resolution: Int, width: Int)] = [
        (.dcgan, 32, 64), (.dcgan, 16, 64), (.resnet, 32, 32), (.resnet, 64, 32),
    ]
    for (kind, resolution, width) in configurations {
        var settings = settings
        settings.loss = kind == .resnet ? .hinge : .bce
        let name = kind == .resnet ? "ResNet" : "DCGAN"
        var ourSteps: [Double] = [], ourRates: [Double] = [], torchSteps: [Double] = [], torchRates: [Double] = []
        var torchVersion = "?"
        for _ in 0..<turns {
            let ours = try GANBenchmark.run(
                architecture: GANArchitecture(kind: kind, resolution: resolution, channels: 1, classes: 10, ngf: width, ndf: width),
                settings: settings)
            ourSteps += ours.stepMilliseconds
            ourRates.append(ours.generatorImagesPerSecond)
            let arguments = [
                "Benchmarks/peers/dcgan_torch.py", "--threads", "2", "--steps", String(settings.steps), "--resolution",
                String(resolution), "--json", "--architecture", kind == .resnet ? "resnet" : "dcgan", "--ngf", String(width),
                "--ndf", String(width),
            ]
            if let text = peer("python3", arguments),
                let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                let torchStep = object["step_ms_median"] as? Double, let torchRate = object["generator_images_per_s"] as? Double
            {
                torchSteps.append(torchStep)
                torchRates.append(torchRate)
                torchVersion = object["torch"] as? String ?? "?"
            }
        }
        let (ourStep, ourRate) = (median(ourSteps), median(ourRates))
        print(
            String(
                format: "  %@ %d px  synthstudio            step %7.1f ms (median)   generator %7.0f images/s", name, resolution,
                ourStep, ourRate))
        guard !torchSteps.isEmpty else {
            print("  PyTorch: not available (pip install torch — a CPU wheel is enough)")
            continue
        }
        let (torchStep, torchRate) = (median(torchSteps), median(torchRates))
        print(
            String(
                format: "  %@ %d px  PyTorch %@ (2 thr.)  step %7.1f ms (median)   generator %7.0f images/s", name, resolution,
                torchVersion,
                torchStep, torchRate))
        print(
            String(
                format: "  %@ %d px  ratio: our step takes %.2f× PyTorch's; our generator runs at %.2f× PyTorch's rate", name, resolution,
                ourStep / torchStep, ourRate / torchRate))
    }
}
