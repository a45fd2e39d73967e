extension String {
    /// The string with every control character shown escaped, safe to print to a terminal.
    ///
    /// Names from datasets (file names, class names) may hold escape sequences; printed raw they could
    /// move the cursor, change colours or worse. C0 controls, DEL and C1 controls become `\xNN`
    /// (`\t`, `\n`, `\r` and `\e` keep their usual spellings), and a backslash is doubled so the
    /// escaped form cannot be confused with a real one. Everything else, including non-ASCII letters,
    /// is kept.
    public var terminalSafe: String {
        guard unicodeScalars.contains(where: { $0.isTerminalControl || $0 == "\\" }) else { return self }
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if scalar == "\\" {
                out.append(contentsOf: "\\\\".unicodeScalars)
            } else if scalar.isTerminalControl {
                let escaped: String
                switch scalar {
                case "\t": escaped = "\\t"
                case "\n": escaped = "\\n"
                case "\r": escaped = "\\r"
                case "\u{1B}": escaped = "\\e"
                default:
                    let hex = String(scalar.value, radix: 16, uppercase: false)
                    escaped = scalar.value <= 0xFF ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex : "\\u{\(hex)}"
                }
                out.append(contentsOf: escaped.unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}

extension Unicode.Scalar {
    /// C0 controls, DEL, C1 controls, and the bidirectional overrides that can disguise text.
    var isTerminalControl: Bool {
        let v = value
        return v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || (0x202A...0x202E).contains(v)
            || (0x2066...0x2069).contains(v)
    }
}
