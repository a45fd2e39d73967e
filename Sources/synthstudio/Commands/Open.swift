import ArgumentParser
import Datasets
import StudioCore

struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Open a workspace (the default command).",
        discussion: "Until the studio's terminal UI lands, this prints the workspace's class balance and largest coverage gaps."
    )

    @Argument(help: "A workspace folder (with studio.yaml). Default: the current folder.")
    var workspace: String = "."

    @OptionGroup var output: OutputOptions

    func run() throws {
        try reportingErrors {
            guard Workspace.isWorkspace(workspace) else {
                throw CLIError(
                    message:
                        "\(workspace.terminalSafe) is not a workspace (no studio.yaml); try `synthstudio stats \(workspace.terminalSafe)` for a dataset folder"
                )
            }
            let ws = try Workspace.load(workspace)
            let loaded = try ws.datasets.map { entry in (try ws.load(entry), Optional(entry)) }
            let style = try output.styler()
            var text = StatsReport.text(loaded, workspace: ws, style: style)
            for view in ws.coverageViews {
                let counted = loaded.filter { view.counts($0.0.name, holdout: $0.1?.holdout == true) }.map(\.0)
                let matrix = CoverageMatrix(counted, spec: view)
                let gaps = matrix.gaps(limit: 5)
                if !gaps.isEmpty {
                    if let name = view.name { text += "\n" + style.paint("View \(name.terminalSafe)", .muted) }
                    text += "\n" + CoverageReport.gapsText(gaps, matrix: matrix, style: style)
                }
            }
            emit(text)
        }
    }
}
