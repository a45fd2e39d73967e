import ArgumentParser
import Datasets
import Foundation
import StudioCore
import TUI

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Class balance of a workspace or a dataset folder.",
        discussion: """
            PATH is a workspace (a folder with studio.yaml) or one dataset folder (COCO, YOLO, \
            ImageFolder or Pascal VOC, detected from its layout). --json prints \
            {"datasets": [{"name", "origin", "format", "images", "annotations", "classes": {class: count}}]}.
            """
    )

    @Argument(help: "A workspace folder or a dataset folder.")
    var path: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        try reportingErrors {
            let target = try Target.open(path)
            let datasets = try Figures.open(target).datasets()
            if json {
                emit(StatsReport.json(datasets).pretty())
            } else {
                var workspace: Workspace?
                if case .workspace(let w) = target { workspace = w }
                emit(StatsReport.text(datasets, workspace: workspace, style: try output.styler()))
            }
        }
    }
}

/// The statistics of a workspace, as JSON and as a table with bars.
enum StatsReport {
    static func json(_ datasets: [DatasetFigures]) -> JSONValue {
        .object([
            (
                "datasets",
                .array(
                    datasets.map { dataset in
                        let balance = dataset.balance
                        var members: [(String, JSONValue)] = [
                            ("name", .string(dataset.name)),
                            ("origin", .string(dataset.origin.rawValue)),
                            ("format", .string(dataset.format.rawValue)),
                            ("path", .string(dataset.root)),
                            ("images", .int(dataset.images)),
                            ("annotations", .int(dataset.annotations)),
                            ("classes", .object(balance.rows.map { ($0.category.name, .int($0.annotations)) })),
                        ]
                        if let ratio = balance.imbalanceRatio {
                            members.append(("imbalance_ratio", .double((ratio * 100).rounded() / 100)))
                        }
                        if dataset.entry?.holdout == true { members.append(("holdout", .bool(true))) }
                        if dataset.problems > 0 { members.append(("problems", .int(dataset.problems))) }
                        return .object(members)
                    })
            )
        ])
    }

    static func text(_ datasets: [DatasetFigures], workspace: Workspace?, style: Styler) -> String {
        var out = ""
        if let workspace {
            out += style.paint("Workspace \(workspace.name.terminalSafe)", .heading, bold: true)
            out += style.paint("  \(datasets.count) dataset(s) · \(workspace.root.terminalSafe)", .muted) + "\n"
        }
        // A per-class target: a view of category alone that counts this dataset.
        func perClassTarget(_ name: String, holdout: Bool) -> Int? {
            workspace?.coverageViews.first {
                $0.rows == .category && $0.columns == nil && $0.defaultTarget > 0 && $0.counts(name, holdout: holdout)
            }?.defaultTarget
        }
        for dataset in datasets {
            let entry = dataset.entry
            let perClassTarget = perClassTarget(dataset.name, holdout: entry?.holdout == true)
            let balance = dataset.balance
            let originRole: Theme.Role = dataset.origin == .real ? .real : .synthetic
            out += "\n" + style.paint(dataset.name.terminalSafe, .heading, bold: true) + "  "
            out += style.paint(dataset.origin.rawValue, originRole) + (entry?.holdout == true ? style.paint(" (holdout)", .muted) : "")
            out += style.paint(
                "  \(dataset.format.rawValue) · \(grouped(dataset.images)) images · \(grouped(dataset.annotations)) annotations · \(balance.rows.count) classes",
                .muted)
            if let ratio = balance.imbalanceRatio {
                out += style.paint(String(format: " · imbalance %.1f×", ratio), ratio > 3 ? .warning : .muted)
            }
            out += "\n"
            let nameWidth = min(24, max(5, balance.rows.map { $0.category.name.terminalSafe.unicodeScalars.count }.max() ?? 5))
            let maxCount = max(1, balance.rows.map(\.annotations).max() ?? 1)
            let countWidth = max(5, grouped(maxCount).count)
            for row in balance.rows {
                let name = String(row.category.name.terminalSafe.unicodeScalars.prefix(nameWidth))
                let short = perClassTarget.map { row.annotations < $0 && entry?.holdout != true } ?? false
                out +=
                    "  " + pad(name, nameWidth) + "  "
                    + style.bar(Double(row.annotations) / Double(maxCount), width: 30, role: short ? .gap : originRole)
                out += " " + pad(grouped(row.annotations), countWidth, right: true)
                if short, let target = perClassTarget {
                    out += style.paint("  ◀ under target \(grouped(target)) (−\(grouped(target - row.annotations)))", .gap)
                } else if row.annotations == 0 {
                    out += style.paint("  ◀ empty", .gap)
                }
                out += "\n"
            }
            if dataset.problems > 0 {
                out += style.paint(
                    "  \(dataset.problems) file(s) skipped while reading; run `synthstudio validate` for details\n", .warning)
            }
        }
        return out
    }
}
