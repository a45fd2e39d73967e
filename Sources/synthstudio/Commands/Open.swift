import ArgumentParser
import Datasets
import Foundation
import StudioCore
import TUI
import TerminalGraphics
import Yams

struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Open a workspace (the default command).",
        discussion: """
            On a terminal this opens the studio (the ncurses UI: ? shows the keys). With --print, or \
            when output is not a terminal, it prints the workspace's class balance and largest \
            coverage gaps instead. The theme comes from --theme, else `theme:` in \
            $XDG_CONFIG_HOME/synthstudio/config.yaml (~/.config/…), else light when the terminal \
            answers that its background is light (OSC 11; COLORFGBG as a hint), else dark.
            """
    )

    @Argument(help: "A workspace folder (with studio.yaml). Default: the current folder.")
    var workspace: String = "."

    @OptionGroup var output: OutputOptions

    @Option(help: "Preview mode in the studio: kitty, iterm, sixel, blocks or ascii (default: detected).")
    var graphics: String?

    @Flag(help: "Print statistics and gaps instead of opening the studio.")
    var print = false

    func validate() throws {
        if let graphics = graphics ?? (try? UserConfig.load())?.graphics, AppState.Graphics(rawValue: graphics) == nil {
            throw ValidationError("--graphics must be kitty, iterm, sixel, blocks or ascii")
        }
    }

    func run() throws {
        if !print, isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 {
            return try openStudio()
        }
        try reportingErrors {
            guard Workspace.isWorkspace(workspace) else {
                throw CLIError(
                    message:
                        "\(workspace.terminalSafe) is not a workspace (no studio.yaml); try `synthstudio stats \(workspace.terminalSafe)` for a dataset folder"
                )
            }
            let ws = try Workspace.load(workspace)
            let figures = try Figures.open(.workspace(ws))
            let style = try output.styler()
            var text = StatsReport.text(try figures.datasets(), workspace: ws, style: style)
            for view in ws.coverageViews {
                let matrix = try figures.coverage(view)
                let gaps = matrix.gaps(limit: 5)
                if !gaps.isEmpty {
                    if let name = view.name { text += "\n" + style.paint("View \(name.terminalSafe)", .muted) }
                    text += "\n" + CoverageReport.gapsText(gaps, matrix: matrix, style: style)
                }
            }
            emit(text)
        }
    }

    private func openStudio() throws {
        let signal: Int32? = try reportingErrors {
            guard Workspace.isWorkspace(workspace) else {
                throw CLIError(message: "\(workspace.terminalSafe) is not a workspace (no studio.yaml)")
            }
            let config = try UserConfig.load()
            var options = output
            if options.theme == nil { options.theme = config.theme }
            let style = try options.styler()
            // No theme asked for: the light one if the terminal says its background is light.
            let light = options.theme == nil ? try? Theme.load("light") : nil
            let colors = output.color == .never ? ColorMode.none : Capabilities.colors(environment: ProcessInfo.processInfo.environment)
            return try Studio.run(
                Studio.Options(
                    workspace: workspace, theme: style.theme, lightTheme: light, colors: colors,
                    graphics: (graphics ?? config.graphics).flatMap(AppState.Graphics.init(rawValue:)), executable: executablePath()))
        }
        // Stopped by a signal from outside: exit as a shell expects of a killed program.
        if let signal { throw ExitCode(128 + signal) }
    }
}

/// `$XDG_CONFIG_HOME/synthstudio/config.yaml` (else `~/.config/…`): `theme:` and `graphics:`.
/// No file is no settings; a file that is not a mapping of those keys is an error naming it.
struct UserConfig: Equatable {
    var theme: String?
    var graphics: String?

    static func path(environment: [String: String]) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(environment["HOME"] ?? "")/.config"
        return "\(base)/synthstudio/config.yaml"
    }

    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> UserConfig {
        let path = path(environment: environment)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return UserConfig() }
        let parsed: Any?
        do { parsed = try Yams.load(yaml: text) } catch { throw CLIError(message: "\(path.terminalSafe): not YAML (\(error))") }
        guard let yaml = (parsed ?? [String: Any]()) as? [String: Any] else {
            throw CLIError(message: "\(path.terminalSafe): expected a mapping with theme: and graphics:")
        }
        if let unknown = yaml.keys.sorted().first(where: { !["theme", "graphics"].contains($0) }) {
            throw CLIError(message: "\(path.terminalSafe): unknown key \(unknown.terminalSafe) (expected theme, graphics)")
        }
        func string(_ key: String) throws -> String? {
            guard let value = yaml[key] else { return nil }
            guard let text = value as? String else { throw CLIError(message: "\(path.terminalSafe): \(key) must be a string") }
            return text
        }
        return UserConfig(theme: try string("theme"), graphics: try string("graphics"))
    }
}
