internal import Datasets
internal import Foundation
public import GAN
internal import ImageIO
internal import StudioCore

/// Samples of one class from a trained GAN run, as units of an ImageFolder dataset at the
/// training data's native size. Image `i` of seed `s` comes from its own noise stream and is
/// generated alone, so it is the same in every run, shard and resume.
public struct GANSampleJob: UnitProducer {
    public let spec: GANSampleSpec
    public let model: GANModel
    public let classIndex: Int
    public let key: UnitKey

    public var plan: UnitPlan { spec.units }
    /// The run's classes: a GAN dataset's class folders are the run's.
    public var classes: [String] { model.info.classes }
    public var layout: DatasetCommitter.Layout { .imageFolder }

    /// Loads the run; the key covers the checkpoint's bytes, the class and the seed.
    public init(_ spec: GANSampleSpec) throws(EngineError) {
        let checkpoint: [UInt8]
        do {
            model = try GANModel.load(run: spec.run)
            checkpoint = try FileIO.read(GANRunInfo.checkpointPath(spec.run))
        } catch let error as GANError {
            throw EngineError(.invalidSpec, error.description)
        } catch {
            throw EngineError(.invalidSpec, "\(error)")
        }
        guard let classIndex = model.info.classes.firstIndex(of: spec.className) else {
            throw EngineError(
                .invalidSpec,
                "the run has no class \(spec.className.terminalSafe); it knows \(model.info.classes.map(\.terminalSafe).joined(separator: ", "))"
            )
        }
        self.spec = spec
        self.classIndex = classIndex
        key = UnitKey(
            stem: "gan", inputs: [.text("gan-sample/1"), .bytes(checkpoint), .text(spec.className), .text(String(spec.units.seed))])
    }

    public func produce(_ index: Int, into folder: String) throws(EngineError) -> UnitPipeline.Write {
        var stream = RandomStream(seed: spec.units.seed).derived(UInt64(index))
        let image = model.sample(classIndex: classIndex, stream: &stream)
        let name = key.name(index)
        let provenance: [String: Any] = [
            "generator": "gan", "run": spec.run, "checkpoint_step": model.step, "seed": String(spec.units.seed), "index": index,
            "class": spec.className, "file_name": name, "key": key.key,
        ]
        let provenanceText =
            (try? JSONSerialization.data(withJSONObject: provenance, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) }
            ?? "{}"
        let unit = GeneratedUnit(
            index: index, name: name, width: image.width, height: image.height, attributes: [:],
            annotations: [(spec.className, Annotation(categoryID: 0))], provenance: provenanceText)
        return { () throws(EngineError) in try unit.write(image: image, to: folder) }
    }
}
