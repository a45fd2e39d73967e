/// One of the two things a coverage matrix counts along: the class, where the data came from, or
/// any attribute (`weather`, `lighting`, …).
public enum CoverageAxis: Sendable, Hashable, CustomStringConvertible {
    case category
    case split
    case origin
    case dataset
    case attribute(String)

    /// `category`, `split`, `origin`, `dataset`, or any other word as an attribute key.
    public init(_ name: String) {
        switch name {
        case "category", "class": self = .category
        case "split": self = .split
        case "origin": self = .origin
        case "dataset": self = .dataset
        default: self = .attribute(name)
        }
    }

    public var description: String {
        switch self {
        case .category: "category"
        case .split: "split"
        case .origin: "origin"
        case .dataset: "dataset"
        case .attribute(let key): key
        }
    }

    /// The label a value takes when an annotation has no value on this axis.
    public static let unset = "(unset)"
}

/// What the coverage matrix should hold: the axes, values expected on them (so an empty column
/// still shows), and targets per cell.
public struct CoverageSpec: Sendable, Hashable {
    public var rows: CoverageAxis
    /// `nil` gives a single column, `all`.
    public var columns: CoverageAxis?
    /// Values that must appear on an axis even with no data (`weather: [sunny, …, snow]`).
    public var expectedValues: [String: [String]]
    /// Annotations wanted in each cell, unless overridden.
    public var defaultTarget: Int
    /// Overrides by row label (`"7": 120`) or by cell (`"pedestrian/snow": 200`).
    public var targets: [String: Int]
    /// The view's name in `studio.yaml` (a workspace can declare several).
    public var name: String?
    /// The datasets this view counts, by name or `*` pattern (`digits-*` takes in the synthetic
    /// datasets jobs add later); `nil` counts every dataset that is not a holdout.
    public var datasets: [String]?
    /// A generator's class names to this view's (`pedestrian: person`): how the gap planner
    /// renders into the user's own class list. Empty: the generator's names as they are.
    public var labels: [String: String] = [:]

    public init(
        rows: CoverageAxis = .category, columns: CoverageAxis? = nil, expectedValues: [String: [String]] = [:], defaultTarget: Int = 0,
        targets: [String: Int] = [:]
    ) {
        self.rows = rows
        self.columns = columns
        self.expectedValues = expectedValues
        self.defaultTarget = defaultTarget
        self.targets = targets
    }

    /// Whether this view counts a dataset (named in `datasets`, or any non-holdout when unset).
    /// A holdout is counted only when named exactly, never through a pattern.
    public func counts(_ name: String, holdout: Bool) -> Bool {
        datasets.map { patterns in patterns.contains { $0 == name || (!holdout && Self.matches($0, name)) } } ?? !holdout
    }

    /// Whether `name` matches `pattern`, where `*` stands for any run of characters.
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return pattern == name }
        var rest = Substring(name)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for part in parts.dropFirst().dropLast() {
            guard !part.isEmpty else { continue }
            guard let range = rest.firstRange(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.hasSuffix(parts.last!)
    }

    /// The target of a cell: the cell override, else the row override, else the default.
    public func target(row: String, column: String) -> Int {
        targets["\(row)/\(column)"] ?? targets[row] ?? defaultTarget
    }
}

/// The class × condition matrix: for every cell, annotations from real and synthetic data, the
/// target, and what is missing.
public struct CoverageMatrix: Sendable, Hashable {
    public struct Cell: Sendable, Hashable {
        public let row: String
        public let column: String
        public let real: Int
        public let synthetic: Int
        public let target: Int

        public var total: Int { real + synthetic }
        /// How many more annotations the cell needs to reach its target.
        public var deficit: Int { max(0, target - total) }
    }

    public let spec: CoverageSpec
    public let rowLabels: [String]
    public let columnLabels: [String]
    /// `cells[r][c]` for `rowLabels[r]`, `columnLabels[c]`.
    public let cells: [[Cell]]

    /// Counts the annotations of `datasets` into the cells of `spec`.
    public init(_ datasets: [Dataset], spec: CoverageSpec) {
        var counts: [CoverageCount] = []
        var index: [CoverageCount.Key: Int] = [:]
        var categoryNames: [String] = []
        for dataset in datasets {
            let names = dataset.categoriesByID
            for category in dataset.categories where !categoryNames.contains(category.name) { categoryNames.append(category.name) }
            for sample in dataset.samples {
                for annotation in sample.annotations where !annotation.isIgnored {
                    let key = CoverageCount.Key(
                        row: spec.rows.value(annotation, sample, dataset, names),
                        column: spec.columns.map { $0.value(annotation, sample, dataset, names) } ?? "all",
                        origin: sample.origin
                    )
                    if let i = index[key] {
                        counts[i].count += 1
                    } else {
                        index[key] = counts.count
                        counts.append(CoverageCount(row: key.row, column: key.column, origin: key.origin, count: 1))
                    }
                }
            }
        }
        self.init(counts: counts, spec: spec, categoryNames: categoryNames, datasetNames: datasets.map(\.name))
    }

