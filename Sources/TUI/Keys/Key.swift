/// A key press or terminal event, independent of ncurses' codes.
public enum Key: Hashable, Sendable {
    case character(Character)
    /// Ctrl + a letter (`control("c")` is Ctrl-C).
    case control(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace
    case resize
    /// A click at a cell, or the wheel.
    case click(x: Int, y: Int)
    case wheelUp, wheelDown

    /// How the help overlay names the key.
    public var label: String {
        switch self {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .control(let c): "Ctrl-\(c.uppercased())"
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .enter: "Enter"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "S-Tab"
        case .backspace: "Bksp"
        case .resize: "resize"
        case .click: "click"
        case .wheelUp: "wheel↑"
        case .wheelDown: "wheel↓"
        }
    }
}
