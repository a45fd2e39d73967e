public import Datasets

/// A cell of a coverage view.
public struct CellKey: Sendable, Hashable, CustomStringConvertible {
    public var row: String
    /// `all` in a view with one column.
    public var column: String

    public init(row: String, column: String) {
        self.row = row
        self.column = column
    }

    public var description: String { column == "all" ? row : "\(row) × \(column)" }
}

extension CoverageSpec {
    /// How many of a generated unit's annotations fall in each cell of this view, were the unit
    /// committed into `dataset` (synthetic): the same values `CoverageMatrix` gives them.
    public func cells(of annotations: [(category: String, annotation: Annotation)], attributes: [String: String], dataset: String)
        -> [CellKey: Int]
    {
        var categories: [Category] = []
        let sample = Sample(path: "", width: 0, height: 0, origin: .synthetic, attributes: attributes)
        var placed: [Annotation] = []
        for (name, annotation) in annotations {
            var a = annotation
            if let i = categories.firstIndex(where: { $0.name == name }) {
                a.categoryID = i + 1
            } else {
                categories.append(Category(id: categories.count + 1, name: name))
                a.categoryID = categories.count
            }
            placed.append(a)
        }
        let single = Dataset(name: dataset, root: "", format: .coco, origin: .synthetic, categories: categories)
        let names = single.categoriesByID
        var out: [CellKey: Int] = [:]
        for a in placed where !a.isIgnored {
            let key = CellKey(
                row: rows.value(a, sample, single, names), column: columns.map { $0.value(a, sample, single, names) } ?? "all")
            out[key, default: 0] += 1
        }
        return out
    }
}
