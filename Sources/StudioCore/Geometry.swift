/// An axis-aligned box in pixel coordinates, origin top-left, as COCO writes it: `[x, y, width, height]`.
///
/// Coordinates are continuous: a box covering pixel column 0 only is `x = 0, width = 1`.
public struct BoundingBox: Sendable, Hashable, Codable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The box spanning two corners (`x0 <= x1`, `y0 <= y1`).
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.init(x: minX, y: minY, width: maxX - minX, height: maxY - minY)
    }

    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var area: Double { width * height }
    public var center: (x: Double, y: Double) { (x + width / 2, y + height / 2) }

    /// Whether every coordinate is finite and the size is not negative.
    public var isWellFormed: Bool {
        x.isFinite && y.isFinite && width.isFinite && height.isFinite && width >= 0 && height >= 0
    }

    /// Whether the box lies inside a `width × height` image, allowing `tolerance` pixels of rounding.
    public func fits(width imageWidth: Int, height imageHeight: Int, tolerance: Double = 0.5) -> Bool {
        x >= -tolerance && y >= -tolerance
            && maxX <= Double(imageWidth) + tolerance && maxY <= Double(imageHeight) + tolerance
    }

    /// Intersection over union with another box; 0 when either is empty.
    public func iou(_ other: BoundingBox) -> Double {
        let ix = max(0, min(maxX, other.maxX) - max(x, other.x))
        let iy = max(0, min(maxY, other.maxY) - max(y, other.y))
        let inter = ix * iy
        let union = area + other.area - inter
        return union > 0 ? inter / union : 0
    }

    public var description: String { "[\(x), \(y), \(width), \(height)]" }
}

/// An integer rectangle of pixels or cells, origin top-left.
public struct Rect: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The overlap of two rectangles (empty when they do not meet).
    public func intersection(_ other: Rect) -> Rect {
        let x0 = max(x, other.x), y0 = max(y, other.y)
        let x1 = min(maxX, other.maxX), y1 = min(maxY, other.maxY)
        return Rect(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0))
    }
}
