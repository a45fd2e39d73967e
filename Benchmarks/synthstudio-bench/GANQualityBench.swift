import Datasets
import Foundation
import GAN
import ImageIO
import NeuralNet
import StudioCore

/// What a GAN run is worth, side by side with PyTorch training the same networks on the same
/// images for the same wall-clock budget, judged by one evaluator (ours): on the sample digits and
/// on Fashion-MNIST (Debian's `dataset-fashion-mnist`, exported by `scripts/export_fashion.py`),
/// with one recipe for both — the resolution `gan train` picks by itself (the smallest that holds
/// the images: 16 px for the 8-px digits, 32 for Fashion-MNIST's 28), batch 64, each
/// architecture's own defaults (`GANSettings(for:)`: DCGAN's BCE and Adam 2·10⁻⁴ (0.5, 0.999); the
/// ResNet's hinge, Adam 4·10⁻⁴ (0, 0.9) and mode-seeking term 0.3), adaptive augmentation, the
/// moving average of G — and no per-dataset tuning.
///
/// Each row trains a run (ours through `synthstudio gan train --seconds`, PyTorch through
/// `Benchmarks/peers/dcgan_torch.py --train`, which writes a synthstudio checkpoint), then the same
/// commands measure it: `gan sample --classes all` as many images per class as the largest real
/// class, `gan check` (the judge: fidelity), and `evaluate` against the held-out real images
/// (TSTR/TRTR, the rare class's recall with and without the samples, diversity and FD per class).
/// Each run's fixed-noise sample grid goes to `RUN-grid.png` to be looked at.
struct GANQualityBench {
    let synthstudio: String
    let seconds: Double
    let folder: String

    struct Row {
        let name: String
        let pytorch: Bool
        let kind: GANArchitecture.Kind
        let loss: GANSettings.LossKind
        var width: Int
        /// The name `--architecture` takes.
        var option: String { kind == .resnet ? "resnet" : "dcgan" }
        /// `ours-resnet`, `pytorch-dcgan`, …: its run folder and its name in `GAN_QUALITY_ROWS`.
        var key: String { "\(pytorch ? "pytorch" : "ours")-\(option)" }
    }

    /// Both architectures, each as we train it and as PyTorch trains the very same (PyTorch's DCGAN
    /// is the baseline the FD goal names). `GAN_QUALITY_ROWS=ours-dcgan,pytorch-dcgan` measures
    /// only those.
    static let rows = [
        Row(name: "synthstudio ResNet", pytorch: false, kind: .resnet, loss: .hinge, width: 32),
        Row(name: "PyTorch ResNet", pytorch: true, kind: .resnet, loss: .hinge, width: 32),
        Row(name: "synthstudio DCGAN", pytorch: false, kind: .dcgan, loss: .bce, width: 64),
        Row(name: "PyTorch DCGAN", pytorch: true, kind: .dcgan, loss: .bce, width: 64),
    ]

    /// The row's width, or GAN_QUALITY_WIDTH's for the ResNet rows (both trainers), to compare
    /// recipes.
    static func width(of row: Row) -> Int {
        guard row.kind == .resnet, let width = ProcessInfo.processInfo.environment["GAN_QUALITY_WIDTH"].flatMap({ Int($0) }) else {
            return row.width
        }
        return width
    }

    struct DatasetCase {
        let name: String
        let train: String
        let holdout: String
    }

    /// The measured figures of one row.
    struct Figures {
        var steps = 0
        var trtr = Double.nan, tstr = Double.nan, combined = Double.nan
        var rareReal = Double.nan, rareCombined = Double.nan
        var lowestDiversity = Double.nan
        var lowestDiversityClass = ""
        var collapsed: [String] = []
        var frechetRelative = Double.nan
        var frechet = Double.nan
        var offClass: [String] = []
        /// The largest difference between our outputs and PyTorch's on the run's weights.
        var crossCheck = ""
    }

    func run() throws {
        let widths = Self.rows.map { "\($0.kind == .resnet ? "ResNet" : "DCGAN") \(Self.width(of: $0))" }
        print(
            "\nGAN quality: \(Int(seconds)) s of training per row on 2 cores, resolution auto (the smallest that holds the images), batch 64, ADA, EMA 0.999, widths \(Array(Set(widths)).sorted().joined(separator: ", ")); judged by synthstudio's evaluate (3 seeds) and gan check"
        )
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var cases = [DatasetCase(name: "digits", train: "sample-data/real/digits", holdout: "sample-data/real/digits-holdout")]
        if let fashion = ensureFashion() { cases.append(fashion) }
        // GAN_QUALITY_DATASETS=digits measures only the named ones.
        let only = ProcessInfo.processInfo.environment["GAN_QUALITY_DATASETS"].map { Set($0.split(separator: ",").map(String.init)) }
        for dataset in cases where only?.contains(dataset.name) ?? true { try measure(dataset) }
    }

