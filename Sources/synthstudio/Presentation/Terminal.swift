import Foundation
import StudioCore

/// How many colours the output can use.
enum ColorDepth: String, Sendable, CaseIterable {
    case none, ansi16 = "16", ansi256 = "256", truecolor = "true"

    /// `NO_COLOR` (any value) and a non-terminal stdout turn colour off; `COLORTERM` says truecolor;
    /// `TERM` with `256color` gives 256; any other terminal gets 16.
    static func detect(environment: [String: String] = ProcessInfo.processInfo.environment, isTerminal: Bool) -> ColorDepth {
        if environment["NO_COLOR"].map({ !$0.isEmpty }) == true { return .none }
        guard isTerminal else { return .none }
        let term = environment["TERM"] ?? ""
        if term.isEmpty || term == "dumb" { return .none }
        if let colorterm = environment["COLORTERM"], colorterm == "truecolor" || colorterm == "24bit" { return .truecolor }
        if term.contains("256color") || term.contains("direct") { return .ansi256 }
        return .ansi16
    }
}

/// Text styled by theme role for the chosen colour depth.
struct Styler: Sendable {
    let theme: Theme
    let depth: ColorDepth
    /// Whether block characters can be drawn (a UTF-8 locale); else ASCII.
    let unicode: Bool

    func paint(_ text: String, _ role: Theme.Role, bold: Bool = false) -> String {
        guard depth != .none, let rgb = theme.colors[role] else { return text }
        var codes: [String] = bold ? ["1"] : []
        switch depth {
        case .truecolor: codes.append("38;2;\(rgb.r);\(rgb.g);\(rgb.b)")
        case .ansi256: codes.append("38;5;\(Self.nearest256(rgb))")
        case .ansi16: codes.append(Self.nearest16(rgb))
        case .none: break
        }
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

    static func nearest256(_ c: Theme.RGB) -> Int {
        func level(_ v: UInt8) -> Int { v < 48 ? 0 : v < 115 ? 1 : (Int(v) - 35) / 40 }
        let (r, g, b) = (level(c.r), level(c.g), level(c.b))
        let steps = [0, 95, 135, 175, 215, 255]
        let cube = 16 + 36 * r + 6 * g + b
        let cubeError = sq(steps[r] - Int(c.r)) + sq(steps[g] - Int(c.g)) + sq(steps[b] - Int(c.b))
        let gray = (Int(c.r) + Int(c.g) + Int(c.b)) / 3
        let grayIndex = max(0, min(23, (gray - 8 + 5) / 10))
        let grayValue = 8 + grayIndex * 10
        let grayError = sq(grayValue - Int(c.r)) + sq(grayValue - Int(c.g)) + sq(grayValue - Int(c.b))
        return grayError < cubeError ? 232 + grayIndex : cube
    }

    static func nearest16(_ c: Theme.RGB) -> String {
        let palette: [(Int, Int, Int)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
            (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
        ]
        let best = palette.indices.min { a, b in
            let pa = palette[a], pb = palette[b]
            return sq(pa.0 - Int(c.r)) + sq(pa.1 - Int(c.g)) + sq(pa.2 - Int(c.b)) < sq(pb.0 - Int(c.r)) + sq(pb.1 - Int(c.g))
                + sq(pb.2 - Int(c.b))
        }!
        return best < 8 ? "\(30 + best)" : "\(90 + best - 8)"
    }
}

private func sq(_ v: Int) -> Int { v * v }

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
