/// The shipped themes, built into the binary so `--theme light` works wherever the binary is
/// (a copy in ~/bin has no `themes/` beside it). A file of the same name in a themes folder
/// overrides one (`Theme.load`); a test keeps these texts equal to the files in `themes/`.
extension Theme {
    public static let builtInTexts: [String: String] = [
        "dark": #"""
        # SynthStudio's default theme: light text on a dark terminal.
        # Colours are "#rrggbb"; terminals without truecolor get the nearest of their 256 or 16 colours.
        name: dark
        description: Light text on a dark background (the default)
        colors:
          text: "#d0d0d0"
          muted: "#7a7a7a"
          heading: "#ffffff"
          accent: "#5fafff"
          real: "#5fafff"
          synthetic: "#ffaf5f"
          good: "#5fd787"
          warning: "#ffd75f"
          error: "#ff5f5f"
          bar: "#5fafff"
          gap: "#ff5f5f"
        """#,
        "light": #"""
        # Dark text for terminals with a light background.
        name: light
        description: Dark text on a light background
        colors:
          text: "#303030"
          muted: "#767676"
          heading: "#000000"
          accent: "#005fd7"
          real: "#005fd7"
          synthetic: "#af5f00"
          good: "#008700"
          warning: "#875f00"
          error: "#d70000"
          bar: "#005fd7"
          gap: "#d70000"
        """#,
        "high-contrast": #"""
        # High contrast and safe for colour-blind readers: the Okabe–Ito palette (blue/orange/vermillion
        # are told apart with every common colour-vision deficiency) on white text. SynthStudio never
        # relies on colour alone: every state also has a symbol or a number.
        name: high-contrast
        description: High contrast, colour-blind safe (Okabe–Ito palette)
        colors:
          text: "#ffffff"
          muted: "#bbbbbb"
          heading: "#ffffff"
          accent: "#56b4e9"
          real: "#56b4e9"
          synthetic: "#e69f00"
          good: "#009e73"
          warning: "#f0e442"
          error: "#d55e00"
          bar: "#56b4e9"
          gap: "#d55e00"
        """#,
    ]
}
