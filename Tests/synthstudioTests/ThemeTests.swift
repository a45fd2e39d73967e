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
