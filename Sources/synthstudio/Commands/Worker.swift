import ArgumentParser
import Engine
import Foundation
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
            do {
                guard let path = job.recipe else { throw EngineError(.invalidSpec, "a render job needs a recipe") }
                let recipe = try Recipe.load(path)
                let render = RenderJob(
                    recipe: recipe, recipeName: (path as NSString).lastPathComponent, seed: job.seed, count: job.count,
                    pinned: job.parameters,
                    shard: job.shard)
                let doneText = (try? String(contentsOfFile: done, encoding: .utf8)) ?? ""
                let pending = render.pending(done: Set(doneText.split(separator: "\n").compactMap { Int($0) }))
                emitEvent(.started(total: job.count))
                let start = Date()
                for (n, index) in pending.enumerated() {
                    try render.render(index, into: "\(staging)/\(index)")
                    emitEvent(.artifact(index: index, unit: String(index)))
                    emitEvent(
                        .progress(
                            done: job.count - pending.count + n + 1, total: job.count,
                            rate: Double(n + 1) / max(1e-3, Date().timeIntervalSince(start))))
                }
                emitEvent(.finished)
            } catch let error as EngineError {
                emitEvent(.failed(error.message))
                throw ExitCode(1)
            }
        case .ganTrain, .ganSample, .evaluate:
            emitEvent(.failed("\(job.kind.rawValue) jobs need the GAN (issue 5), which this build does not have yet"))
            throw ExitCode(2)
        }
    }

    private func emitEvent(_ event: JobEvent) {
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
