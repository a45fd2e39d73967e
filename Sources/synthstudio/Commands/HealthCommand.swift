import ArgumentParser
import Catalog
import Datasets
import Engine
import Evaluation
import Foundation
import StudioCore

struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Dataset health: dark, blurry, noisy or odd images, exact and near duplicates (across datasets too), label issues.",
        discussion: """
            Every image is decoded and measured (brightness, contrast, sharpness as the variance of \
            the Laplacian, noise, colourfulness, a DCT perceptual hash). Blur, noise and odd sizes are \
            judged against the image's own dataset; duplicates are found within and across the \
            datasets given (a workspace's holdouts included: a training image that nearly copies a \
            held-out one inflates every score). Label checks: boxes leaving the image, under 2 px, \
            the same class twice (IoU > 0.9), aspect beyond 1:20, unlabelled images, rare classes.
            """
    )

    @Argument(help: "A dataset folder, or a workspace (every dataset in its studio.yaml).")
    var path: String

    @Option(help: "Only issues of these kinds, comma-separated (e.g. blurry,near-duplicate).")
    var only: String?

    @Option(help: "Issues listed per kind in the text output.")
    var limit: Int = 10

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        try reportingErrors {
            var kinds = Set(HealthIssue.Kind.allCases)
            if let only {
                kinds = []
                for name in only.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    guard let kind = HealthIssue.Kind(rawValue: name) else {
                        throw CLIError(
                            message:
                                "unknown issue kind \(name.terminalSafe) (one of \(HealthIssue.Kind.allCases.map(\.rawValue).joined(separator: ", ")))"
                        )
                    }
                    kinds.insert(kind)
                }
            }
            var report: HealthReport
            var gap: [DomainGapCell] = []
            var reuse: (measured: Int, reused: Int)?
            if Workspace.isWorkspace(path) {
                // A workspace's run is stored in its catalog: measures are kept per file (the next
                // run decodes only what changed), findings feed Browse's filters and Coverage's
                // domain-gap column.
                let workspace = try Workspace.load(path)
                // A workspace that cannot hold a catalog (read-only) is checked all the same.
                var catalog: Catalog?
                do {
                    catalog = try Catalog.open(workspace: workspace.root)
                } catch {
                    Console.error("health: \(error); every image is measured and nothing is kept\n")
                }
                let outcome = try WorkspaceHealth.run(workspace, catalog: catalog) { step in
                    if !json { Console.error("health: \(step.terminalSafe)…\n") }
                }
                (report, gap, reuse) = (outcome.report, outcome.gap, (outcome.measured, outcome.reused))
            } else {
                let dataset = try DatasetIO.read(path)
                report = Health.report([(dataset.name, dataset, Health.measure(dataset))])
            }
            report.issues = report.issues.filter { kinds.contains($0.kind) }
            emit(json ? Self.json(report, gap: gap).pretty() : Self.text(report, gap: gap, reuse: reuse, limit: limit))
        }
    }

    static func json(_ report: HealthReport, gap: [DomainGapCell] = []) -> JSONValue {
        func rounded(_ v: Double) -> JSONValue { .double((v * 1000).rounded() / 1000) }
        return .object([
            (
                "domain_gap",
                .array(
                    gap.map { c in
                        .object([
                            ("rows", .string(c.rowAxis)), ("columns", .string(c.columnAxis)), ("row", .string(c.row)),
                            ("column", .string(c.column)), ("auc", c.auc.map(rounded) ?? .null), ("real", .int(c.real)),
                            ("synthetic", .int(c.synthetic)),
                        ])
                    })
            ),
            (
                "datasets",
                .array(
                    report.datasets.map { d in
                        let mine = report.issues.filter { $0.dataset == d.name }
                        var fields: [(String, JSONValue)] = [("name", .string(d.name)), ("images", .int(d.images))]
                        fields.append(
                            (
                                "issues",
                                .object(
                                    HealthIssue.Kind.allCases.compactMap { k in
                                        let n = mine.count { $0.kind == k }
                                        return n == 0 ? nil : (k.rawValue, .int(n))
                                    })
                            ))
                        if let m = report.medians[d.name] {
                            fields.append(
                                (
                                    "median",
                                    .object([
                                        ("brightness", rounded(m.brightness)), ("contrast", rounded(m.contrast)),
                                        ("sharpness", rounded(m.sharpness)), ("noise", rounded(m.noise)),
                                        ("colourfulness", rounded(m.colourfulness)),
                                    ])
                                ))
                        }
                        return .object(fields)
                    })
            ),
            (
                "issues",
                .array(
                    report.issues.map {
                        .object([
                            ("kind", .string($0.kind.rawValue)), ("dataset", .string($0.dataset)), ("path", .string($0.path)),
                            ("detail", .string($0.detail)),
                        ])
                    })
            ),
        ])
    }

    static func text(_ report: HealthReport, gap: [DomainGapCell] = [], reuse: (measured: Int, reused: Int)? = nil, limit: Int) -> String {
        var lines: [String] = []
        if let reuse {
            lines.append("\(reuse.measured) image(s) measured, \(reuse.reused) known from the catalog (unchanged since measured)")
        }
        for d in report.datasets {
            let mine = report.issues.filter { $0.dataset == d.name }
            let counts = HealthIssue.Kind.allCases.compactMap { k -> String? in
                let n = mine.count { $0.kind == k }
                return n == 0 ? nil : "\(k.rawValue) \(n)"
            }
            lines.append("\(d.name.terminalSafe): \(d.images) images, \(counts.isEmpty ? "no issues" : counts.joined(separator: ", "))")
            if let m = report.medians[d.name] {
                lines.append(
                    String(
                        format: "  median: brightness %.2f, contrast %.2f, sharpness %.0f, noise σ %.1f, colourfulness %.0f", m.brightness,
                        m.contrast, m.sharpness, m.noise, m.colourfulness))
            }
            for kind in HealthIssue.Kind.allCases {
                let of = mine.filter { $0.kind == kind }
                for issue in of.prefix(limit) {
                    lines.append(
                        "  \(kind.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)) \(issue.path.terminalSafe)  \(issue.detail.terminalSafe)"
                    )
                }
                if of.count > limit {
                    lines.append(
                        "  \(kind.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)) … and \(of.count - limit) more (--limit, --json)"
                    )
                }
            }
        }
        if !gap.isEmpty {
            lines.append(
                "domain gap (held-out AUC of a real-vs-synthetic classifier on the cell's objects; 0.5 = indistinguishable, 1 = always told apart):"
            )
            for c in gap {
                let cell = c.column == DomainGapCell.wholeRow ? c.row.terminalSafe : "\(c.row.terminalSafe) × \(c.column.terminalSafe)"
                let figure = c.auc.map { String(format: "%.2f", $0) } ?? "–  (fewer than \(DomainGap.minimumPerSide) objects a side)"
                lines.append(
                    "  \(cell.padding(toLength: 28, withPad: " ", startingAt: 0)) AUC \(figure)  (\(c.real) real, \(c.synthetic) synthetic)"
                )
            }
        }
        return lines.joined(separator: "\n")
    }
}