    /// Fashion-MNIST exported once into the bench folder, or nil (with the reason) when Debian's
    /// package is missing.
    func ensureFashion() -> DatasetCase? {
        let out = "\(folder)/fashion-data"
        let fashion = DatasetCase(name: "fashion", train: "\(out)/fashion", holdout: "\(out)/fashion-holdout")
        if FileManager.default.fileExists(atPath: "\(out)/.complete") { return fashion }
        try? FileManager.default.removeItem(atPath: out)
        guard run(["python3", "scripts/export_fashion.py", out], log: "\(folder)/fashion-export.log") == 0 else {
            print("  Fashion-MNIST: not exported (apt install dataset-fashion-mnist); see \(folder)/fashion-export.log")
            return nil
        }
        _ = FileManager.default.createFile(atPath: "\(out)/.complete", contents: Data())
        return fashion
    }

    func measure(_ dataset: DatasetCase) throws {
        let base = "\(folder)/\(dataset.name)"
        try? FileManager.default.removeItem(atPath: base)
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let images = try DatasetIO.read(dataset.train)
        let resolution = GANArchitecture.automaticResolution(
            width: images.samples.first?.width ?? 0, height: images.samples.first?.height ?? 0, fit: .stretch)
        let data = try TrainingSet(dataset: images, resolution: resolution)
        let counts = data.byClass.map(\.count)
        let rare = counts.indices.min { counts[$0] < counts[$1] } ?? 0
        let perClass = counts.max() ?? 1
        // The exact tensor synthstudio trains on, for the peer.
        let tensor = "\(base)/train-\(resolution).safetensors"
        try Data(
            SafeTensors.encode(
                [
                    SafeTensors.Entry(name: "images", tensor: data.images),
                    SafeTensors.Entry(name: "labels", tensor: Tensor(shape: [data.count], storage: data.labels.map(Float.init))),
                ], metadata: [])
        ).write(to: URL(fileURLWithPath: tensor))
        print(
            "\n  \(dataset.name): \(data.count) images in \(data.classes.count) classes at \(resolution) px (rare: \(data.classes[rare].terminalSafe), \(counts[rare]) images); \(perClass) generated per class"
        )
        var results: [(Row, Figures)] = []
        let only = ProcessInfo.processInfo.environment["GAN_QUALITY_ROWS"].map { Set($0.split(separator: ",").map(String.init)) }
        for listed in Self.rows where only?.contains(listed.key) ?? true {
            var row = listed
            row.width = Self.width(of: row)
            let runFolder = "\(base)/\(row.key)"
            var figures = Figures()
            guard let steps = try train(row, data: data, dataset: dataset, run: runFolder, tensor: tensor) else {
                print("  \(row.name): not trained (see \(runFolder).log)")
                continue
            }
            figures.steps = steps
            // The fixed-noise grid (one row per class) from the moving average, for both trainers.
            try ImageFile.write(GANModel.load(run: runFolder).sampleGrid(), to: "\(runFolder)-grid.png")
            figures.crossCheck = try crossCheck(run: runFolder)
            let samples = "\(runFolder)-samples"
            guard
                run(
                    [
                        synthstudio, "gan", "sample", "--run", runFolder, "--classes", "all", "--count-per-class", String(perClass),
                        "--out", samples,
                    ],
                    log: "\(runFolder)-sample.log") == 0
            else {
                print("  \(row.name): gan sample failed (see \(runFolder)-sample.log)")
                continue
            }
            if let check = json([synthstudio, "gan", "check", "--run", runFolder, "--json"], log: "\(runFolder)-check.log") {
                figures.offClass = (check["classes"] as? [[String: Any]] ?? []).compactMap {
                    ($0["off_class"] as? Bool) == true ? $0["class"] as? String : nil
                }
            }
            guard
                let report = json(
                    [synthstudio, "evaluate", "--real", dataset.train, "--synthetic", samples, "--holdout", dataset.holdout, "--json"],
                    log: "\(runFolder)-evaluate.log")
            else {
                print("  \(row.name): evaluate failed (see \(runFolder)-evaluate.log)")
                continue
            }
            read(report, into: &figures, rare: data.classes[rare])
            results.append((row, figures))
            print(line(row, figures))
            print("      same weights in PyTorch: \(figures.crossCheck)")
        }
        print(table(results, dataset: dataset.name, rare: data.classes[rare]))
    }

