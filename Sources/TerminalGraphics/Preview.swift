public import StudioCore

/// How a preview is drawn.
public enum GraphicsMode: Sendable, Hashable {
    /// kitty's graphics protocol (kitty, Ghostty, WezTerm, Konsole): PNG sent in APC chunks.
    case kitty
    /// iTerm2's inline images (iTerm2, WezTerm, VS Code, Tabby): PNG in one OSC 1337.
    case iterm
    case sixel
    case blocks(BlockSymbols)
    case ascii

    /// Whether the terminal draws pixels (an image placed over cells), not characters.
    public var isPixels: Bool {
        switch self {
        case .kitty, .iterm, .sixel: true
        case .blocks, .ascii: false
        }
    }

    /// `kitty`, `iterm`, `sixel`, `blocks` (all block elements), `half`, `sextant` or `ascii`.
    public init?(name: String) {
        switch name {
        case "kitty": self = .kitty
        case "iterm", "iterm2": self = .iterm
        case "sixel": self = .sixel
        case "blocks", "block": self = .blocks(.block)
        case "half": self = .blocks(.half)
        case "sextant": self = .blocks(.sextant)
        case "ascii": self = .ascii
        default: return nil
        }
    }
}

/// The size of one terminal cell in pixels.
public struct CellSize: Sendable, Hashable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = max(1, width)
        self.height = max(1, height)
    }

    /// What most terminals use when they will not say: 10 × 20.
    public static let fallback = CellSize(width: 10, height: 20)
}

/// Everything that decides what a preview looks like.
public struct PreviewOptions: Sendable {
    public var mode: GraphicsMode
    public var colors: ColorMode
    /// Output width: in pixels for sixel (cells × cell width otherwise), in columns for text modes.
    public var width: Width
    /// The largest height in cell rows (the screen, or a pane); `nil` for no limit.
    public var maxRows: Int?
    public var cell: CellSize
    public var dithering: Dithering
    public var boxes: [OverlayBox]
    /// The terminal's background, for blending partly transparent pixels.
    public var background: (Float, Float, Float)

    public enum Width: Sendable, Hashable {
        case pixels(Int)
        case columns(Int)
    }

    public init(
        mode: GraphicsMode, colors: ColorMode = .truecolor, width: Width = .columns(80), maxRows: Int? = nil,
        cell: CellSize = .fallback, dithering: Dithering = .floydSteinberg, boxes: [OverlayBox] = [],
        background: (Float, Float, Float) = (0, 0, 0)
    ) {
        self.mode = mode
        self.colors = colors
        self.width = width
        self.maxRows = maxRows
        self.cell = cell
        self.dithering = dithering
        self.boxes = boxes
        self.background = background
    }
}

/// The pipeline: image → canvas → resample (aspect-correct for the cell size) → overlays → encoder.
public enum Preview {
    /// Bytes to write to the terminal (sixel DCS, or text with SGR colours). The kitty and iTerm2
    /// protocols carry PNG files: `png` encodes the canvas (ImageIO's, given by the caller).
    public static func render(_ image: Image, options: PreviewOptions, png: (Canvas) -> [UInt8]? = { _ in nil }) -> [UInt8] {
        switch options.mode {
        case .kitty, .iterm:
            guard let canvas = sixelCanvas(image, options: options), let file = png(canvas) else { return [] }
            let (columns, rows) = canvas.cells(options.cell)
            return options.mode == .kitty
                ? KittyGraphics.display(png: file, holdCursor: false)
                : ITermGraphics.display(png: file, columns: columns, rows: rows)
        case .sixel:
            guard let canvas = sixelCanvas(image, options: options) else { return [] }
            return SixelEncoder(dithering: options.dithering, background: options.background).encode(canvas)
        case .blocks, .ascii:
            guard let grid = cells(image, options: options) else { return [] }
            return grid.ansiBytes(colors: options.colors)
        }
    }

    /// The pixels a preview of a `width`×`height` image is drawn from (the canvas the encoder
    /// samples): an image decoded at least this large (`ImageFile.readForDisplay`) gives the same
    /// preview as the full image, for the memory of the preview.
    public static func sampledSize(width: Int, height: Int, options: PreviewOptions) -> (width: Int, height: Int) {
        guard width > 0, height > 0 else { return (0, 0) }
        switch options.mode {
        case .sixel, .kitty, .iterm: return sixelSize(width: width, height: height, options: options)
        case .blocks, .ascii:
            let grid = gridSize(width: width, height: height, options: options)
            return (grid.columns * grid.subpixels.x, grid.rows * grid.subpixels.y)
        }
    }

    private static func sixelSize(width imageWidth: Int, height imageHeight: Int, options: PreviewOptions) -> (width: Int, height: Int) {
        let requested: Int
        switch options.width {
        case .pixels(let n): requested = n
        case .columns(let n): requested = n * options.cell.width
        }
        var width = max(1, requested)
        var height = max(1, Int((Double(imageHeight) * Double(width) / Double(imageWidth)).rounded()))
        if let rows = options.maxRows, height > rows * options.cell.height {
            height = max(1, rows * options.cell.height)
            width = max(1, Int((Double(imageWidth) * Double(height) / Double(imageHeight)).rounded()))
        }
        return (width, height)
    }