    /// Assembles the matrix from counts made elsewhere (the catalog's index), so both routes give
    /// the same rows, columns and order.
    /// - Parameters:
    ///   - categoryNames: every category, in display order (rows or columns that have no data yet).
    ///   - datasetNames: every dataset counted, in order.
    public init(counts: [CoverageCount], spec: CoverageSpec, categoryNames: [String], datasetNames: [String]) {
        var rowOrder = Ordered(spec.rows, spec.expectedValues, categoryNames, datasetNames)
        var columnOrder = spec.columns.map { Ordered($0, spec.expectedValues, categoryNames, datasetNames) }
        var totals: [CoverageCount.Key: (real: Int, synthetic: Int)] = [:]
        for c in counts {
            rowOrder.add(c.row)
            columnOrder?.add(c.column)
            let key = CoverageCount.Key(row: c.row, column: c.column, origin: .real)
            if c.origin == .synthetic {
                totals[key, default: (0, 0)].synthetic += c.count
            } else {
                totals[key, default: (0, 0)].real += c.count
            }
        }
        let rows = rowOrder.labels, columns = columnOrder?.labels ?? ["all"]
        self.spec = spec
        rowLabels = rows
        columnLabels = columns
        cells = rows.map { r in
            columns.map { c in
                let n = totals[CoverageCount.Key(row: r, column: c, origin: .real)] ?? (0, 0)
                return Cell(row: r, column: c, real: n.real, synthetic: n.synthetic, target: spec.target(row: r, column: c))
            }
        }
    }

    /// Cells short of their target, largest deficit first (ties: fewest annotations, then order).
    public func gaps(limit: Int = .max) -> [Cell] {
        Array(
            cells.joined().filter { $0.deficit > 0 }.enumerated().sorted { a, b in
                if a.element.deficit != b.element.deficit { return a.element.deficit > b.element.deficit }
                if a.element.total != b.element.total { return a.element.total < b.element.total }
                return a.offset < b.offset
            }.map(\.element).prefix(limit))
    }

    /// Labels in a stable order: categories in category order, expected values in the order given,
    /// then values seen in the data, sorted.
    private struct Ordered {
        var fixed: [String]
        var seen: Set<String> = []
        var extra: Set<String> = []

        init(_ axis: CoverageAxis, _ expected: [String: [String]], _ categoryNames: [String], _ datasetNames: [String]) {
            switch axis {
            case .category: fixed = categoryNames
            case .origin: fixed = Origin.allCases.map(\.rawValue)
            case .dataset: fixed = datasetNames
            case .split: fixed = expected["split"] ?? []
            // A banded attribute shows its bands in order, lowest first.
            case .attribute(let key): fixed = expected[key] ?? AttributeAxis.bands[key]?.labels ?? []
            }
            seen = Set(fixed)
        }

        mutating func add(_ label: String) {
            if !seen.contains(label) { extra.insert(label) }
        }

        var labels: [String] { fixed + extra.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
    }
}

/// Annotations counted in one cell from one origin.
public struct CoverageCount: Sendable, Hashable {
    public var row: String
    public var column: String
    public var origin: Origin
    public var count: Int

    public init(row: String, column: String, origin: Origin, count: Int) {
        self.row = row
        self.column = column
        self.origin = origin
        self.count = count
    }

    struct Key: Hashable {
        let row: String
        let column: String
        let origin: Origin
    }
}

extension CoverageAxis {
    /// The value an annotation has on this axis (an attribute missing on the annotation falls back
    /// to the image's, then to `unset`; continuous attributes count in their bands, see
    /// `AttributeAxis`).
    package func value(_ annotation: Annotation, _ sample: Sample, _ dataset: Dataset, _ names: [Int: Category]) -> String {
        switch self {
        case .category: names[annotation.categoryID]?.name ?? "category \(annotation.categoryID)"
        case .split: sample.split ?? CoverageAxis.unset
        case .origin: sample.origin.rawValue
        case .dataset: dataset.name
        case .attribute(let key):
            AttributeAxis.value(key: key, raw: annotation.attributes[key] ?? sample.attributes[key]) ?? CoverageAxis.unset
        }
    }
}
