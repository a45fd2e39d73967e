internal import Datasets
internal import Foundation
public import GAN
internal import NeuralNet
internal import StudioCore

/// Samples of one class from a trained GAN run, as units of an ImageFolder dataset at the
/// training data's native size. Image `i` of seed `s` comes from its own noise stream and is
/// generated alone, so it is the same in every run, shard and resume.
public struct GANSampleJob {
    public let run: String
    public let model: GANModel
    public let className: String
    public let classIndex: Int
    public let seed: UInt64
    public let count: Int
    public let shard: JobSpec.Shard

    public init(run: String, className: String, seed: UInt64, count: Int, shard: JobSpec.Shard = .whole) throws(EngineError) {
        do {
            model = try GANModel.load(run: run)
        } catch {
            throw EngineError(.invalidSpec, error.description)
        }
        guard let classIndex = model.info.classes.firstIndex(of: className) else {
            throw EngineError(
                .invalidSpec,
                "the run has no class \(className.terminalSafe); it knows \(model.info.classes.map(\.terminalSafe).joined(separator: ", "))"
            )
        }
        self.run = run
        self.className = className
        self.classIndex = classIndex
        self.seed = seed
        self.count = count
        self.shard = shard
    }

    /// The file name of unit `index`.
    public func name(_ index: Int) -> String { String(format: "gan-c%d-s%llu-%06d.png", classIndex, seed, index) }

    /// Generates unit `index` into `folder` (image, then the manifest).
    public func generate(_ index: Int, into folder: String) throws(EngineError) {
        let a = model.info.architecture
        var stream = RandomStream(seed: seed).derived(UInt64(index))
        let noise = Tensor(shape: [1, a.latent], storage: (0..<a.latent).map { _ in Float(stream.nextNormal()) })
        let image = model.generate(noise: noise, labels: [classIndex])
        let (width, height) = (model.info.nativeWidth, model.info.nativeHeight)
        let plane = a.resolution * a.resolution
        var pixels = [UInt8](repeating: 0, count: width * height * a.channels)
        for c in 0..<a.channels {
            let resized = Resample.resize(
                Array(image.storage[c * plane..<(c + 1) * plane]), width: a.resolution, height: a.resolution, toWidth: width,
                toHeight: height)
            for (p, v) in resized.enumerated() { pixels[p * a.channels + c] = UInt8(max(0, min(255, ((v + 1) * 127.5).rounded()))) }
        }
        let provenance: [String: Any] = [
            "generator": "gan", "run": run, "checkpoint_step": model.step, "seed": String(seed), "index": index, "class": className,
            "file_name": name(index),
        ]
        let provenanceText =
            (try? JSONSerialization.data(withJSONObject: provenance, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) }
            ?? "{}"
        let unit = GeneratedUnit(
            index: index, name: name(index), width: width, height: height, attributes: [:],
            annotations: [(className, Annotation(categoryID: 0))], provenance: provenanceText)
        try unit.write(
            image: Image(width: width, height: height, layout: a.channels == 3 ? .rgb : .gray, pixels: .eight(pixels)), to: folder)
    }

    /// The indices this shard generates, without those in `done`.
    public func pending(done: Set<Int>) -> [Int] { shard.indices(of: count).filter { !done.contains($0) } }
}
