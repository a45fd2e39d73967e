internal import Catalog
internal import Datasets
internal import Foundation
internal import StudioCore

/// A Browse filter as typed after `/`: terms separated by spaces (double quotes keep a name with
/// spaces together), every one of which must hold, the class and attribute terms on one
/// annotation as a coverage cell counts it:
/// - `pedestrian` — a class (any case);
/// - `weather=snow`, `weather!=snow` — an attribute, `origin`, `split` or `dataset`;
/// - `dup`, `blurry`, `health=KIND`, `label=box-outside` — flagged by the last health run (several
///   such terms: any of them).
struct BrowseFilter {
    var conditions: [(axis: CoverageAxis, value: String)] = []
    var excluded: [(axis: CoverageAxis, value: String)] = []
    var health: Set<HealthIssue.Kind>?
    /// Class names typed that the dataset does not have (they match nothing).
    var unknownClasses: [String] = []

    /// The one class a filter names alone (its count is in the catalog, no need to page it).
    var singleClass: String? {
        guard excluded.isEmpty, health == nil, conditions.count == 1, conditions[0].axis == .category else { return nil }
        return conditions[0].value
    }

    static func terms(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quoted = false
        for c in text {
            if c == "\"" {
                quoted.toggle()
            } else if c == " " && !quoted {
                if !current.isEmpty { out.append(current) }
                current = ""
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    static func parse(_ text: String, classes: Set<String>) -> BrowseFilter {
        var filter = BrowseFilter()
        let byLowercase = Dictionary(classes.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        for term in terms(text) {
            if let range = term.range(of: "!="), range.lowerBound != term.startIndex {
                filter.excluded.append((CoverageAxis(String(term[..<range.lowerBound])), String(term[range.upperBound...])))
            } else if let kinds = healthKinds(term, classes: classes) {
                filter.health = (filter.health ?? []).union(kinds)
            } else if let condition = condition(term) {
                filter.conditions.append(condition)
            } else if let name = byLowercase[term.lowercased()] {
                filter.conditions.append((.category, name))
            } else {
                filter.conditions.append((.category, term))
                filter.unknownClasses.append(term)
            }
        }
        return filter
    }

    /// The catalog query of this filter over `dataset`.
    func sampleFilter(dataset: String) -> SampleFilter {
        var f = SampleFilter(datasets: [dataset], conditions: conditions, health: health)
        f.excluded = excluded
        f.ignoringCase = true
        return f
    }

    /// `weather=snow`, `origin=synthetic`, `split=val` as a catalog condition (nil for a class name).
    static func condition(_ text: String) -> (axis: CoverageAxis, value: String)? {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return nil }
        let key = text[..<equals].trimmingCharacters(in: .whitespaces)
        let value = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        return (CoverageAxis(key), value)
    }

    static let labelKinds: Set<HealthIssue.Kind> = [.boxOutside, .boxTiny, .boxDuplicate, .boxAspect, .unlabelled]

    /// The health kinds a term names, nil when it names none: `health=KIND` or `label=KIND`
    /// (`label=any` for every label kind, `box-` may be left out), and a bare kind or `dup` /
    /// `blur` when the dataset has no class of that name (`health=…` says it either way).
    static func healthKinds(_ text: String, classes: Set<String>) -> Set<HealthIssue.Kind>? {
        func kinds(_ word: String) -> Set<HealthIssue.Kind>? {
            switch word.lowercased() {
            case "dup", "dups", "duplicates", "copies": [.duplicate, .nearDuplicate]
            case "blur": [.blurry]
            case "any", "all": Set(HealthIssue.Kind.allCases)
            case let w: HealthIssue.Kind(rawValue: w).map { [$0] }
            }
        }
        if let (axis, value) = condition(text) {
            switch axis.description {
            case "health": return kinds(value)
            case "label":
                let value = value.lowercased()
                if value == "any" || value == "all" { return labelKinds }
                return (kinds(value) ?? kinds("box-" + value)).flatMap { $0.isSubset(of: labelKinds) ? $0 : nil }
            default: return nil
            }
        }
        let word = text.trimmingCharacters(in: .whitespaces)
        guard !classes.contains(word) else { return nil }
        if word == "health" || word == "issues" { return Set(HealthIssue.Kind.allCases) }
        return kinds(word)
    }

    /// Why a filter that matched nothing did: the first term the dataset cannot satisfy, with
    /// what it has instead; else that no annotation meets all terms at once.
    func explanation(dataset: String, classes: [String], attributes: [String: [String]], healthRun: Bool) -> String {
        func some(_ list: [String]) -> String {
            list.prefix(8).map(\.terminalSafe).joined(separator: ", ") + (list.count > 8 ? ", …" : "")
        }
        if let name = unknownClasses.first {
            return "no class \(name.terminalSafe) in \(dataset.terminalSafe) (classes: \(some(classes)))"
        }
        if health != nil, !healthRun { return "no health run yet: 6 opens Health, r runs it" }
        for (axis, value) in conditions + excluded {
            guard case .attribute(let key) = axis else { continue }
            guard let values = attributes[key] else {
                return "no attribute \(key.terminalSafe) in \(dataset.terminalSafe) (attributes: \(some(attributes.keys.sorted())))"
            }
            if AttributeAxis.range(key: key, label: value) == nil, !values.contains(where: { $0.lowercased() == value.lowercased() }) {
                return "\(key.terminalSafe) is never \(value.terminalSafe) in \(dataset.terminalSafe) (values: \(some(values)))"
            }
        }
        if health != nil { return "no image flagged so (of those the other terms leave)" }
        return "no annotation meets every term at once"
    }

    /// Completes the last term of `text`: a value after `key=`, else a class, an attribute key
    /// (with `=`) or a health word; the longest common prefix of the candidates.
    static func complete(_ text: String, classes: [String], attributes: [String: [String]]) -> String {
        let head =
            text.hasSuffix(" ") || text.isEmpty
            ? text : String(text[..<(text.lastIndex(of: " ").map { text.index(after: $0) } ?? text.startIndex)])
        let last = String(text.dropFirst(head.count))
        var candidates: [String]
        if let equals = last.range(of: "!=") ?? last.range(of: "=") {
            let key = String(last[..<equals.lowerBound]), typed = String(last[equals.upperBound...])
            let values =
                key == "health"
                ? HealthIssue.Kind.allCases.map(\.rawValue) + ["dup"]
                : key == "label" ? labelKinds.map(\.rawValue).sorted() : (attributes[key] ?? [])
            candidates = values.filter { $0.lowercased().hasPrefix(typed.lowercased()) }.map { String(last[..<equals.upperBound]) + $0 }
        } else {
            let words = classes + attributes.keys.sorted().map { $0 + "=" } + ["origin=", "split=", "dup", "blurry", "label=", "health="]
            candidates = words.filter { $0.lowercased().hasPrefix(last.lowercased()) }
        }
        candidates = candidates.map { $0.contains(" ") ? "\"\($0)\"" : $0 }
        guard var prefix = candidates.first else { return text }
        for c in candidates { while !c.lowercased().hasPrefix(prefix.lowercased()) { prefix.removeLast() } }
        // A single candidate that is a whole term gets its space (unless it expects a value).
        let complete = candidates.count == 1 && !prefix.hasSuffix("=")
        return head + (prefix.count >= last.count ? prefix : last) + (complete ? " " : "")
    }
}
