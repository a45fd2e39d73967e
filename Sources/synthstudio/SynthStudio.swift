import ArgumentParser

@main
struct SynthStudio: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "synthstudio",
        abstract: "A terminal studio for computer-vision training data: see what your datasets miss, then fill the gaps.",
        version: version,
        subcommands: [
            Open.self, Stats.self, Coverage.self, Validate.self, Convert.self, PreviewCommand.self, Index.self, Render.self,
            GANCommand.self, Evaluate.self, HealthCommand.self, Jobs.self, Fill.self,
            DatasetCommand.self,
            Worker.self,
        ],
        defaultSubcommand: Open.self
    )
}
