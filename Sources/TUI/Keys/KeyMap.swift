/// The screens, numbered as the keys that open them.
public enum Screen: Int, CaseIterable, Sendable {
    case browse = 1, balance, coverage, jobs, train, health

    public var title: String {
        switch self {
        case .browse: "Browse"
        case .balance: "Balance"
        case .coverage: "Coverage"
        case .jobs: "Jobs"
        case .train: "Train"
        case .health: "Health"
        }
    }
}

/// What a key does. The dispatcher and the help overlay both read `KeyMap.bindings`, so the help
/// can never disagree with the keys.
public enum Action: Hashable, Sendable {
    case quit, help, back, command, refresh
    case show(Screen), nextScreen, previousScreen
    case up, down, left, right, pageUp, pageDown, top, bottom
    case open, focusNext
    case filter, nextMatch, previousMatch
    case fill, nextView, toggleAP
    case cycleGraphics, toggleGrid, toggleMasks, toggleDepth
    case zoomIn, zoomOut, zoomObject(step: Int), pan(dx: Int, dy: Int)
    case cancelJob, resumeJob, openLog
    case trainMore
    case runHealth
    case nextHistogram
}

public struct Binding: Sendable {
    public let keys: [Key]
    public let action: Action
    public let help: String
    /// The screens where the binding applies; empty for everywhere.
    public let screens: Set<Screen>

    init(_ keys: [Key], _ action: Action, _ help: String, on screens: Set<Screen> = []) {
        self.keys = keys
        self.action = action
        self.help = help
        self.screens = screens
    }
}

public enum KeyMap {
    public static let bindings: [Binding] = [
        Binding([.character("?")], .help, "this help"),
        Binding([.character("q")], .quit, "quit (asks first while jobs run)"),
        Binding([.escape], .back, "back: close a panel, unzoom, clear a filter"),
        Binding([.character(":")], .command, "command line (Tab completes)"),
        Binding([.character("1")], .show(.browse), "Browse: datasets, samples, preview"),
        Binding([.character("2")], .show(.balance), "Balance: class counts, real and synthetic"),
        Binding([.character("3")], .show(.coverage), "Coverage: class × condition gaps"),
        Binding([.character("4")], .show(.jobs), "Jobs: generation in the background"),
        Binding([.character("5")], .show(.train), "Train: GAN runs, losses, samples"),
        Binding([.character("6")], .show(.health), "Health: blurry, duplicate, mislabelled images"),
        Binding([.tab], .nextScreen, "next screen"),
        Binding([.backTab], .previousScreen, "previous screen"),
        Binding([.character("j"), .down, .wheelDown], .down, "down"),
        Binding([.character("k"), .up, .wheelUp], .up, "up"),
        Binding([.character("h"), .left], .left, "left"),
        Binding([.character("l"), .right], .right, "right"),
        Binding([.pageDown, .control("d")], .pageDown, "page down"),
        Binding([.pageUp, .control("u")], .pageUp, "page up"),
        Binding([.character("g"), .home], .top, "first"),
        Binding([.character("G"), .end], .bottom, "last"),
        Binding([.control("l")], .refresh, "redraw and re-read the catalog"),
        Binding(
            [.character("/")], .filter,
            "filter samples: a class, weather=snow, origin=synthetic, or a health flag: dup, blurry, label=box-outside",
            on: [.browse]),
        Binding([.character("n")], .nextMatch, "next sample of the filter's class", on: [.browse]),
        Binding([.character("N")], .previousMatch, "previous sample of the filter's class", on: [.browse]),
        Binding([.enter], .focusNext, "datasets → samples", on: [.browse]),
        Binding([.character("v")], .toggleGrid, "thumbnail grid on/off", on: [.browse]),
        Binding([.character("m")], .toggleMasks, "instance masks over the preview on/off (masks/ beside images/)", on: [.browse]),
        Binding([.character("d")], .toggleDepth, "the depth map instead of the image on/off (depth/ beside images/)", on: [.browse]),
        Binding([.character("+"), .character("=")], .zoomIn, "zoom into the preview (2× more, up to 16×)", on: [.browse]),
        Binding([.character("-")], .zoomOut, "zoom out (Esc: the whole image)", on: [.browse]),
        Binding([.character("z")], .zoomObject(step: 1), "zoom onto the next labelled object (left to right)", on: [.browse]),
        Binding([.character("Z")], .zoomObject(step: -1), "zoom onto the previous labelled object", on: [.browse]),
        Binding([.character("H")], .pan(dx: -1, dy: 0), "zoomed: look left", on: [.browse]),
        Binding([.character("J")], .pan(dx: 0, dy: 1), "zoomed: look down", on: [.browse]),
        Binding([.character("K")], .pan(dx: 0, dy: -1), "zoomed: look up", on: [.browse]),
        Binding([.character("L")], .pan(dx: 1, dy: 0), "zoomed: look right", on: [.browse]),
        Binding([.character("t")], .cycleGraphics, "preview: pixels (kitty, iTerm2 or sixel) → blocks → ASCII", on: [.browse, .train]),
        Binding(
            [.character("a")], .nextHistogram, "per-class histograms: object size, weather, light, … in turn, then none", on: [.balance]),
        Binding([.enter], .open, "open the cell's samples in Browse", on: [.coverage]),
        Binding([.character("f")], .fill, "fill the gap: a prefilled generation job", on: [.coverage]),
        Binding([.character("v")], .nextView, "next coverage view; :axes ROWS [COLS] makes one", on: [.coverage]),
        Binding([.character("a")], .toggleAP, "cells by the last detection evaluation's AP50 / by counts", on: [.coverage]),
        Binding([.character("c")], .cancelJob, "cancel the job", on: [.jobs]),
        Binding([.character("r")], .resumeJob, "resume the job", on: [.jobs]),
        Binding([.character("L"), .enter], .openLog, "show the job's log", on: [.jobs]),
        Binding([.character("r")], .runHealth, "run the health checks again (only changed images are decoded)", on: [.health]),
        Binding([.enter], .open, "open the kind's flagged images in Browse", on: [.health]),
        Binding([.character("s")], .trainMore, "train the run 1,000 steps more (a gan-train job)", on: [.train]),
    ]

    /// The action of `key` on `screen`: a screen's own binding first, then the global one.
    public static func action(for key: Key, on screen: Screen) -> Action? {
        if let own = bindings.first(where: { $0.screens.contains(screen) && $0.keys.contains(key) }) { return own.action }
        return bindings.first { $0.screens.isEmpty && $0.keys.contains(key) }?.action
    }

    /// The help overlay's lines for `screen`: its own keys, then the global ones.
    public static func helpLines(for screen: Screen) -> [(keys: String, help: String)] {
        let own = bindings.filter { $0.screens.contains(screen) }
        let global = bindings.filter(\.screens.isEmpty)
        return (own + global).map { binding in
            (binding.keys.filter { !["wheel↑", "wheel↓"].contains($0.label) }.map(\.label).joined(separator: " "), binding.help)
        }
    }
}
