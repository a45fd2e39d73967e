import Foundation
import TUI
import TerminalGraphics
import TestSupport
import Testing

@testable import synthstudio

@Suite("Themes")
struct ThemeTests {
    static let folder = "\(CLIRunner.repository)/themes"

    @Test("every theme file defines every role; the built-in fallback equals themes/dark.yaml")
    func files() throws {
        for name in Theme.builtInNames {
            let theme = try Theme.load("\(Self.folder)/\(name).yaml")
            #expect(theme.name == name)
            #expect(theme.colors.count == Theme.Role.allCases.count)
        }
        #expect(try Theme.load("\(Self.folder)/dark.yaml") == Theme.fallback)
        // The themes built into the binary are the shipped files, byte for byte.
        for name in Theme.builtInNames {
            let file = try String(contentsOfFile: "\(Self.folder)/\(name).yaml", encoding: .utf8)
            #expect(Theme.builtInTexts[name].map { $0 + "\n" } == file, "\(name)")
        }
    }

    @Test("every shipped theme works from a binary copied away from the checkout; a themes folder overrides one")
    func copiedBinary() throws {
        let dir = TemporaryDirectory()
        let binary = "\(dir.path)/bin/synthstudio"
        try FileManager.default.createDirectory(atPath: "\(dir.path)/bin", withIntermediateDirectories: true)
        try CLIRunner.copyBinary(to: binary)
        func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            env.removeValue(forKey: "SYNTHSTUDIO_THEMES")
            env["COLORTERM"] = "truecolor"
            for (k, v) in environment { env[k] = v }
            process.environment = env
            process.currentDirectoryURL = URL(fileURLWithPath: dir.path)
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
        }
        let data = "\(CLIRunner.repository)/Tests/DatasetsTests/Fixtures/voc-mini"
        // The heading colour of each theme, as a truecolor escape: light's is black, dark's white.
        for (name, heading) in [("light", "38;2;0;0;0m"), ("high-contrast", nil), ("dark", "38;2;255;255;255m")] {
            let (status, stdout, stderr) = try run(["stats", data, "--theme", name, "--color", "always"])
            #expect(status == 0, "\(name): \(stderr)")
            if let heading { #expect(stdout.contains(heading), "\(name)") }
        }
        let (status, _, stderr) = try run(["stats", data, "--theme", "neon"])
        #expect(status != 0 && stderr.contains("built in: dark, light, high-contrast"))
        // A file of the same name in $SYNTHSTUDIO_THEMES wins over the built-in theme.
        try FileManager.default.createDirectory(atPath: "\(dir.path)/themes", withIntermediateDirectories: true)
        let custom = try String(contentsOfFile: "\(Self.folder)/light.yaml", encoding: .utf8).replacingOccurrences(
            of: "heading: \"#000000\"", with: "heading: \"#123456\"")
        try custom.write(toFile: "\(dir.path)/themes/light.yaml", atomically: true, encoding: .utf8)
        let (_, overridden, _) = try run(
            ["stats", data, "--theme", "light", "--color", "always"], environment: ["SYNTHSTUDIO_THEMES": "\(dir.path)/themes"])
        #expect(overridden.contains("38;2;18;52;86m"))
    }

    @Test("a bad theme is an error naming the line")
    func bad() {
        let cases = [
            "colors:\n  text: red\n": ":2",
            "colors:\n  sparkle: \"#ffffff\"\n": ":2",
            "colours: {}\n": ":1",
        ]
        for (text, line) in cases {
            let error = #expect(throws: (any Error).self) { try Theme.parse(text, file: "t.yaml") }
            #expect("\(String(describing: error))".contains("t.yaml\(line)"), "\(text)")
        }
    }

    @Test("CLI colour follows NO_COLOR, TERM and COLORTERM, and is off when not a terminal")
    func depth() {
        #expect(outputColors(environment: ["TERM": "xterm-256color", "NO_COLOR": "1"], isTerminal: true) == .none)
        #expect(outputColors(environment: ["TERM": "xterm-256color"], isTerminal: false) == .none)
        #expect(outputColors(environment: ["TERM": "xterm-256color"], isTerminal: true) == .palette256)
        #expect(outputColors(environment: ["TERM": "xterm", "COLORTERM": "truecolor"], isTerminal: true) == .truecolor)
        #expect(outputColors(environment: ["TERM": "linux"], isTerminal: true) == .palette16)
        #expect(outputColors(environment: ["TERM": "dumb"], isTerminal: true) == .none)
    }

    @Test("bars are drawn in eighths, or with # without Unicode")
    func bars() {
        let plain = Styler(theme: .fallback, depth: .none, unicode: true)
        #expect(plain.bar(0.5, width: 4) == "██  ")
        #expect(plain.bar(1.0 / 16, width: 4) == "▎   ")
        #expect(plain.bar(2, width: 2) == "██")
        #expect(Styler(theme: .fallback, depth: .none, unicode: false).bar(0.5, width: 4) == "##  ")
    }
}

@Suite struct UserConfigTests {
    @Test func readsThemeAndGraphicsAndRefusesBrokenFiles() throws {
        let dir = TemporaryDirectory("config")
        let environment = ["XDG_CONFIG_HOME": dir.path, "HOME": "/nonexistent"]
        #expect(try UserConfig.load(environment: environment) == UserConfig(), "no file: no settings")
        dir.write("synthstudio/config.yaml", "theme: light\ngraphics: ascii\n")
        #expect(try UserConfig.load(environment: environment) == UserConfig(theme: "light", graphics: "ascii"))
        for broken in ["theme: [a, b]\n", "colour: red\n", "- a list\n", "theme: \"unterminated\n"] {
            dir.write("synthstudio/config.yaml", broken)
            #expect(throws: (any Error).self, "\(broken)") { try UserConfig.load(environment: environment) }
        }
        #expect(UserConfig.path(environment: ["HOME": "/home/x"]) == "/home/x/.config/synthstudio/config.yaml")
    }
}
