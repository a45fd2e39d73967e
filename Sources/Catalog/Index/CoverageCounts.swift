internal import Datasets

/// Annotation counts per axis value and per pair of axis values, over the axes each annotation has
/// a value on: the fixed ones (category, split, origin, dataset) always, an attribute when the
/// annotation or its image has it and it is an axis (`AttributeAxis`). Counts add up: the counts
/// of a dataset are the sum of those of its parts, so a commit adds its samples' counts to the
/// stored ones, and a coverage query derives "(unset)" from what the pairs leave of the singles.
struct CoverageCounts {
    struct Key: Hashable {
        var rowAxis: String, rowValue: String, columnAxis: String, columnValue: String, origin: String
    }

    var cells: [Key: Int] = [:]

    /// Attribute keys that would shadow a fixed axis.
    static let reserved: Set<String> = ["category", "class", "split", "origin", "dataset"]

    static let valueLimit = 1 << 20
    static let overflow = "(other)"

    init(_ samples: [Sample], dataset: String, names: [Int: Category]) {
        // Axis names and values are interned, pairs counted under packed integers: a dataset of a
        // million annotations with a dozen axes makes ~80 million increments.
        var axisIDs: [String: Int] = [:]
        var axisNames: [String] = []
        var valueIDs: [[String: Int]] = []
        var values: [[String]] = []
        var counts: [Int: Int] = [:]
        func intern(_ axis: String, _ value: String) -> (axis: Int, value: Int) {
            let a: Int
            if let known = axisIDs[axis] {
                a = known
            } else {
                a = axisNames.count
                axisIDs[axis] = a
                axisNames.append(axis)
                valueIDs.append([:])
                values.append([])
            }
            if let v = valueIDs[a][value] { return (a, v) }
            // A packed value id has 20 bits; an axis with a million distinct values (free text)
            // is no condition to cover, and its rarest values share one label.
            if values[a].count >= Self.valueLimit - 1, value != Self.overflow { return intern(axis, Self.overflow) }
            let v = values[a].count
            valueIDs[a][value] = v
            values[a].append(value)
            return (a, v)
        }
        var present: [(name: String, axis: Int, value: Int)] = []
        for sample in samples {
            let origin = sample.origin == .synthetic ? 1 : 0
            // Ignore regions are not instances to count.
            for annotation in sample.annotations where !annotation.isIgnored {
                present.removeAll(keepingCapacity: true)
                let fixed = [
                    ("category", names[annotation.categoryID]?.name ?? "category \(annotation.categoryID)"),
                    ("split", sample.split ?? CoverageAxis.unset), ("origin", sample.origin.rawValue), ("dataset", dataset),
                ]
                for (axis, value) in fixed {
                    let id = intern(axis, value)
                    present.append((axis, id.axis, id.value))
                }
                var keys = Set(sample.attributes.keys)
                keys.formUnion(annotation.attributes.keys)
                for key in keys where !Self.reserved.contains(key) {
                    guard let value = AttributeAxis.value(key: key, raw: annotation.attributes[key] ?? sample.attributes[key]) else {
                        continue
                    }
                    let id = intern(key, value)
                    present.append((key, id.axis, id.value))
                }
                present.sort { $0.name < $1.name }
                for i in present.indices {
                    let a = present[i]
                    // j == i stands for the axis alone.
                    for j in i..<present.count {
                        let b = present[j]
                        let key = ((((a.axis &* 1024 &+ b.axis) << 20 | a.value) << 20) | b.value) << 1 | origin
                        counts[key, default: 0] += 1
                    }
                }
            }
        }
        for (key, count) in counts {
            let origin = key & 1 == 1 ? "synthetic" : "real"
            let vb = key >> 1 & 0xFFFFF, va = key >> 21 & 0xFFFFF, pair = key >> 41
            let (a, b) = (pair / 1024, pair % 1024)
            let cell =
                a == b
                ? Key(rowAxis: axisNames[a], rowValue: values[a][va], columnAxis: "", columnValue: "all", origin: origin)
                : Key(rowAxis: axisNames[a], rowValue: values[a][va], columnAxis: axisNames[b], columnValue: values[b][vb], origin: origin)
            cells[cell, default: 0] += count
        }
    }
}
