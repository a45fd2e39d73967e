import ArgumentParser
import Datasets
import Foundation
import StudioCore
import TUI
import TerminalGraphics

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract:
            "Check a dataset (or every dataset of a workspace) against its files: missing or unreadable images, sizes, boxes, categories.",
        discussion: """
            Exits with status 1 when anything is wrong (so it can gate a pipeline), 0 when the dataset \
            is clean or has only warnings (a class with no images yet, commits not yet compacted).
            """
    )

    @Argument(help: "A dataset folder, or a workspace (every dataset in its studio.yaml).")
    var dataset: String

    @Option(help: "Format of the folder (default: detected).")
    var format: DatasetFormat?

    @Flag(help: "Only read image headers instead of decoding every image (faster, misses truncated files).")
    var headersOnly = false

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        let valid: Bool = try reportingErrors {
            let style = (try? output.styler()) ?? Styler(theme: .fallback, depth: .none, unicode: false)
            if format == nil, Workspace.isWorkspace(dataset) {
                let workspace = try Workspace.load(dataset)
                let results = workspace.datasets.map { entry in
                    check(path: workspace.path(of: entry), name: entry.name) { () throws(DatasetsError) in try workspace.load(entry) }
                }
                let valid = results.allSatisfy(\.valid)
                if json {
                    emit(
                        JSONValue.object([
                            ("workspace", .string(dataset)), ("valid", .bool(valid)), ("datasets", .array(results.map(\.json))),
                        ]).pretty())
                } else {
                    emit(results.map { $0.text(style) }.joined(separator: "\n"))
                }
                return valid
            }
            let result = check(path: dataset, name: nil) { () throws(DatasetsError) in try DatasetIO.read(dataset, format: format) }
            emit(json ? result.json.pretty() : result.text(style))
            return result.valid
        }
        if !valid { throw ExitCode(1) }
    }

    /// Reads and checks one dataset; a dataset that cannot be read at all is its one problem.
    private func check(path: String, name: String?, _ read: () throws(DatasetsError) -> Dataset) -> Checked {
        do {
            let loaded = try read()
            return Checked(path: path, name: name, loaded: loaded, issues: Validator.validate(loaded, decodeImages: !headersOnly))
        } catch {
            let issue = ValidationIssue(
                kind: .readProblem, path: error.path, detail: error.location.map { "\($0): \(error.message)" } ?? error.message)
            return Checked(path: path, name: name, loaded: nil, issues: [issue])
        }
    }
}

/// One dataset's validation, as JSON and as text.
private struct Checked {
    let path: String
    /// The workspace's name for it, when it is one of a workspace's datasets.
    let name: String?
    let loaded: Dataset?
    let issues: [ValidationIssue]

    var valid: Bool { !issues.contains { !$0.kind.isWarning } }

    var json: JSONValue {
        var counts: [(String, JSONValue)] = []
        for kind in ValidationIssue.Kind.allCases {
            let n = issues.filter { $0.kind == kind }.count
            if n > 0 { counts.append((kind.rawValue, .int(n))) }
        }
        var members: [(String, JSONValue)] = [("dataset", .string(path))]
        if let name { members.append(("name", .string(name))) }
        members += [
            ("format", loaded.map { .string($0.format.rawValue) } ?? .null),
            ("images", loaded.map { .int($0.samples.count) } ?? .null),
            ("valid", .bool(valid)),
            ("counts", .object(counts)),
            (
                "issues",
                .array(
                    issues.map {
                        .object([("kind", .string($0.kind.rawValue)), ("path", .string($0.path)), ("detail", .string($0.detail))])
                    })
            ),
        ]
        return .object(members)
    }

    func text(_ style: Styler) -> String {
        var out = ""
        if let loaded {
            out += style.paint("\((name ?? loaded.name).terminalSafe)", .heading, bold: true)
            out +=
                style.paint(
                    "  \(loaded.format.rawValue) · \(grouped(loaded.samples.count)) images · \(grouped(loaded.annotationCount)) annotations",
                    .muted) + "\n"
        } else if let name {
            out += style.paint(name.terminalSafe, .heading, bold: true) + "\n"
        }
        if issues.isEmpty {
            out += style.paint("✓ no problems found", .good) + "\n"
        }
        for kind in ValidationIssue.Kind.allCases {
            let matching = issues.filter { $0.kind == kind }
            guard !matching.isEmpty else { continue }
            out += style.paint("\(kind.rawValue): \(matching.count)", kind.isWarning ? .warning : .error, bold: true) + "\n"
            for issue in matching.prefix(20) {
                out += "  \(issue.path.terminalSafe): \(issue.detail.terminalSafe)\n"
            }
            if matching.count > 20 { out += style.paint("  … and \(matching.count - 20) more (--json lists all)\n", .muted) }
        }
        return out
    }
}
