internal import Datasets
internal import Evaluation
internal import Foundation
internal import GAN
internal import ImageIO
internal import StudioCore

/// The work of a built-in job as its worker does it: units staged one folder each in `staging`,
/// events reported through `emit`, `shouldStop` checked between units and steps (a SIGTERM from
/// the supervisor, a reached goal). `synthstudio worker` runs it in a child process and writes
/// the events to stdout; `JobRunner` can run it in its own process.
public enum JobWork {
    /// How the work ended.
    public enum Outcome: Sendable, Equatable {
        /// Every unit or step is done.
        case finished
        /// Stopped on request; what was done is kept (a checkpoint written, units staged).
        case stopped
    }

    /// Does the work of `spec` (not `external`: its command is the worker). `done` are unit
    /// indices already in the dataset, skipped.
    public static func perform(
        _ spec: JobSpec, staging: String, done: Set<Int>, emit: (JobEvent) -> Void, shouldStop: () -> Bool
    ) throws(EngineError) -> Outcome {
        switch spec {
        case .render(let s):
            return try produce(try RenderJob(s), staging: staging, done: done, emit: emit, shouldStop: shouldStop)
        case .ganSample(let s):
            return try produce(try GANSampleJob(s), staging: staging, done: done, emit: emit, shouldStop: shouldStop)
        case .ganTrain(let s):
            return try train(s, emit: emit, shouldStop: shouldStop)
        case .evaluate(let s) where s.task == .detect:
            // Beside the staging folder, in the job's own folder.
            let folder = URL(fileURLWithPath: staging).deletingLastPathComponent().appendingPathComponent("evaluation").path
            return try detect(s, folder: folder, emit: emit, shouldStop: shouldStop)
        case .evaluate(let s):
            emit(.started(total: 1))
            let report: EvaluationReport
            do {
                report = try Evaluation.run(
                    real: DatasetIO.read(s.real), synthetic: DatasetIO.read(s.synthetic), holdout: DatasetIO.read(s.holdout), seed: s.seed,
                    steps: s.steps ?? 600, progress: { emit(.log($0)) })
            } catch let error as GANError {
                throw EngineError(.invalidSpec, error.description)
            } catch let error as DatasetsError {
                throw EngineError(.invalidSpec, error.description)
            } catch {
                throw EngineError(.invalidSpec, "\(error)")
            }
            for line in report.text.split(separator: "\n", omittingEmptySubsequences: false) { emit(.log(String(line))) }
            emit(.progress(done: 1, total: 1, rate: 0))
            emit(.finished)
            return .finished
        case .external:
            throw EngineError(.invalidSpec, "an external job runs its own command, not built-in work")
        }
    }

    /// Makes the pending units of a producer, each reported as it lands in staging (a unit's files
    /// are written while the next one is computed: `UnitPipeline`).
    public static func produce(
        _ producer: some UnitProducer, staging: String, done: Set<Int>, emit: (JobEvent) -> Void, shouldStop: () -> Bool
    ) throws(EngineError) -> Outcome {
        let plan = producer.plan
        let todo = plan.pending(done: done)
        emit(.started(total: plan.count))
        let start = Date()
        var made = 0
        let already = plan.shard.indices(of: plan.count).filter { done.contains($0) }.count
        do {
            try UnitPipeline.run(
                todo, shouldStop: shouldStop, produce: { index in try producer.produce(index, into: "\(staging)/\(index)") }
            ) {
                index in
                made += 1
                emit(.artifact(index: index, unit: String(index)))
                emit(.progress(done: already + made, total: plan.count, rate: Double(made) / max(1e-3, Date().timeIntervalSince(start))))
            }
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.commitFailed, "\(error)")
        }
        if made < todo.count { return .stopped }
        emit(.finished)
        return .finished
    }

    /// A detection evaluation: every mix trained with checkpoints in `folder` (the job's own, so a
    /// cancelled job resumes where it stopped), `report.json` and the report's lines in the log.
    private static func detect(_ s: EvaluateSpec, folder: String, emit: (JobEvent) -> Void, shouldStop: () -> Bool) throws(EngineError)
        -> Outcome
    {
        var settings = DetectorSettings()
        settings.seed = s.seed
        settings.steps = s.steps ?? 1500
        if let size = s.size {
            let size = try PixelSize.parse(size)
            (settings.inputWidth, settings.inputHeight) = (size.width, size.height)
        }
        let mixes: [TrainingMix] = [.real, .synthetic, .combined]
        emit(.started(total: mixes.count * settings.steps))
        let outcome: DetectionEvaluation.Outcome
        do {
            try FileIO.createDirectory(folder)
            let evaluation = DetectionEvaluation(
                real: try DatasetIO.read(s.real), synthetic: try DatasetIO.read(s.synthetic), holdout: try DatasetIO.read(s.holdout),
                settings: settings, mixes: mixes, folder: folder)
            var lastReported = -1
            outcome = try evaluation.run(
                progress: { p in
                    let done = p.mixIndex * p.steps + p.step
                    guard done != lastReported else { return }
                    lastReported = done
                    emit(.progress(done: done, total: p.mixCount * p.steps, rate: p.imagesPerSecond / Double(settings.batch)))
                }, shouldStop: shouldStop, log: { emit(.log($0)) })
            guard case .finished(let report) = outcome else { return .stopped }
            try FileIO.writeAtomically(Array((report.json().pretty() + "\n").utf8), to: "\(folder)/report.json")
            for line in report.text.split(separator: "\n", omittingEmptySubsequences: false) { emit(.log(String(line))) }
        } catch let error as EvaluationError {
            throw EngineError(.invalidSpec, error.description)
        } catch let error as DatasetsError {
            throw EngineError(.invalidSpec, error.description)
        } catch {
            throw EngineError(.commitFailed, "\(error)")
        }
        emit(.finished)
        return .finished
    }

    private static func train(_ s: GANTrainSpec, emit: (JobEvent) -> Void, shouldStop: () -> Bool) throws(EngineError) -> Outcome {
        guard let kind = GANArchitecture.Kind(name: s.architecture) else {
            throw EngineError(.invalidSpec, "architecture must be dcgan or resnet")
        }
        var settings = GANSettings(for: kind)
        settings.batch = s.batch
        settings.seed = s.seed
        if let name = s.loss {
            guard let loss = GANSettings.LossKind(rawValue: name) else { throw EngineError(.invalidSpec, "loss must be bce or hinge") }
            settings.loss = loss
        }
        do {
            settings.augment = try DiffAugment.parse(s.augment)
        } catch {
            throw EngineError(.invalidSpec, error.description)
        }
        let trainer = GANTrainer.newOrResume(
            run: s.run, data: s.data, steps: s.steps, resolution: s.resolution, settings: settings, ngf: s.ngf, ndf: s.ndf, kind: kind)
        emit(.started(total: s.steps))
        let outcome: GANTrainer.Outcome
        do {
            outcome = try trainer.train(
                progress: { emit(.progress(done: $0.step, total: $0.total, rate: $0.stepsPerSecond)) }, shouldStop: shouldStop,
                log: { emit(.log($0)) })
        } catch {
            throw EngineError(.invalidSpec, error.description)
        }
        if case .stopped = outcome { return .stopped }
        emit(.finished)
        return .finished
    }
}
