import ArgumentParser
import Datasets
import Foundation
import ImageIO
import StudioCore
import TerminalGraphics

struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Show an image in the terminal: kitty or iTerm2 graphics, sixel, Unicode blocks or ASCII.",
        discussion: """
            The mode is detected (kitty's protocol when the terminal answers its query; iTerm2's \
            inline images in iTerm2, VS Code, Tabby; sixel when DA1 has 4 — inside tmux only sixel, \
            with allow-passthrough; else blocks; ASCII without a UTF-8 locale) unless --mode says. \
            Output goes to stdout even when it is not a terminal, so it can be saved to a file.
            """
    )

    @Argument(help: "A PNG, JPEG or PNM image.")
    var image: String

    @Option(help: "auto, kitty, iterm, sixel, blocks (all block elements), half, sextant or ascii.")
    var mode: String = "auto"

    @Option(help: "Width in pixels (kitty, iTerm2, sixel) — text modes divide by the cell width.")
    var width: Int?

    @Option(help: "Width in terminal columns.")
    var cols: Int?

    @Option(help: "Colours: true, 256, 16 or none (default: detected; NO_COLOR means none).")
    var colors: ColorMode?

    @Option(help: "Dithering for sixel: fs (Floyd–Steinberg), ordered or none.")
    var dither: Dithering = .floydSteinberg

    @Option(help: "Draw the boxes and class names this dataset has for the image.")
    var boxes: String?

    func validate() throws {
        if mode != "auto" && GraphicsMode(name: mode) == nil {
            throw ValidationError("--mode must be auto, kitty, iterm, sixel, blocks, half, sextant or ascii")
        }
        if width != nil && cols != nil { throw ValidationError("give --width or --cols, not both") }
        if let width, width < 1 || width > 8192 { throw ValidationError("--width must be 1…8192 pixels") }
        if let cols, cols < 1 || cols > 2000 { throw ValidationError("--cols must be 1…2000") }
    }

    func run() throws {
        try reportingErrors {
            let info = try ImageFile.probe(image)
            let environment = ProcessInfo.processInfo.environment
            let capabilities = TerminalQuery.detect(environment: environment, forced: GraphicsMode(name: mode))
            let overlays = try boxes.map { try Self.overlays(for: image, in: $0) } ?? []
            let stdoutIsTerminal = isatty(STDOUT_FILENO) == 1
            let requested: PreviewOptions.Width
            if let width {
                requested = .pixels(width)
            } else if let cols {
                requested = .columns(cols)
            } else {
                // Fit the terminal (or 80 columns), never enlarging a small image in pixels.
                let columns = capabilities.columns ?? 80
                if capabilities.graphics.isPixels {
                    requested = .pixels(min(info.width, columns * capabilities.cell.width))
                } else {
                    requested = .columns(columns)
                }
            }
            let options = PreviewOptions(
                mode: capabilities.graphics, colors: colors ?? Capabilities.colors(environment: environment), width: requested,
                maxRows: stdoutIsTerminal && width == nil && cols == nil ? capabilities.rows.map { max(1, $0 - 2) } : nil,
                cell: capabilities.cell, dithering: dither, boxes: overlays
            )
            // Decoded reduced to what the preview samples: memory bounded by the output, so a
            // 16384² image previews in megabytes rather than gigabytes.
            let needed = Preview.sampledSize(width: info.width, height: info.height, options: options)
            let decoded = try ImageFile.readForDisplay(image, minWidth: needed.width, minHeight: needed.height)
            var scaled = options
            scaled.boxes = options.boxes.map {
                $0.scaled(x: Double(decoded.width) / Double(info.width), y: Double(decoded.height) / Double(info.height))
            }
            var bytes = Preview.render(decoded, options: scaled) { canvas in
                let flat = Image(width: canvas.width, height: canvas.height, layout: .rgb, pixels: .eight(canvas.rgb8()))
                return try? ImageFile.encode(flat, as: .png)
            }
            if capabilities.graphics.isPixels && capabilities.tmuxPassthrough { bytes = TmuxPassthrough.wrap(bytes) }
            if capabilities.graphics.isPixels { bytes += Array("\n".utf8) }
            FileHandle.standardOutput.write(Data(bytes))
        }
    }

    /// The annotations `dataset` holds for the image at `path` (matched by resolved path).
    static func overlays(for path: String, in datasetPath: String) throws -> [OverlayBox] {
        let dataset = try DatasetIO.read(datasetPath)
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardized.path
        guard
            let sample = dataset.samples.first(where: {
                URL(fileURLWithPath: dataset.imagePath(of: $0)).resolvingSymlinksInPath().standardized.path == target
            })
        else {
            throw CLIError(message: "\(path.terminalSafe) is not an image of the dataset \(datasetPath.terminalSafe)")
        }
        let names = dataset.categoriesByID
        return sample.annotations.compactMap { annotation in
            annotation.box.map { OverlayBox(box: $0, label: names[annotation.categoryID]?.name ?? "\(annotation.categoryID)") }
        }
    }
}
