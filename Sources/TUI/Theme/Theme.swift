public import Datasets
internal import Foundation
internal import StudioCore

/// Colours by role, read from `themes/<name>.yaml`.
///
/// Owned by the TUI module; the CLI's coloured output uses the same themes.
public struct Theme: Sendable, Hashable {
    /// The roles every theme defines.
    public enum Role: String, CaseIterable, Sendable {
        case text, muted, heading, accent, real, synthetic, good, warning, error, bar, gap
    }

    public var name: String
    public var colors: [Role: RGB]

    public struct RGB: Sendable, Hashable {
        public var r: UInt8, g: UInt8, b: UInt8

        /// `#rrggbb`.
        public init?(hex: String) {
            guard hex.count == 7, hex.hasPrefix("#"), let v = UInt32(hex.dropFirst(), radix: 16) else { return nil }
            r = UInt8(v >> 16)
            g = UInt8(v >> 8 & 0xFF)
            b = UInt8(v & 0xFF)
        }
    }

    public static let builtInNames = ["dark", "light", "high-contrast"]

    /// Parses a theme file; unknown roles, missing roles and bad colours are errors naming the line.
    public static func parse(_ text: String, file: String) throws(DatasetsError) -> Theme {
        let yaml = try YAMLFields.parse(text, file: file)
        let top = try yaml.dictionary(allowed: ["name", "description", "colors"])
        guard let colorsField = top["colors"] else { throw yaml.error("missing \"colors\"") }
        var colors: [Role: RGB] = [:]
        for (key, value) in try colorsField.mapping(allowed: Set(Role.allCases.map(\.rawValue))) {
            let text = try value.string()
            guard let rgb = RGB(hex: text) else {
                throw value.error("expected a colour as \"#rrggbb\", found \"\(text)\"", code: .invalidValue)
            }
            colors[Role(rawValue: key)!] = rgb
        }
        let missing = Role.allCases.filter { colors[$0] == nil }.map(\.rawValue)
        guard missing.isEmpty else { throw colorsField.error("missing colour(s): \(missing.joined(separator: ", "))") }
        return Theme(name: try top["name"]?.string() ?? FileIO_stem(file), colors: colors)
    }

    /// Finds a theme by name or path: a path to a `.yaml` file, else `<name>.yaml` in the first
    /// themes folder that has it (`$SYNTHSTUDIO_THEMES`, `<prefix>/share/synthstudio/themes`, the
    /// source checkout's `themes/`), else the built-in theme of that name.
    public static func load(_ nameOrPath: String) throws(DatasetsError) -> Theme {
        let file: String
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") {
            file = nameOrPath
        } else if let found = searchFolders().map({ "\($0)/\(nameOrPath).yaml" }).first(where: {
            FileManager.default.fileExists(atPath: $0)
        }) {
            file = found
        } else if let text = builtInTexts[nameOrPath] {
            return try parse(text, file: "\(nameOrPath).yaml (built in)")
        } else {
            throw DatasetsError(
                .unreadable, path: "\(nameOrPath.terminalSafe).yaml",
                "no such theme in \(searchFolders().joined(separator: ", ")) (built in: \(builtInNames.joined(separator: ", ")))")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DatasetsError(.unreadable, path: file, "cannot read the theme")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: file)
    }

    public static func searchFolders() -> [String] {
        var folders: [String] = []
        if let env = ProcessInfo.processInfo.environment["SYNTHSTUDIO_THEMES"], !env.isEmpty { folders.append(env) }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        folders.append(executable.appendingPathComponent("../share/synthstudio/themes").standardized.path)
        // .build/<triple>/<config>/synthstudio or .build/<config>/synthstudio inside a checkout.
        for up in ["../../themes", "../../../themes"] {
            folders.append(executable.appendingPathComponent(up).standardized.path)
        }
        return folders
    }

    /// The default when no theme file can be found: the same colours as themes/dark.yaml
    /// (a test keeps the two equal).
    public static let fallback = Theme(
        name: "dark",
        colors: [
            .text: RGB(hex: "#d0d0d0")!, .muted: RGB(hex: "#7a7a7a")!, .heading: RGB(hex: "#ffffff")!, .accent: RGB(hex: "#5fafff")!,
            .real: RGB(hex: "#5fafff")!, .synthetic: RGB(hex: "#ffaf5f")!, .good: RGB(hex: "#5fd787")!, .warning: RGB(hex: "#ffd75f")!,
            .error: RGB(hex: "#ff5f5f")!, .bar: RGB(hex: "#5fafff")!, .gap: RGB(hex: "#ff5f5f")!,
        ])
}

private func FileIO_stem(_ path: String) -> String {
    URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
}
