import ArgumentParser
import Engine
import Foundation
import StudioCore

/// The child process a job runs in. Not for people: the supervisor starts it.
struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
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
        let emit: (JobEvent) -> Void = { Console.out($0.line()) }
        do {
            let job = try JobSpec.parse(Array(try Data(contentsOf: URL(fileURLWithPath: spec))), file: spec)
            let doneText = (try? String(contentsOfFile: done, encoding: .utf8)) ?? ""
            // SIGTERM (a cancel, a goal reached) stops the work between units or steps.
            installStopHandlers()
            let outcome = try JobWork.perform(
                job, staging: staging, done: Set(doneText.split(separator: "\n").compactMap { Int($0) }), emit: emit,
                shouldStop: stopWasRequested)
            if outcome == .stopped { throw ExitCode(130) }
        } catch let error as EngineError {
            emit(.failed(error.message))
            throw ExitCode(1)
        } catch let error as CocoaError {
            emit(.failed("cannot read the job spec \(spec): \(error.localizedDescription)"))
            throw ExitCode(2)
        }
    }
}
