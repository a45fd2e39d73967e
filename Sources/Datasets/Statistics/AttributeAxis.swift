/// Which attributes are coverage axes, and the value an annotation takes on one.
///
/// Categorical attributes (`weather: snow`, `lighting: night`, `occluded: 1`) are axes as they
/// are. Continuous ones are axes only through bands declared here (`visibility` in quarters,
/// `camera_height` in half metres, distances in bands), so a matrix over them has a handful of
/// columns, not one per value. Identifiers and geometry (`instance`, `reflects`, `amodal_bbox`)
/// and undeclared continuous values are not axes: they count as `(unset)`, and the catalog
/// stores no counts for them (1,500 rendered images once made 293,000 rows of counts, almost
/// all over such values).
public enum AttributeAxis {
    /// Half-open numeric bands `[lower, upper)`, the last open above, with their labels.
    public struct Bands: Sendable {
        /// The lower bound of each band after the first (ascending).
        public let bounds: [Double]
        public let unit: String

        /// The band labels, lowest first: `<1 m`, `1–1.5 m`, …, `≥3 m`.
        public var labels: [String] { (0...bounds.count).map(label) }

        func index(of value: Double) -> Int { bounds.firstIndex { value < $0 } ?? bounds.count }

        func label(_ index: Int) -> String {
            let suffix = unit.isEmpty ? "" : " \(unit)"
            if index == 0 { return "<\(Self.text(bounds[0]))\(suffix)" }
            if index == bounds.count { return "≥\(Self.text(bounds[index - 1]))\(suffix)" }
            return "\(Self.text(bounds[index - 1]))–\(Self.text(bounds[index]))\(suffix)"
        }

        /// `[lower, upper)` of a band (infinite at the ends).
        func range(_ index: Int) -> (lower: Double, upper: Double) {
            (index == 0 ? -.infinity : bounds[index - 1], index == bounds.count ? .infinity : bounds[index])
        }

        static func text(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
    }

    /// Attributes that identify or locate an object rather than describe a condition.
    public static let excluded: Set<String> = ["instance", "reflects", "amodal_bbox", "id", "track_id", "file_name", "index", "seed"]

    /// Continuous attributes that are axes through bands.
    public static let bands: [String: Bands] = [
        "visibility": Bands(bounds: [0.25, 0.5, 0.75], unit: ""),
        "truncated": Bands(bounds: [0.25, 0.5, 0.75], unit: ""),
        "occlusion": Bands(bounds: [0.25, 0.5, 0.75], unit: ""),
        "camera_height": Bands(bounds: [1, 1.5, 2, 3], unit: "m"),
        "camera_pitch": Bands(bounds: [0, 3, 6, 10], unit: "°"),
        "fov": Bands(bounds: [40, 50, 60, 70], unit: "°"),
        "distance": Bands(bounds: [10, 20, 40, 80], unit: "m"),
        "depth": Bands(bounds: [10, 20, 40, 80], unit: "m"),
        // What the renderer records per object.
        "distance_m": Bands(bounds: [10, 20, 40, 80], unit: "m"),
        "truncation": Bands(bounds: [0.25, 0.5, 0.75], unit: ""),
        "height_m": Bands(bounds: [1.3, 1.6, 1.8], unit: "m"),
        "gait_phase": Bands(bounds: [0.25, 0.5, 0.75], unit: ""),
    ]

    /// The value on the axis `key` of an annotation whose attribute is `raw` (nil: absent), or
    /// nil when the value is not on any axis (absent, an identifier, a list, an undeclared
    /// continuous number) — which a coverage matrix shows as `(unset)`.
    public static func value(key: String, raw: String?) -> String? {
        guard let raw, !excluded.contains(key) else { return nil }
        guard let number = Double(raw), number.isFinite else {
            // Lists of numbers (`12.5,40,8,20`) are geometry, not a condition.
            return raw.contains(",") && raw.split(separator: ",").allSatisfy({ Double($0) != nil }) ? nil : raw
        }
        if let bands = bands[key] { return bands.label(bands.index(of: number)) }
        // Small integers are levels or flags (`occluded: 2`, `difficult: 1`); other numbers are
        // measurements without declared bands.
        if number == number.rounded(), (0...9).contains(number), !raw.contains(".") { return raw }
        return nil
    }

    /// The numeric range `[lower, upper)` a band label of `key` stands for (to find the samples
    /// of a cell), or nil when `label` is not one of its bands.
    public static func range(key: String, label: String) -> (lower: Double, upper: Double)? {
        guard let bands = bands[key], let index = bands.labels.firstIndex(of: label) else { return nil }
        return bands.range(index)
    }
}
