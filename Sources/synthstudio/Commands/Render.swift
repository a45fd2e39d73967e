import ArgumentParser
import Datasets
import Engine
import Foundation
import Rendering
import StudioCore
import TerminalGraphics

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render annotated street scenes into a synthetic dataset (COCO + YOLO + masks + depth + provenance).",
        discussion: """
            Image i of seed s is the same in every run: --shard k/n renders the indices ≡ k mod n \
            (merge the shards with `synthstudio dataset merge`), and running again into the same \
            --out continues where an interrupted run stopped.
            """
    )

    @Option(help: "The scene recipe (YAML).")
    var recipe: String = "sample-data/scenes/street.yaml"

    @Option(help: "Images to render.")
    var count: Int

    @Option(help: "Seed.")
    var seed: UInt64 = 1

    @Option(help: "The dataset folder to write (created; an existing one is continued).")
    var out: String

    @Option(name: .customLong("set"), help: "Pin a parameter: --set weather=snow (repeatable).")
    var parameters: [String] = []

    @Option(help: "Render only shard k of n: --shard 0/4.")
    var shard: String?

    @Option(help: "Samples per pixel (default: the recipe's).")
    var spp: Int?

    @Option(help: "Image size WxH (default: the recipe's).")
    var size: String?

    func validate() throws {
        if count < 1 { throw ValidationError("--count must be at least 1") }
        if let spp, !(1...256).contains(spp) { throw ValidationError("--spp must be 1…256") }
    }

    func run() throws {
        try reportingErrors {
            let job = try makeJob()
            try runUnitsLocally(
                out: out, layout: .coco, label: "render", name: job.name, pending: job.pending(done:),
                produce: { index, folder in try job.produce(index, into: folder) })
        }
    }

    func makeJob() throws -> RenderJob {
        var parsed = try Recipe.load(recipe)
        if let spp { parsed.samplesPerPixel = spp }
        if let size {
            let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, (8...4096).contains(parts[0]), (8...4096).contains(parts[1]) else {
                throw CLIError(message: "--size \(size.terminalSafe): expected WxH, each 8…4096")
            }
            (parsed.width, parsed.height) = (parts[0], parts[1])
        }
        let pinned = try parsePins(parameters)
        return RenderJob(
            recipe: parsed, recipeName: (recipe as NSString).lastPathComponent, seed: seed, count: count, pinned: pinned,
            shard: try shard.map { try JobSpec.parseShard($0) } ?? .whole)
    }
}
