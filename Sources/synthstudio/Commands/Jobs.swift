import ArgumentParser
import Catalog
import Datasets
import Engine
import Foundation
import StudioCore
import TUI
import TerminalGraphics

struct Jobs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Generation jobs: queued, run in the background in child processes, committed into synthetic datasets.",
        subcommands: [Start.self, List.self, Show.self, Wait.self, Cancel.self, Resume.self, Log.self, Supervise.self]
    )

    struct WorkspaceOption: ParsableArguments {
        @Option(help: "The workspace folder (with studio.yaml).")
        var workspace: String = "."

        /// The workspace and its jobs (those a rebuilt catalog lost restored from their folders).
        func open() throws -> (Workspace, JobStore) {
            let (ws, store, recovery) = try JobControl.open(workspace: workspace)
            if let recovery { Console.error("synthstudio: warning: \(recovery.terminalSafe)\n") }
            return (ws, store)
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start",
            abstract: "Queue a job, start the supervisor if needed, print the job id.",
            discussion: """
                KIND is render, gan-train, gan-sample, evaluate or external. An external job runs \
                COMMAND with SYNTHSTUDIO_STAGING, SYNTHSTUDIO_COUNT, SYNTHSTUDIO_SEED, SYNTHSTUDIO_SHARD, \
                SYNTHSTUDIO_DONE and SYNTHSTUDIO_PARAMETERS set; it writes units into the staging folder and \
                events on stdout (see docs/JOBS.md).
                """
        )

        @Argument(help: "render, gan-train, gan-sample, evaluate or external.")
        var kind: String

        @OptionGroup var location: WorkspaceOption

        @Option(help: "The synthetic dataset to write (lands in synthetic/NAME and is added to studio.yaml).")
        var dataset: String?

        @Option(help: "Units to produce.")
        var count: Int = 1

        @Option(help: "Seed: unit i of seed s is the same in every run and every shard.")
        var seed: UInt64 = 1

        @Option(help: "Scene recipe (render).")
        var recipe: String?

        @Option(name: .customLong("set"), help: "Pin a parameter: --set weather=snow (repeatable).")
        var parameters: [String] = []

        @Option(help: "Run only shard k of n: --shard 0/4.")
        var shard: String?

        @Option(help: "Jobs the supervisor runs at once.")
        var maxJobs: Int = 1

        @Argument(parsing: .postTerminator, help: "The command of an external job, after --.")
        var command: [String] = []

        func run() throws {
            try reportingErrors {
                guard let kind = JobSpec.Kind(rawValue: kind) else {
                    throw CLIError(
                        message:
                            "unknown job kind \(kind.terminalSafe) (expected \(JobSpec.Kind.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                let (ws, store) = try location.open()
                let spec = try JobSpec.make(
                    kind: kind, id: JobControl.newID(), dataset: dataset, count: count, seed: seed, settings: try parsePins(parameters),
                    recipe: recipe, command: command.isEmpty ? nil : command,
                    shard: try shard.map { t throws(EngineError) in try Shard.parse(t) } ?? .whole, in: ws)
                try JobControl(store: store, executable: executablePath()).queue(spec, in: ws, limit: maxJobs)
                emit(spec.id)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Jobs with their state and progress.")
        @OptionGroup var location: WorkspaceOption

        func run() throws {
            try reportingErrors {
                let (_, store) = try location.open()
                let jobs = try JobControl(store: store, executable: executablePath()).jobs()
                guard !jobs.isEmpty else {
                    emit("no jobs")
                    return
                }
                var text = ""
                for job in jobs {
                    let fraction = job.total > 0 ? Double(job.done) / Double(job.total) : 0
                    let bar = Styler(theme: .fallback, depth: .none, unicode: Styler.localeIsUTF8()).bar(fraction, width: 20)
                    text +=
                        "\(job.id)  \(job.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(job.state.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) [\(bar)] \(job.done)/\(job.total)  \((job.dataset ?? "").terminalSafe)\n"
                }
                emit(text)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One job.")
        @OptionGroup var location: WorkspaceOption
        @Argument var id: String
        @Flag var json = false

        func run() throws {
            try reportingErrors {
                let (_, store) = try location.open()
                guard let job = try JobControl(store: store, executable: executablePath()).job(id) else {
                    throw CLIError(message: "no job \(id.terminalSafe)")
                }
                if json {
                    emit(
                        JSONValue.object([
                            ("id", .string(job.id)), ("kind", .string(job.kind.rawValue)), ("state", .string(job.state.rawValue)),
                            ("done", .int(job.done)), ("total", .int(job.total)), ("pid", job.pid.map { .int(Int($0)) } ?? .null),
                            ("dataset", job.dataset.map { .string($0) } ?? .null),
                            ("exit_status", job.exitStatus.map { .int(Int($0)) } ?? .null),
                        ]).pretty())
                } else {
                    emit(
                        "\(job.id): \(job.kind.rawValue) \(job.state.rawValue), \(job.done)/\(job.total) units\(job.dataset.map { " into \($0.terminalSafe)" } ?? "")"
                    )
                }
            }
        }
    }

    struct Wait: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "wait", abstract: "Wait until a job ends; exit 0 if it succeeded, 1 otherwise.")
        @OptionGroup var location: WorkspaceOption
        @Argument var id: String

        func run() throws {
            let state: JobState = try reportingErrors {
                let (ws, store) = try location.open()
                let control = JobControl(store: store, executable: executablePath())
                while true {
                    guard let job = try control.job(id) else { throw CLIError(message: "no job \(id.terminalSafe)") }
                    if job.state.isFinal { return job.state }
                    if job.state == .queued, !Supervisor.isRunning(workspace: ws.root) {
                        try Supervisor.ensureRunning(workspace: ws.root, executable: executablePath(), limit: 1)
                    }
                    usleep(100_000)
                }
            }
            emit(state.rawValue)
            if state != .succeeded { throw ExitCode(1) }
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel",
            abstract: "Stop a job: SIGTERM, a grace period, then SIGKILL. Finished units are kept.")
        @OptionGroup var location: WorkspaceOption
        @Argument var id: String
        @Option(help: "Seconds between SIGTERM and SIGKILL.")
        var grace: Double = 5

        func run() throws {
            try reportingErrors {
                let (_, store) = try location.open()
                if try JobControl(store: store, executable: executablePath()).cancel(id, grace: grace) {
                    emit("\(id) cancelled")
                } else {
                    emit("\(id) already \(try store.job(id)?.state.rawValue ?? "ended")")
                }
            }
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resume",
            abstract: "Queue a cancelled, failed or interrupted job again; it continues where it stopped.")
        @OptionGroup var location: WorkspaceOption
        @Argument var id: String

        func run() throws {
            try reportingErrors {
                let (ws, store) = try location.open()
                try JobControl(store: store, executable: executablePath()).resume(id, workspace: ws.root)
                emit(id)
            }
        }
    }

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "log", abstract: "A job's events and the tail of its worker's stderr.")
        @OptionGroup var location: WorkspaceOption
        @Argument var id: String

        func run() throws {
            try reportingErrors {
                let (_, store) = try location.open()
                let lines = try JobControl(store: store, executable: executablePath()).log(id)
                emit(lines.isEmpty ? "no events for \(id.terminalSafe)" : lines.joined(separator: "\n"))
            }
        }
    }

    struct Supervise: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "supervise",
            abstract: "Run the workspace's queued jobs until none is left.", shouldDisplay: false)
        @OptionGroup var location: WorkspaceOption
        @Option var maxJobs: Int = 1

        func run() throws {
            try reportingErrors {
                let (ws, store) = try location.open()
                _ = try Supervisor(store: store, workspace: ws, executable: executablePath(), limit: maxJobs).run()
            }
        }
    }
}

/// This executable, for starting workers and supervisors.
func executablePath() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}
