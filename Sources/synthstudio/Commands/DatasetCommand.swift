import ArgumentParser
import Engine
import Foundation
import StudioCore

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset", abstract: "Operations on synthetic datasets.", subcommands: [Merge.self])

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
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
}
