import ArgumentParser
import Datasets
import Foundation
import StudioCore
import TUI
import TerminalGraphics

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a dataset against its files: missing or unreadable images, sizes, boxes, categories.",
        discussion: """
            Exits with status 1 when anything is wrong (so it can gate a pipeline), 0 when the dataset \
            is clean or has only warnings (a class with no images yet, commits not yet compacted).
            """
    )

    @Argument(help: "A dataset folder.")
    var dataset: String

    @Option(help: "Format of the folder (default: detected).")
    var format: DatasetFormat?

    @Flag(help: "Only read image headers instead of decoding every image (faster, misses truncated files).")
    var headersOnly = false

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        let issues: [ValidationIssue] = try reportingErrors {
            let loaded: Dataset
            do {
                loaded = try DatasetIO.read(dataset, format: format)
            } catch let error as DatasetsError {
                // A dataset that cannot be read at all is the first thing to report.
                report(
                    [
                        ValidationIssue(
                            kind: .readProblem, path: error.path, detail: error.location.map { "\($0): \(error.message)" } ?? error.message)
                    ], dataset: nil)
                throw ExitCode(1)
            }
            let issues = Validator.validate(loaded, decodeImages: !headersOnly)
            report(issues, dataset: loaded)
            return issues
        }
        if issues.contains(where: { !$0.kind.isWarning }) { throw ExitCode(1) }
    }

    private func report(_ issues: [ValidationIssue], dataset loaded: Dataset?) {
        if json {
            var counts: [(String, JSONValue)] = []
            for kind in ValidationIssue.Kind.allCases {
                let n = issues.filter { $0.kind == kind }.count
                if n > 0 { counts.append((kind.rawValue, .int(n))) }
            }
            emit(
                JSONValue.object([
                    ("dataset", .string(dataset)),
                    ("format", loaded.map { .string($0.format.rawValue) } ?? .null),
                    ("images", loaded.map { .int($0.samples.count) } ?? .null),
                    ("valid", .bool(!issues.contains { !$0.kind.isWarning })),
                    ("counts", .object(counts)),
                    (
                        "issues",
                        .array(
                            issues.map {
                                .object([("kind", .string($0.kind.rawValue)), ("path", .string($0.path)), ("detail", .string($0.detail))])
                            })
                    ),
                ]).pretty())
            return
        }
        let style = (try? output.styler()) ?? Styler(theme: .fallback, depth: .none, unicode: false)
        var out = ""
        if let loaded {
            out += style.paint("\(loaded.name.terminalSafe)", .heading, bold: true)
            out +=
                style.paint(
                    "  \(loaded.format.rawValue) · \(grouped(loaded.samples.count)) images · \(grouped(loaded.annotationCount)) annotations",
                    .muted) + "\n"
        }
        if issues.isEmpty {
            out += style.paint("✓ no problems found", .good)
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
        emit(out)
    }
}
