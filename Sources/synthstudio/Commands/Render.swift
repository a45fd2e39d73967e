import ArgumentParser
import Datasets
import Engine
import Foundation
import ImageIO
import StudioCore
import TerminalGraphics

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render annotated street scenes into a synthetic dataset (COCO + YOLO + masks + depth + provenance).",
        discussion: """
            Image i of seed s is the same in every run: --shard k/n renders the indices ≡ k mod n \
            (merge the shards with `synthstudio dataset merge`), and running again into the same \
            --out continues where an interrupted run stopped. Image names carry a key of everything \
            they depend on (recipe, --set, --size, --spp, seed), so a run with other settings adds \
            images beside the earlier ones and never replaces them.
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
            let folder = FileIO.absolute(out)
            let spec = JobSpec.render(
                RenderSpec(
                    id: "render", units: try units(folder), recipe: FileIO.absolute(recipe), pins: try parsePins(parameters),
                    size: try size.map { t throws(EngineError) in try PixelSize.parse(t) }, samplesPerPixel: spp))
            try spec.validate()
            try runInProcess(spec, into: folder, label: "render")
        }
    }

    func units(_ folder: String) throws -> UnitPlan {
        UnitPlan(
            dataset: FileIO.lastComponent(of: folder), count: count, seed: seed,
            shard: try shard.map { t throws(EngineError) in try Shard.parse(t) } ?? .whole)
    }
}

/// Runs a unit job in this process into `folder`, the way the supervisor runs it (the same
/// runner, commits and naming): each unit is staged whole in `folder/.staging/<index>` and
/// committed as it lands, so an interrupted run leaves only whole images and valid label files,
/// and running again continues. Ctrl-C stops after the image being made.
func runInProcess(_ spec: JobSpec, into folder: String, label: String) throws {
    installStopHandlers()
    let units = spec.units!
    let progress = ProgressReporter(label: label, total: Array(units.shard.indices(of: units.count)).count)
    let runner = JobRunner(
        spec: spec, staging: "\(folder)/.staging", target: JobRunner.Target(root: folder), store: nil, launch: .inProcess)
    runner.rejected = "\(folder)/.rejected"
    runner.stopRequest = stopWasRequested
    runner.onProgress = { done, _ in progress.update(done: done) }
    let state = try runner.run()
    progress.finish(done: runner.committed)
    try? FileManager.default.removeItem(atPath: "\(folder)/.staging")
    if state != .succeeded {
        throw CLIError(
            message:
                "stopped with \(runner.committed) of \(spec.total) image(s) in \(folder.terminalSafe); run the same command again to continue"
        )
    }
}