    /// Trains one row's run for the budget; the step it reached, or nil.
    func train(_ row: Row, data: TrainingSet, dataset: DatasetCase, run runFolder: String, tensor: String) throws -> Int? {
        var settings = GANSettings(for: row.kind)
        settings.loss = row.loss
        // GAN_QUALITY_SEED trains every row from another seed (both trainers), to tell a
        // recipe's difference from one run's luck.
        settings.seed = ProcessInfo.processInfo.environment["GAN_QUALITY_SEED"].flatMap { UInt64($0) } ?? settings.seed
        settings.augment = try DiffAugment.parse("ada")
        let log = "\(runFolder).log"
        if !row.pytorch {
            let status = run(
                [
                    synthstudio, "gan", "train", "--data", dataset.train, "--out", runFolder, "--architecture", row.option, "--loss",
                    row.loss.rawValue, "--augment", "ada", "--resolution", String(data.images.shape[2]), "--ngf", String(row.width),
                    "--ndf", String(row.width), "--seconds", String(Int(seconds)), "--seed", String(settings.seed),
                ], log: log)
            guard status == 0 else { return nil }
            return try GANRunInfo.read(run: runFolder).settings.steps
        }
        // The peer's run folder: the run.json synthstudio would write, then PyTorch's checkpoint.
        let architecture = GANArchitecture(
            kind: row.kind, resolution: data.images.shape[2], channels: data.channels, classes: data.classes.count, ngf: row.width,
            ndf: row.width)
        var info = GANRunInfo(
            architecture: architecture, settings: settings, classes: data.classes,
            datasetRoot: URL(fileURLWithPath: dataset.train).standardizedFileURL.path, imageCount: data.count,
            nativeWidth: data.nativeWidth, nativeHeight: data.nativeHeight)
        try FileManager.default.createDirectory(atPath: runFolder, withIntermediateDirectories: true)
        try info.write(run: runFolder)
        guard
            let result = json(
                [
                    "python3", "Benchmarks/peers/dcgan_torch.py", "--threads", "2", "--train", runFolder, "--data", tensor, "--seconds",
                    String(seconds),
                ], log: log), let steps = result["steps"] as? Int
        else { return nil }
        info.settings.steps = steps
        try info.write(run: runFolder)
        return steps
    }

    /// Loads the run's checkpoint here and in PyTorch, runs both on the same noise, labels and
    /// images, and says how far apart their generated images and discriminator logits are.
    func crossCheck(run runFolder: String) throws -> String {
        let model = try GANModel.load(run: runFolder)
        let a = model.info.architecture
        var random = RandomStream(seed: 9)
        let count = 2 * a.classes
        let noise = Tensor(shape: [count, a.latent], storage: (0..<(count * a.latent)).map { _ in Float(random.nextNormal()) })
        let labels = (0..<count).map { $0 % a.classes }
        let images = model.generate(noise: noise, labels: labels)
        let logits = model.discriminator.forward(images, labels: labels, training: false)
        let expected = "\(runFolder)-outputs.safetensors"
        try Data(
            SafeTensors.encode(
                [
                    SafeTensors.Entry(name: "noise", tensor: noise), SafeTensors.Entry(name: "images", tensor: images),
                    SafeTensors.Entry(name: "logits", tensor: logits),
                    SafeTensors.Entry(name: "labels", tensor: Tensor(shape: [count], storage: labels.map(Float.init))),
                ], metadata: [])
        ).write(to: URL(fileURLWithPath: expected))
        guard
            let result = json(
                [
                    "python3", "Benchmarks/peers/dcgan_torch.py", "--load", GANRunInfo.checkpointPath(runFolder), "--run-json",
                    GANRunInfo.path(runFolder), "--expect", expected,
                ], log: "\(runFolder)-crosscheck.log"),
            let imageDifference = result["images_max_difference"] as? Double,
            let logitDifference = result["logits_max_difference"] as? Double, let logitMax = result["logits_max"] as? Double
        else { return "not compared (see \(runFolder)-crosscheck.log)" }
        return String(
            format: "generated images differ by at most %.1e (of values in [-1, 1]); discriminator logits by %.1e (largest |logit| %.2f)",
            imageDifference, logitDifference, logitMax)
    }