    private static func gridSize(width imageWidth: Int, height imageHeight: Int, options: PreviewOptions) -> (
        columns: Int, rows: Int, subpixels: (x: Int, y: Int)
    ) {
        let (sx, sy): (Int, Int)
        switch options.mode {
        case .blocks(let symbols): (sx, sy) = symbols.subpixels
        case .ascii, .sixel, .kitty, .iterm: (sx, sy) = (1, 1)
        }
        var columns: Int
        switch options.width {
        case .columns(let n): columns = max(1, n)
        case .pixels(let n): columns = max(1, n / options.cell.width)
        }
        // Rows so that the picture keeps its aspect on cells of the given size.
        let aspect = Double(imageHeight) / Double(imageWidth) * Double(options.cell.width) / Double(options.cell.height)
        var rows = max(1, Int((Double(columns) * aspect).rounded()))
        if let maxRows = options.maxRows, rows > maxRows {
            rows = max(1, maxRows)
            columns = max(1, Int((Double(rows) / aspect).rounded()))
        }
        return (columns, rows, (sx, sy))
    }

    /// The resized canvas, boxes and labels drawn, that the pixel encoders (sixel, kitty, iTerm2) receive.
    public static func sixelCanvas(_ image: Image, options: PreviewOptions) -> Canvas? {
        guard image.width > 0, image.height > 0 else { return nil }
        let (width, height) = sixelSize(width: image.width, height: image.height, options: options)
        return Canvas(image).resized(width: width, height: height)
            .drawing(options.boxes, sourceWidth: image.width, sourceHeight: image.height, labels: true)
    }

    /// The cell grid of a text-mode preview, with box outlines drawn in and labels written as text.
    public static func cells(_ image: Image, options: PreviewOptions) -> CellGrid? {
        guard image.width > 0, image.height > 0 else { return nil }
        let (columns, rows, (sx, sy)) = gridSize(width: image.width, height: image.height, options: options)
        var canvas = Canvas(image)
        if !canvas.isOpaque { canvas = canvas.flattened(over: options.background) }
        canvas = canvas.resized(width: columns * sx, height: rows * sy)
            .drawing(options.boxes, sourceWidth: image.width, sourceHeight: image.height, labels: false)
        // In 8 or 16 colours, mapped into the palette first, so each cell's two colours are the
        // palette's: dithered in 16 (its four greys carry gradients), nearest in 8, where error
        // diffusion between six saturated colours turns every grey road into confetti (seen in
        // xterm with TERM=xterm: posterized shapes read, diffused ones do not).
        if let palette = ANSIColors.floats(options.colors) {
            let method = options.colors == .palette8 ? .none : options.dithering
            let indices = Ditherer(palette: palette).indices(canvas, method: method)
            for (p, index) in indices.enumerated() where index != Ditherer.transparent {
                let c = palette[Int(index)]
                (canvas.rgb[p * 3], canvas.rgb[p * 3 + 1], canvas.rgb[p * 3 + 2]) = (c.x, c.y, c.z)
            }
        }
        var grid: CellGrid
        switch options.mode {
        case .blocks(let symbols): grid = BlockEncoder(symbols: symbols, colors: options.colors).encode(canvas)
        case .ascii, .sixel, .kitty, .iterm: grid = ASCIIEncoder(colors: options.colors).encode(canvas)
        }
        // Labels as real characters by each box (above it when there is room), placed as the
        // pixel previews place theirs: no two on the same cells, the largest boxes first.
        let colors = OverlayBox.colors(for: options.boxes)
        let drawn = options.boxes.filter(\.box.isWellFormed)
        func cell(_ v: Double, _ size: Int, _ cells: Int) -> Int { Int(min(max(v / Double(size), 0), 1) * Double(cells)) }
        let texts = drawn.map { options.colors == .none ? "[\($0.printableLabel)]" : $0.printableLabel }
        // In cell units a label is one row high: the spots' height unit is FixedFont's, so scale rows.
        let rowUnit = FixedFont.height + 1
        let spots = Canvas.labelSpots(
            drawn.enumerated().map { i, overlay in
                (
                    cell(overlay.box.x, image.width, grid.columns), cell(overlay.box.y, image.height, grid.rows) * rowUnit,
                    cell(overlay.box.maxX, image.width, grid.columns) - 1, (cell(overlay.box.maxY, image.height, grid.rows) - 1) * rowUnit,
                    texts[i].unicodeScalars.count + 1  // a free cell after each label: they do not run together
                )
            }, width: grid.columns, height: grid.rows * rowUnit)
        for (i, spot) in spots {
            let color = colors[drawn[i].label] ?? drawn[i].color
            let ink: SIMD3<UInt8> = (color * SIMD3(0.299, 0.587, 0.114)).sum() > 140 ? SIMD3(0, 0, 0) : SIMD3(255, 255, 255)
            let row = spot.y / rowUnit
            if options.colors == .none {
                grid.write(texts[i], column: spot.x, row: row, foreground: nil, background: nil)
            } else {
                grid.write(texts[i], column: spot.x, row: row, foreground: ink, background: SIMD3<UInt8>(color))
            }
        }
        return grid
    }
}
