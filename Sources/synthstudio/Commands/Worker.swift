import ArgumentParser
import Datasets
import Engine
import Foundation
import GAN
import Rendering

/// The child process a job runs in. Not for people: the supervisor starts it.
struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one job's work and report progress as JSON lines on stdout (started by the job supervisor).",
        shouldDisplay: false
    )

    @Option(help: "The job spec (JSON).")
    var spec: String

    @Option(help: "The staging folder: one sub-folder per finished unit.")
    var staging: String

    @Option(help: "A file listing unit indices already committed (skipped).")
    var done: String

    func run() throws {
        let job: JobSpec
        do {
            job = try JobSpec.parse(Array(try Data(contentsOf: URL(fileURLWithPath: spec))), file: spec)
        } catch let error as EngineError {
            emitEvent(.failed(error.message))
            throw ExitCode(2)
        }
        switch job.kind {
        case .external:
            // An external command speaks the protocol itself: it replaces this process.
            let environment = [
                "SYNTHSTUDIO_STAGING": staging, "SYNTHSTUDIO_DONE": done, "SYNTHSTUDIO_COUNT": String(job.count),
                "SYNTHSTUDIO_SEED": String(job.seed), "SYNTHSTUDIO_SHARD": job.shard.description, "SYNTHSTUDIO_DATASET": job.dataset ?? "",
                "SYNTHSTUDIO_JOB": job.id,
                "SYNTHSTUDIO_PARAMETERS": JSONText.object(job.parameters),
            ]
            for (key, value) in environment { setenv(key, value, 1) }
            let argv = job.command!
            var cArgs = argv.map { strdup($0) } + [nil]
            execvp(argv[0], &cArgs)
            emitEvent(.failed("cannot run \(argv[0]): \(String(cString: strerror(errno)))"))
            throw ExitCode(127)
        case .render:
            try reportingFailure {
                guard let path = job.recipe else { throw EngineError(.invalidSpec, "a render job needs a recipe") }
                let render = RenderJob(
                    recipe: try Recipe.load(path), recipeName: (path as NSString).lastPathComponent, seed: job.seed, count: job.count,
                    pinned: job.parameters, shard: job.shard)
                try produceUnits(job, pending: render.pending(done:)) { index in try render.produce(index, into: "\(staging)/\(index)") }
            }
        case .ganSample:
            try reportingFailure {
                let sampler = try GANSampleJob(
                    run: job.parameters["run"] ?? "", className: job.parameters["class"] ?? "", seed: job.seed, count: job.count,
                    shard: job.shard)
                try produceUnits(job, pending: sampler.pending(done:)) { index in
                    try sampler.generate(index, into: "\(staging)/\(index)")
                    return {}
                }
            }
        case .ganTrain:
            try reportingFailure {
                guard let run = job.parameters["run"], let data = job.parameters["data"] else {
                    throw EngineError(.invalidSpec, "a gan-train job needs the parameters run and data")
                }
                // The job's count is the number of training steps; resuming a job resumes the run.
                var arguments = ["--out", run, "--steps", String(job.count), "--seed", String(job.seed)]
                if FileManager.default.fileExists(atPath: GANRunInfo.path(run)) {
                    arguments.append("--resume")
                } else {
                    arguments += ["--data", data]
                    for key in ["resolution", "batch", "loss", "augment", "ngf", "ndf"] {
                        if let value = job.parameters[key] { arguments += ["--\(key)", value] }
                    }
                }
                emitEvent(.started(total: job.count))
                let completed = try GANTrain.parse(arguments).execute { step, total, rate in
                    Worker.emit(.progress(done: step, total: total, rate: rate))
                }
                // Stopped by the supervisor (cancel): the checkpoint is written; resuming continues.
                guard completed else { throw ExitCode(130) }
                emitEvent(.finished)
            }
        case .evaluate:
            try reportingFailure {
                emitEvent(.started(total: 1))
                let report = try Evaluation.run(
                    real: DatasetIO.read(job.parameters["real"] ?? ""), synthetic: DatasetIO.read(job.parameters["synthetic"] ?? ""),
                    holdout: DatasetIO.read(job.parameters["holdout"] ?? ""), seed: job.seed,
                    progress: { Worker.emit(.log($0)) })
                for line in Evaluate.text(report).split(separator: "\n", omittingEmptySubsequences: false) { emitEvent(.log(String(line))) }
                emitEvent(.progress(done: 1, total: 1, rate: 0))
                emitEvent(.finished)
            }
        }
    }

    /// Runs the pending units of a job that writes a dataset, reporting each as it lands in staging
    /// (a unit's files are written while the next one is computed: `UnitPipeline`).
    private func produceUnits(_ job: JobSpec, pending: (Set<Int>) -> [Int], produce: (Int) throws -> UnitPipeline.Write) throws {
        let doneText = (try? String(contentsOfFile: done, encoding: .utf8)) ?? ""
        let todo = pending(Set(doneText.split(separator: "\n").compactMap { Int($0) }))
        emitEvent(.started(total: job.count))
        let start = Date()
        var n = 0
        try UnitPipeline.run(todo, produce: produce) { index in
            n += 1
            emitEvent(.artifact(index: index, unit: String(index)))
            emitEvent(
                .progress(done: job.count - todo.count + n, total: job.count, rate: Double(n) / max(1e-3, Date().timeIntervalSince(start))))
        }
        emitEvent(.finished)
    }

    /// Turns errors into a `failed` event (the runner shows its message) and exit status 1.
    private func reportingFailure(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as EngineError {
            emitEvent(.failed(error.message))
            throw ExitCode(1)
        } catch let error as GANError {
            emitEvent(.failed(error.description))
            throw ExitCode(1)
        } catch let error as DatasetsError {
            emitEvent(.failed(error.description))
            throw ExitCode(1)
        } catch let error as CLIError {
            emitEvent(.failed(error.description))
            throw ExitCode(1)
        }
    }

    private func emitEvent(_ event: JobEvent) { Self.emit(event) }

    static func emit(_ event: JobEvent) {
        FileHandle.standardOutput.write(Data(event.line().utf8))
    }
}

/// A JSON object of strings, for environment variables.
enum JSONText {
    static func object(_ values: [String: String]) -> String {
        let data = try? JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