    func read(_ report: [String: Any], into f: inout Figures, rare: String) {
        f.trtr = report["trtr_accuracy"] as? Double ?? .nan
        f.tstr = report["tstr_accuracy"] as? Double ?? .nan
        f.combined = report["combined_accuracy"] as? Double ?? .nan
        let recall = report["per_class_recall"] as? [String: [String: Any]] ?? [:]
        f.rareReal = recall["real_only"]?[rare] as? Double ?? .nan
        f.rareCombined = recall["combined"]?[rare] as? Double ?? .nan
        f.frechet = report["frechet_distance"] as? Double ?? .nan
        f.frechetRelative = report["frechet_relative"] as? Double ?? .nan
        let perClass = report["per_class"] as? [String: [String: Any]] ?? [:]
        for (name, figures) in perClass.sorted(by: { $0.key < $1.key }) {
            guard let diversity = figures["diversity"] as? Double else { continue }
            if diversity < 0.5 { f.collapsed.append(name) }
            if !(diversity >= f.lowestDiversity) {
                f.lowestDiversity = diversity
                f.lowestDiversityClass = name
            }
        }
    }

    func line(_ row: Row, _ f: Figures) -> String {
        "    " + row.name.padding(toLength: 20, withPad: " ", startingAt: 0)
            + String(
                format:
                    " %5d steps  TRTR %5.1f%%  TSTR %5.1f%%  real+syn %5.1f%%  rare %5.1f%% → %5.1f%%  diversity ≥ %.2f×  FD %.1f (%.1f× real)",
                f.steps, f.trtr * 100, f.tstr * 100, f.combined * 100, f.rareReal * 100, f.rareCombined * 100, f.lowestDiversity,
                f.frechet, f.frechetRelative)
    }

    /// The table with the issue's goals checked against our row.
    func table(_ results: [(Row, Figures)], dataset: String, rare: String) -> String {
        var lines = [
            "",
            "  \(dataset)                  steps   TSTR/TRTR   rare recall real → real+syn   collapsed (div < 0.5×)   lowest diversity   FD × real   judge: drawn as another class",
        ]
        for (row, f) in results {
            let ratio = f.tstr / f.trtr
            let collapsed = f.collapsed.isEmpty ? "none" : f.collapsed.map(\.terminalSafe).joined(separator: ",")
            let offClass = f.offClass.isEmpty ? "none" : f.offClass.map(\.terminalSafe).joined(separator: ",")
            lines.append(
                "  " + row.name.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + String(
                        format: " %6d   %9.2f   %9.1f%% → %5.1f%% (%+5.1f)   ", f.steps, ratio, f.rareReal * 100, f.rareCombined * 100,
                        (f.rareCombined - f.rareReal) * 100)
                    + collapsed.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + String(format: "   %9.2f× ", f.lowestDiversity)
                    + f.lowestDiversityClass.terminalSafe.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + String(format: " %9.2f   ", f.frechetRelative) + offClass)
        }
        let dcgan = results.first(where: { $0.0.pytorch && $0.0.kind == .dcgan })?.1
        for (row, ours) in results where !row.pytorch {
            func mark(_ ok: Bool) -> String { ok ? "met" : "NOT met" }
            var goals = [
                "TSTR/TRTR ≥ 0.9: \(mark(ours.tstr / ours.trtr >= 0.9))",
                "rare class +10 points: \(mark(ours.rareCombined - ours.rareReal >= 0.10))",
                "no class collapsed: \(mark(ours.collapsed.isEmpty))",
            ]
            if let dcgan { goals.append("FD below PyTorch's DCGAN: \(mark(ours.frechet < dcgan.frechet))") }
            lines.append("  goals for \(row.name) (\(rare.terminalSafe) is the rare class): " + goals.joined(separator: "; "))
        }
        return lines.joined(separator: "\n")
    }

    /// Runs a command with its stdout and stderr in `log`; its exit status.
    @discardableResult
    func run(_ command: [String], log: String) -> Int32 {
        _ = FileManager.default.createFile(atPath: log, contents: Data())
        guard let handle = FileHandle(forWritingAtPath: log) else { return -1 }
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardOutput = handle
        process.standardError = handle
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Runs a command that prints one JSON object; the object (whatever the exit status, so a
    /// failing `gan check` still reports), or nil.
    func json(_ command: [String], log: String) -> [String: Any]? {
        let out = log + ".json"
        _ = FileManager.default.createFile(atPath: out, contents: Data())
        _ = FileManager.default.createFile(atPath: log, contents: Data())
        guard let stdout = FileHandle(forWritingAtPath: out), let stderr = FileHandle(forWritingAtPath: log) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch { return nil }
        process.waitUntilExit()
        try? stdout.close()
        try? stderr.close()
        guard let data = FileManager.default.contents(atPath: out) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
}
