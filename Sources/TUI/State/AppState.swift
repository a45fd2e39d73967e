internal import Datasets
public import Engine
internal import Foundation

/// Everything the UI remembers between key presses. Pure data: `App` changes it in response to
/// actions and data, views read it.
public struct AppState: Sendable {
    public enum Overlay: Sendable {
        case help
        case confirmQuit(running: Int)
        /// `s` on Train: train `run` on to step `steps`? (y queues the job)
        case confirmTraining(run: String, from: Int, to: Int)
        case jobForm(JobDraft)
        case log(title: String, lines: [String], scroll: Int)
        case command(String)
        case filter(String)
    }

    public enum BrowseFocus: Sendable { case datasets, samples }

    /// How previews are drawn; `t` cycles through the ones the terminal can show.
    public enum Graphics: String, Sendable, CaseIterable {
        case kitty, iterm, sixel, blocks, ascii

        /// Drawn by the terminal as pixels over cells (not as characters).
        public var isPixels: Bool { self == .kitty || self == .iterm || self == .sixel }
    }

    public var screen: Screen = .browse
    public var overlay: Overlay?
    /// The status line's message; it expires `statusLifetime` seconds after it was set, unless it
    /// says work is still going on (it ends with "…", as "indexing…" does until the index lands).
    public var status = "" { didSet { statusSetAt = Date().timeIntervalSince1970 } }
    public private(set) var statusSetAt = 0.0
    public static let statusLifetime = 8.0

    /// Clears a message that has been up long enough; true when it did.
    mutating func expireStatus(now: Double) -> Bool {
        guard !status.isEmpty, !status.hasSuffix("…"), now - statusSetAt >= Self.statusLifetime else { return false }
        status = ""
        return true
    }
    public var quitting = false
    /// The help overlay's first line shown.
    public var helpScroll = 0
    /// What was chosen for this terminal (theme, pictures), shown at the foot of the help.
    public var terminalNote = ""

    // Browse
    public var datasetIndex = 0
    public var sampleIndex = 0
    public var focus = BrowseFocus.datasets
    /// Only samples of this class (`/`).
    public var classFilter: String?
    /// Only samples of one coverage cell (Enter on Coverage): view index, row, column.
    public var cellFilter: (view: Int, row: String, column: String)?
    public var grid = false
    /// What the preview draws: the image, its instance masks over it (`m`), or its depth (`d`).
    public var layer = PreviewLayer.image

    public enum PreviewLayer: String, Sendable {
        case image, masks, depth
    }
    public var graphics = Graphics.blocks
    /// A magnified part of the selected sample's preview (`+`, `-`, `z`, `H J K L`).
    public var zoom: PreviewZoom?

    // Balance
    public var balanceScroll = 0
    /// The axis of Balance's per-class histograms (`a` cycles through them), nil for none.
    public var balanceAxis: String?

    // Coverage
    public var viewIndex = 0
    /// Coverage cells show the last detection evaluation's AP50 instead of counts (key `a`).
    public var showAP = false
    /// Row and column of the cursor; nil puts it on the largest deficit when the view is drawn.
    public var cursor: (row: Int, column: Int)?
    /// Totals of cells when a job to fill them was queued, to show before → after.
    public var before: [String: Int] = [:]

    // Jobs, Train, Health
    public var jobIndex = 0
    public var runIndex = 0
    /// The selected dataset × kind row of the Health screen.
    public var healthIndex = 0

    public init() {}

    public static func cellKey(view: Int, row: String, column: String) -> String { "\(view)\u{1F}\(row)\u{1F}\(column)" }
}

/// A generation job as the form shows it before it is queued (the gap planner's).
public struct JobDraft: Sendable {
    public var spec: JobSpec
    /// What the job fills, for the form's title and the before → after display.
    public var cellKey: String
    public var description: String

    public init(spec: JobSpec, cellKey: String, description: String) {
        self.spec = spec
        self.cellKey = cellKey
        self.description = description
    }

    /// Units the job makes.
    public var count: Int { spec.units?.count ?? spec.total }

    /// Another count: the person overrides the plan, so the job runs to that count rather than
    /// stopping at the cell's target.
    public mutating func setCount(_ count: Int) {
        guard var units = spec.units, count != units.count else { return }
        units.count = max(1, count)
        units.goal = nil
        spec.units = units
    }
}

extension Array {
    /// The element at `index`, or nil.
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

extension Int {
    /// Clamped to `0..<count` (0 when empty).
    func clamped(to count: Int) -> Int { count == 0 ? 0 : Swift.min(Swift.max(self, 0), count - 1) }
}
