/// How many annotations and images each class has in one dataset.
public struct ClassBalance: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public let category: Category
        /// Annotations of this class.
        public let annotations: Int
        /// Images with at least one annotation of this class.
        public let images: Int

        public init(category: Category, annotations: Int, images: Int) {
            self.category = category
            self.annotations = annotations
            self.images = images
        }
    }

    public let dataset: String
    public let origin: Origin
    /// One row per category, in category order; classes with no annotations are kept (count 0).
    public let rows: [Row]

    /// Largest class count over smallest, among classes with any annotations; `nil` with fewer
    /// than two such classes. Empty classes are reported separately (they make the ratio infinite).
    public var imbalanceRatio: Double? {
        let counts = rows.map(\.annotations).filter { $0 > 0 }
        guard counts.count >= 2, let lo = counts.min(), let hi = counts.max() else { return nil }
        return Double(hi) / Double(lo)
    }

    /// Classes without a single annotation.
    public var emptyClasses: [Category] { rows.filter { $0.annotations == 0 }.map(\.category) }

    /// A balance counted elsewhere (the catalog's index).
    public init(dataset: String, origin: Origin, rows: [Row]) {
        self.dataset = dataset
        self.origin = origin
        self.rows = rows
    }

    /// Counts the annotations of `dataset` per class.
    public init(_ dataset: Dataset) {
        var annotations: [Int: Int] = [:]
        var images: [Int: Int] = [:]
        for sample in dataset.samples {
            var seen: Set<Int> = []
            for annotation in sample.annotations where !annotation.isIgnored {
                annotations[annotation.categoryID, default: 0] += 1
                if seen.insert(annotation.categoryID).inserted { images[annotation.categoryID, default: 0] += 1 }
            }
        }
        self.dataset = dataset.name
        self.origin = dataset.origin
        self.rows = dataset.categories.map { Row(category: $0, annotations: annotations[$0.id] ?? 0, images: images[$0.id] ?? 0) }
    }
}
