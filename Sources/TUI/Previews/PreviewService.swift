internal import Foundation
internal import ImageIO
internal import StudioCore
public import TerminalGraphics

/// Decodes and encodes previews off the UI thread. The UI asks for what is on screen now
/// (`want`); requests no longer wanted are dropped before they start, finished ones are kept in
/// a small cache, and `take()` hands the UI what finished since it last looked.
public final class PreviewService: @unchecked Sendable {
    /// One preview: the image file, the box it must fit in (cells), and how to draw it.
    public struct Request: Hashable, Sendable {
        public var path: String
        public var columns: Int
        public var rows: Int
        public var mode: Mode
        public var boxes: [OverlayBox]
        /// What is drawn: the image, its instance masks over it, or its depth.
        public var layer: Layer = .image
        /// The part of the image shown, in fractions of its size (a zoom); nil for all of it.
        var region: BoundingBox?

        public enum Layer: Hashable, Sendable {
            case image
            /// A 16-bit instance mask (0 = none), each instance tinted over the image.
            case masks(String)
            /// A 16-bit depth map in millimetres (65535 = nothing hit), near bright, far dark.
            case depth(String)
        }

        public enum Mode: Hashable, Sendable {
            case blocks, ascii, sixel, kitty, iterm
        }

        public init(path: String, columns: Int, rows: Int, mode: Mode, boxes: [OverlayBox] = []) {
            self.path = path
            self.columns = columns
            self.rows = rows
            self.mode = mode
            self.boxes = boxes
        }
    }

    public enum Result: Sendable {
        case cells(CellGrid)
        /// A picture's bytes in the request's pixel protocol and the size they cover, in cells;
        /// kitty pictures carry the image id they are sent under (to delete them by it).
        case pixels([UInt8], columns: Int, rows: Int, id: Int?)
        case failed(String)
    }

    /// kitty image ids: a range of its own per process (other programs' pictures in the same
    /// terminal are never replaced or deleted by ours), a new id per picture made.
    private let kittyBase = 1 + Int(getpid() % 2000) * 1_000_000
    private var kittyCount = 0

    func nextKittyID() -> Int {
        lock.lock()
        defer { lock.unlock() }
        kittyCount = (kittyCount + 1) % 1_000_000
        return kittyBase + kittyCount
    }

    private let lock = NSLock()
    private var wanted: [Request] = []
    private var cache: [Request: Result] = [:]
    private var order: [Request] = []
    private var fresh = false
    private var busy = false
    private let queue = DispatchQueue(label: "synthstudio.previews", qos: .userInitiated)
    private let colors: ColorMode
    private let cell: CellSize
    private let capacity: Int

    public init(colors: ColorMode, cell: CellSize = .fallback, capacity: Int = 200) {
        self.colors = colors
        self.cell = cell
        self.capacity = capacity
    }

    /// The cached result of `request`, if done.
    public func result(_ request: Request) -> Result? {
        lock.lock()
        defer { lock.unlock() }
        return cache[request]
    }

    /// Replaces what is wanted (in priority order) and starts working on it.
    public func want(_ requests: [Request]) {
        lock.lock()
        wanted = requests.filter { cache[$0] == nil }
        let start = !busy && !wanted.isEmpty
        if start { busy = true }
        lock.unlock()
        if start { queue.async { self.work() } }
    }

    /// Whether anything finished since the last call.
    public func take() -> Bool {
        lock.lock()
        defer {
            fresh = false
            lock.unlock()
        }
        return fresh
    }

    private func work() {
        while true {
            lock.lock()
            guard !wanted.isEmpty else {
                busy = false
                lock.unlock()
                return
            }
            let request = wanted.removeFirst()
            lock.unlock()
            let result = render(request)
            lock.lock()
            cache[request] = result
            order.append(request)
            if order.count > capacity { cache[order.removeFirst()] = nil }
            fresh = true
            lock.unlock()
        }
    }

    /// The picture of `layer` over (or instead of) `image`, at the image's size.
    static func layered(_ image: Image, _ layer: Request.Layer) throws(ImageIOError) -> Image {
        let path: String
        switch layer {
        case .image: return image
        case .masks(let p), .depth(let p): path = p
        }
        // Read whole: reducing while decoding would average instance ids into ids that are none.
        let map = try ImageFile.read(path)
        guard map.width > 0, map.height > 0, case .sixteen(let values) = map.pixels, map.layout.channels == 1 else {
            throw ImageIOError(.unsupported, path: path, "not a 16-bit one-channel map")
        }
        var rgb = image.rgb8()
        let (w, h) = (image.width, image.height)
        func value(_ x: Int, _ y: Int) -> UInt16 {
            values[min(map.height - 1, y * map.height / h) * map.width + min(map.width - 1, x * map.width / w)]
        }
        if case .masks = layer {
            let palette = OverlayBox.palette
            for y in 0..<h {
                for x in 0..<w {
                    let id = Int(value(x, y))
                    guard id > 0 else { continue }
                    let c = palette[id % palette.count]
                    for k in 0..<3 { rgb[(y * w + x) * 3 + k] = UInt8((Float(rgb[(y * w + x) * 3 + k]) * 0.45 + c[k] * 0.55).rounded()) }
                }
            }
        } else {
            // Near bright, far dark, on a log scale between the 2nd and 98th percentile of what was hit.
            let hit = values.filter { $0 > 0 && $0 < 65535 }.map { log(Float($0)) }.sorted()
            let (near, far) =
                hit.isEmpty ? (Float(0), Float(1)) : (hit[hit.count / 50], max(hit[hit.count * 49 / 50], hit[hit.count / 50] + 1e-3))
            for y in 0..<h {
                for x in 0..<w {
                    let v = value(x, y)
                    // Hit pixels from 0.15 (far) to 1 (near): the farthest thing hit is not the sky's black.
                    let t = v == 0 || v == 65535 ? 0 : 0.15 + 0.85 * (1 - min(1, max(0, (log(Float(v)) - near) / (far - near))))
                    // A warm ramp: black → red → yellow → white.
                    let (r, g, b) = (min(1, t * 3), min(1, max(0, t * 3 - 1)), min(1, max(0, t * 3 - 2)))
                    (rgb[(y * w + x) * 3], rgb[(y * w + x) * 3 + 1], rgb[(y * w + x) * 3 + 2]) = (
                        UInt8(r * 255), UInt8(g * 255), UInt8(b * 255)
                    )
                }
            }
        }
        return Image(width: w, height: h, layout: .rgb, pixels: .eight(rgb))
    }

