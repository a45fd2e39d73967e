import Testing

@testable import TUI

@Suite struct KeyMapTests {
    @Test func screenBindingsComeBeforeGlobalOnes() {
        #expect(KeyMap.action(for: .character("v"), on: .browse) == .toggleGrid)
        #expect(KeyMap.action(for: .character("v"), on: .coverage) == .nextView)
        #expect(KeyMap.action(for: .enter, on: .coverage) == .open)
        #expect(KeyMap.action(for: .enter, on: .jobs) == .openLog)
        #expect(KeyMap.action(for: .character("f"), on: .coverage) == .fill)
        #expect(KeyMap.action(for: .character("f"), on: .browse) == nil)
        #expect(KeyMap.action(for: .character("j"), on: .train) == .down)
        #expect(KeyMap.action(for: .down, on: .balance) == .down)
        #expect(KeyMap.action(for: .character("3"), on: .jobs) == .show(.coverage))
    }

    @Test func noKeyMeansTwoThingsOnOneScreen() {
        for screen in Screen.allCases {
            var seen: [Key: Action] = [:]
            for binding in KeyMap.bindings where binding.screens.isEmpty || binding.screens.contains(screen) {
                for key in binding.keys {
                    let scoped = !binding.screens.isEmpty
                    if let earlier = seen[key], !scoped {
                        // A global binding shadowed by the screen's own is fine; two globals are not.
                        #expect(
                            KeyMap.bindings.contains { $0.screens.contains(screen) && $0.keys.contains(key) },
                            "\(key) on \(screen): \(earlier)")
                    }
                    if seen[key] == nil || scoped { seen[key] = binding.action }
                }
            }
        }
    }

    @Test func helpIsGeneratedFromTheSameTable() {
        let coverage = KeyMap.helpLines(for: .coverage)
        #expect(coverage.first?.help == "open the cell's samples in Browse", "the screen's own keys come first")
        #expect(coverage.contains { $0.keys == "f" && $0.help.contains("fill the gap") })
        #expect(coverage.contains { $0.keys == "j ↓" })
        #expect(!coverage.contains { $0.help.contains("thumbnail") }, "Browse's keys are not listed on Coverage")
        let everyAction = Set(KeyMap.bindings.map(\.action))
        for action in everyAction {
            #expect(
                Screen.allCases.contains { screen in
                    KeyMap.bindings.contains { $0.action == action && ($0.screens.isEmpty || $0.screens.contains(screen)) }
                })
        }
    }
}

@Suite struct FrameTests {
    @Test func textIsClippedAndControlsNeverReachTheTerminal() {
        var frame = Frame(width: 10, height: 2)
        frame.put("abcdefghijklmnop", x: 2, y: 0)
        #expect(frame.text(row: 0) == "  abcdefgh")
        frame.put("a\u{1B}[2Jb\u{9B}c", x: 0, y: 1)
        #expect(frame.text(row: 1) == "a?[2Jb?c")
        frame.put("zz", x: 0, y: 5)  // off the frame: ignored
        frame.put("wide", x: -2, y: 1, limit: 4)
        #expect(frame.text(row: 1).hasPrefix("de"))
    }

    @Test func boxesAndFills() {
        var frame = Frame(width: 12, height: 4)
        frame.box(x: 0, y: 0, width: 12, height: 4, title: "Hi")
        #expect(frame.text(row: 0) == "┌─ Hi ─────┐")
        #expect(frame.text(row: 3) == "└──────────┘")
        frame.fill(x: 1, y: 1, width: 3, height: 1, "#")
        #expect(frame.text(row: 1) == "│###       │")
        // Rectangles partly or wholly outside, or of negative size, draw what is inside.
        frame.fill(x: 10, y: 2, width: 50, height: 50, "*")
        frame.fill(x: 5, y: 3, width: -4, height: 2, "!")
        frame.fill(x: -3, y: -3, width: 2, height: 2, "!")
        #expect(frame.text(row: 2) == "│         **")
        #expect(!frame.text.contains("!"))
    }
}
