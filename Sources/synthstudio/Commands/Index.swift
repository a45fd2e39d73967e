import ArgumentParser
import Catalog
import Datasets
import Engine
import Foundation
import StudioCore

struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Bring the workspace's catalog (.studio/catalog.sqlite) up to date with its files.",
        discussion: """
            Unchanged datasets (every file's size and modification time as recorded) are not read; \
            a changed one is read again, probing only new or changed image headers. A catalog that \
            cannot be read is moved aside and rebuilt, and its jobs are restored from .studio/jobs.
            """
    )

    @Argument(help: "A workspace folder (with studio.yaml). Default: the current folder.")
    var workspace: String = "."

    @Flag(help: "Read every dataset again, changed or not.")
    var force = false

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try reportingErrors {
            // Opened as the jobs commands open it: a catalog rebuilt (damaged or deleted) gets its
            // jobs back from .studio/jobs.
            let (ws, store, recovery) = try JobControl.open(workspace: workspace)
            let catalog = store.catalog
            if let recovery { Console.error("synthstudio: warning: \(recovery.terminalSafe)\n") }
            let report = try catalog.refresh(ws, force: force)
            if json {
                emit(
                    JSONValue.object([
                        ("catalog", .string(catalog.path)),
                        ("recovery", catalog.recovery.map { .string($0) } ?? .null),
                        (
                            "datasets",
                            .array(
                                report.entries.map { e in
                                    .object([
                                        ("name", .string(e.dataset)), ("action", .string(e.action.rawValue)), ("images", .int(e.images)),
                                        ("annotations", .int(e.annotations)), ("probed", .int(e.probed)),
                                        ("seconds", .double((e.seconds * 1000).rounded() / 1000)),
                                        ("problem", e.problem.map { .string($0) } ?? .null),
                                    ])
                                })
                        ),
                    ]).pretty())
            } else {
                var text = ""
                for e in report.entries {
                    text += "\(e.dataset.terminalSafe): \(e.action.rawValue)"
                    if e.action == .failed {
                        text += " — \((e.problem ?? "").terminalSafe) (its last index, if any, is kept)\n"
                        continue
                    }
                    if e.action != .removed {
                        text += " — \(grouped(e.images)) images, \(grouped(e.annotations)) annotations"
                        if e.action == .indexed { text += ", \(grouped(e.probed)) image headers read" }
                        text += String(format: " (%.2f s)", e.seconds)
                    }
                    text += "\n"
                }
                emit(text.isEmpty ? "the workspace has no datasets" : text)
            }
            if !report.problems.isEmpty {
                throw CLIError(
                    message:
                        "\(report.problems.count) dataset(s) could not be read: \(report.problems.joined(separator: "; ").terminalSafe)")
            }
        }
    }
}
