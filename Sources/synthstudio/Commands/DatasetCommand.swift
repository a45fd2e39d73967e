import ArgumentParser
import Datasets
import Engine
import Foundation
import ImageIO
import StudioCore

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset", abstract: "Operations on synthetic datasets.", subcommands: [Merge.self, Compact.self])

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Join the datasets written by the shards of one job into the dataset a single run writes.",
            discussion:
                "Each shard (`--shard k/n`) wrote the units i ≡ k mod n; the merge orders them by name and renumbers nothing else, so it equals one run of the whole job."
        )

        @Option(help: "The merged dataset folder (new or empty).")
        var out: String

        @Argument(help: "The shard dataset folders.")
        var shards: [String]

        func run() throws {
            try reportingErrors {
                let count = try DatasetMerger.merge(shards, into: out)
                emit("merged \(count) images from \(shards.count) shard(s) into \(out.terminalSafe)")
            }
        }
    }

    struct Compact: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compact",
            abstract: "Fold a synthetic dataset's journal of commits into annotations.json and provenance.jsonl.",
            discussion: """
                Jobs append each commit to .journal.jsonl beside annotations.json and fold it in when \
                they end; synthstudio reads the journal at any time, other tools (pycocotools, \
                FiftyOne) read annotations.json. A job killed with kill -9 and never resumed leaves a \
                journal: this folds it in. Waits for a writer to finish.
                """)

        @Argument(help: "The dataset folder.")
        var dataset: String

        func run() throws {
            try reportingErrors {
                let root = FileIO.absolute(dataset)
                let format = try DatasetLayout.detect(root).format
                guard format == .coco || format == .imageFolder else {
                    throw CLIError(
                        message: "\(dataset.terminalSafe) is \(format.rawValue); only our COCO and ImageFolder datasets have journals")
                }
                let committer = try DatasetCommitter(root: root, layout: format == .coco ? .coco : .imageFolder)
                emit(try committer.compact() ? "compacted \(dataset.terminalSafe)" : "\(dataset.terminalSafe) has nothing to compact")
            }
        }
    }
}
