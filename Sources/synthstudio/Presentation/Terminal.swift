import Foundation
import StudioCore
import TUI
import TerminalGraphics

/// Colour for CLI output: `Capabilities.colors` (NO_COLOR, COLORTERM, TERM), and none when
/// standard output is not a terminal.
func outputColors(environment: [String: String] = ProcessInfo.processInfo.environment, isTerminal: Bool) -> ColorMode {
    isTerminal ? Capabilities.colors(environment: environment) : .none
}

/// Text styled by theme role for the chosen colour depth.
struct Styler: Sendable {
    let theme: Theme
    let depth: ColorMode
    /// Whether block characters can be drawn (a UTF-8 locale); else ASCII.
    let unicode: Bool

    func paint(_ text: String, _ role: Theme.Role, bold: Bool = false) -> String {
        guard depth != .none, let rgb = theme.colors[role] else { return text }
        var codes: [String] = bold ? ["1"] : []
        codes.append(ANSIColors.sgr(r: Int(rgb.r), g: Int(rgb.g), b: Int(rgb.b), mode: depth, background: false))
        return "\u{1B}[\(codes.joined(separator: ";"))m\(text)\u{1B}[0m"
    }

    /// A horizontal bar `fraction` (0…1) of `width` cells, in eighths of a cell when Unicode is available.
    func bar(_ fraction: Double, width: Int, role: Theme.Role = .bar) -> String {
        let f = max(0, min(1, fraction.isFinite ? fraction : 0))
        guard unicode else {
            let n = Int((f * Double(width)).rounded())
            return paint(String(repeating: "#", count: n), role) + String(repeating: " ", count: width - n)
        }
        let eighths = Int((f * Double(width) * 8).rounded())
        let full = eighths / 8, rest = eighths % 8
        var s = String(repeating: "█", count: full)
        if rest > 0 { s += ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][rest] }
        let used = full + (rest > 0 ? 1 : 0)
        return paint(s, role) + String(repeating: " ", count: max(0, width - used))
    }

    /// Whether the locale's character set is UTF-8.
    static func localeIsUTF8(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        let value =
            environment["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["LC_CTYPE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["LANG"] ?? ""
        let lower = value.lowercased()
        // An unset locale is "C"; modern terminals are UTF-8 nonetheless, and we only lose
        // prettiness, not information, if they are not.
        return value.isEmpty || lower.contains("utf-8") || lower.contains("utf8") || lower == "c.utf-8"
    }
}

/// Pads to a display width, counting each Unicode scalar of a terminal-safe string as one cell
/// (dataset names are escaped before they get here).
func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let n = text.unicodeScalars.count
    guard n < width else { return text }
    let space = String(repeating: " ", count: width - n)
    return right ? space + text : text + space
}

/// `1234567` → `1,234,567`.
func grouped(_ n: Int) -> String {
    let digits = String(abs(n))
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(ch)
    }
    return (n < 0 ? "-" : "") + out
}