    func render(_ request: Request) -> Result {
        let options: PreviewOptions
        switch request.mode {
        case .sixel, .kitty, .iterm:
            options = PreviewOptions(
                mode: .sixel, colors: colors, width: .columns(request.columns), maxRows: request.rows, cell: cell, boxes: request.boxes)
        case .blocks, .ascii:
            options = PreviewOptions(
                // Cells carry 24-bit colours (ncurses maps them); in 8 or 16 colours the encoder
                // dithers into that palette first.
                mode: request.mode == .blocks ? .blocks(.half) : .ascii,
                colors: colors == .palette8 || colors == .palette16 || colors == .none ? colors : .truecolor,
                width: .columns(request.columns), maxRows: request.rows, cell: cell, boxes: request.boxes)
        }
        var image: Image
        var scaled = options
        do {
            // Decoded reduced to what the pane shows (memory bounded by the pane, not the image;
            // a zoom's region is what the pane shows, so at most `PreviewZoom.maximum` times more).
            let info = try ImageFile.probe(request.path)
            let region = request.region ?? BoundingBox(x: 0, y: 0, width: 1, height: 1)
            let shown = Preview.sampledSize(
                width: max(1, Int(Double(info.width) * region.width)), height: max(1, Int(Double(info.height) * region.height)),
                options: options)
            let needed = (
                width: min(info.width, Int((Double(shown.width) / region.width).rounded(.up))),
                height: min(info.height, Int((Double(shown.height) / region.height).rounded(.up)))
            )
            image = try Self.layered(
                try ImageFile.readForDisplay(request.path, minWidth: needed.width, minHeight: needed.height), request.layer)
            let (sx, sy) = (Double(image.width) / Double(info.width), Double(image.height) / Double(info.height))
            scaled.boxes = options.boxes.map { $0.scaled(x: sx, y: sy) }
            if request.region != nil {
                let cut = BoundingBox(
                    x: (region.x * Double(image.width)).rounded(.down), y: (region.y * Double(image.height)).rounded(.down),
                    width: region.width * Double(image.width), height: region.height * Double(image.height))
                image = image.cropped(to: cut)
                // Boxes move with the cut; those wholly outside it are left out.
                scaled.boxes = scaled.boxes.compactMap { overlay in
                    let b = overlay.box
                    guard b.maxX > cut.x, b.maxY > cut.y, b.x < cut.x + Double(image.width), b.y < cut.y + Double(image.height) else {
                        return nil
                    }
                    return OverlayBox(
                        box: BoundingBox(x: b.x - cut.x, y: b.y - cut.y, width: b.width, height: b.height), label: overlay.label)
                }
            }
        } catch {
            return .failed(error.message)
        }
        switch request.mode {
        case .sixel, .kitty, .iterm:
            let options = scaled
            guard let canvas = Preview.sixelCanvas(image, options: options) else { return .failed("empty image") }
            let (columns, rows) = canvas.cells(cell)
            let bytes: [UInt8]
            var id: Int?
            if request.mode == .sixel {
                bytes = SixelEncoder(dithering: .floydSteinberg, background: (0, 0, 0)).encode(canvas)
            } else {
                // kitty and iTerm2 take a PNG file: lossless, and smaller than raw samples.
                if request.mode == .kitty { id = nextKittyID() }
                let flat = Image(width: canvas.width, height: canvas.height, layout: .rgb, pixels: .eight(canvas.rgb8()))
                guard let png = try? ImageFile.encode(flat, as: .png) else { return .failed("cannot encode the picture") }
                bytes =
                    request.mode == .kitty
                    // kitty at the picture's own pixels: the canvas is already sized for the cells,
                    // and naming both c and r would stretch it to their rounded-up area.
                    ? KittyGraphics.display(png: png, id: id)
                    : ITermGraphics.display(png: png, columns: columns, rows: rows)
            }
            return .pixels(bytes, columns: columns, rows: rows, id: id)
        case .blocks, .ascii:
            let options = scaled
            guard let grid = Preview.cells(image, options: options) else { return .failed("empty image") }
            return .cells(grid)
        }
    }
}
