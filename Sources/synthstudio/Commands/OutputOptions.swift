import ArgumentParser
import Catalog
import Datasets
import Engine
import Evaluation
import Foundation
import GAN
import ImageIO
import StudioCore
import TUI
import TerminalGraphics

/// Options every command that prints for people shares.
struct OutputOptions: ParsableArguments {
    @Option(
        help:
            "Colour theme: dark, light, high-contrast, or a path to a theme YAML file (default: dark; the studio picks light on a light terminal)."
    )
    var theme: String?

    @Option(help: "Colour: auto (when printing to a terminal, unless NO_COLOR is set), always, never.")
    var color: ColorChoice = .auto

    enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, always, never
    }

    func styler() throws -> Styler {
        let environment = ProcessInfo.processInfo.environment
        let depth: ColorMode
        switch color {
        case .never: depth = .none
        case .always:
            let detected = outputColors(environment: environment.filter { $0.key != "NO_COLOR" }, isTerminal: true)
            depth = detected == .none ? .palette16 : detected
        case .auto: depth = outputColors(environment: environment, isTerminal: isatty(STDOUT_FILENO) == 1)
        }
        let theme: Theme
        do {
            theme = try Theme.load(self.theme ?? "dark")
        } catch {
            // The default theme is built in; only an explicitly named theme that is missing is an error.
            guard self.theme == nil else { throw CLIError(error) }
            theme = Theme.fallback
        }
        return Styler(theme: theme, depth: depth, unicode: Styler.localeIsUTF8())
    }
}

/// An error printed as one clear line on stderr, with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ error: any Error) { description = "\(error)" }
    init(message: String) { description = message }
}

/// Runs `body`, turning our module errors into a one-line message and exit status 1.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as DatasetsError {
        throw fail(error.description)
    } catch let error as EngineError {
        throw fail(error.description)
    } catch let error as CatalogError {
        throw fail(error.description)
    } catch let error as ImageIOError {
        throw fail(error.description)
    } catch let error as TUIError {
        throw fail(error.description)
    } catch let error as GANError {
        throw fail(error.description)
    } catch let error as EvaluationError {
        throw fail(error.description)
    } catch let error as CLIError {
        throw fail(error.description)
    } catch {
        throw error
    }
}

private func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("synthstudio: error: \(message)\n".utf8))
    return ExitCode(1)
}

/// Prints to standard output, without trailing spaces on any line.
func emit(_ text: String) {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        line.reversed().drop(while: { $0 == " " }).reversed()
    }
    var joined = lines.map { String($0) }.joined(separator: "\n")
    if !joined.hasSuffix("\n") { joined += "\n" }
    FileHandle.standardOutput.write(Data(joined.utf8))
}

/// What a PATH argument names: a workspace (folder with studio.yaml) or a single dataset folder.
enum Target {
    case workspace(Workspace)
    case dataset(Dataset)

    static func open(_ path: String) throws -> Target {
        if Workspace.isWorkspace(path) { return .workspace(try Workspace.load(path)) }
        return .dataset(try DatasetIO.read(path))
    }

    /// The datasets with their workspace entries (nil for a lone dataset).
    func datasets() throws -> [(Dataset, Workspace.Entry?)] {
        switch self {
        case .workspace(let workspace):
            return try workspace.datasets.map { entry in (try workspace.load(entry), entry) }
        case .dataset(let dataset):
            return [(dataset, nil)]
        }
    }
}

/// `--set key=value` options as a dictionary; a malformed one is a clear error.
func parsePins(_ items: [String]) throws -> [String: String] {
    var pinned: [String: String] = [:]
    for item in items {
        guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
            throw CLIError(message: "--set \(item.terminalSafe): expected key=value")
        }
        pinned[String(item[..<eq])] = String(item[item.index(after: eq)...])
    }
    return pinned
}
