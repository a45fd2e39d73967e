internal import StudioCore

/// A magnified part of one sample's preview: a power-of-two zoom around a centre, both in
/// fractions of the image, so it holds whatever size the image is decoded at. It belongs to the
/// sample it was made on: another sample shows whole.
public struct PreviewZoom: Sendable, Equatable {
    /// The sample zoomed into (the catalog's id).
    public var sample: Int64
    /// 2, 4, 8 or 16.
    public private(set) var level: Int
    public private(set) var centerX: Double
    public private(set) var centerY: Double
    /// The labelled object `z` zoomed onto (index into `objects` order) and how many there are.
    public var object: (index: Int, of: Int)? {
        get { objectIndex.map { ($0, objectCount) } }
        set {
            objectIndex = newValue?.index
            objectCount = newValue?.of ?? 0
        }
    }
    private var objectIndex: Int?
    private var objectCount = 0

    public static let maximum = 16

    public init(sample: Int64, level: Int, centerX: Double = 0.5, centerY: Double = 0.5) {
        self.sample = sample
        self.level = min(Self.maximum, max(1, level))
        self.centerX = centerX
        self.centerY = centerY
        clampCenter()
    }

    /// The part of the image shown, in fractions of its width and height; inside the image.
    var region: BoundingBox {
        let side = 1 / Double(level)
        return BoundingBox(x: centerX - side / 2, y: centerY - side / 2, width: side, height: side)
    }

    /// Twice as close (`factor` 2) or twice as far (½), around the same centre; nil when that is the
    /// whole image.
    public func zoomed(by factor: Double) -> PreviewZoom? {
        let next = Int((Double(level) * factor).rounded())
        guard next > 1 else { return nil }
        var out = self
        out.level = min(Self.maximum, next)
        out.object = nil
        out.clampCenter()
        return out
    }

    /// Moved by `dx`, `dy` quarters of what is shown (kept inside the image).
    public func panned(dx: Int, dy: Int) -> PreviewZoom {
        var out = self
        out.centerX += Double(dx) / Double(level) / 4
        out.centerY += Double(dy) / Double(level) / 4
        out.object = nil
        out.clampCenter()
        return out
    }

    /// The zoom that shows `box` (pixels of a `width × height` image) with its surroundings: the
    /// largest level at which three times the box fits (a label is judged in context), at least 2.
    static func onto(_ box: BoundingBox, width: Int, height: Int, sample: Int64) -> PreviewZoom {
        let (fw, fh) = (max(box.width * 3, 1) / Double(max(1, width)), max(box.height * 3, 1) / Double(max(1, height)))
        var level = 2
        while level < maximum, max(fw, fh) * Double(level * 2) <= 1 { level *= 2 }
        let c = box.center
        return PreviewZoom(sample: sample, level: level, centerX: c.x / Double(max(1, width)), centerY: c.y / Double(max(1, height)))
    }

    /// The labelled boxes `z` steps through: left to right, then top to bottom.
    static func objects(_ boxes: [(box: BoundingBox, label: String)]) -> [(box: BoundingBox, label: String)] {
        boxes.filter { $0.box.isWellFormed }.sorted { ($0.box.x, $0.box.y) < ($1.box.x, $1.box.y) }
    }

    private mutating func clampCenter() {
        let half = 0.5 / Double(level)
        centerX = centerX.isFinite ? min(max(centerX, half), 1 - half) : 0.5
        centerY = centerY.isFinite ? min(max(centerY, half), 1 - half) : 0.5
    }
}
