internal import Datasets
internal import Rendering
internal import StudioCore

/// A street recipe's own models: `people:` — human models (rigged glTF, or any format the
/// composed scenes read), each placed among the street's pedestrians for its share of them —
/// and `assets:` — any other models, placed on the road or the sidewalks under a class of
/// their own:
///
///     people:
///       - {file: assets/walker.glb, share: 0.4, height: {uniform: [1.55, 1.95]},
///          animation_time: {uniform: [0, 1.5]}, up: z}
///     assets:
///       - {file: assets/vans, class: van, count: {uniform: [0, 2]}, on: road}
///       - {file: assets/bin.glb, class: bin, count: 3, scale: {uniform: [0.9, 1.1]}, on: sidewalk}
///
/// Every entry: `file`, a model file or a folder of them (relative to the workspace);
/// `animation_time`, seconds into the file's animation, a number or `uniform: [low, high]`
/// (absent: at rest); `up`, y (glTF's, the default) or z; `facing`, the way the model faces
/// in the file (+z by default, glTF's convention; -z, +x, -x); `color_variation`, 0…1, how far
/// each placement's colours may shift (0 by default). A person: `share` 0…1 (all
/// shares add to at most 1, the rest are the street's own people; a folder's files split it),
/// `height` in metres (default 1.6–1.85). Any other: `class`, `count` per image (default 1; a
/// folder's files each that many), `scale` on the file's units (default 1), `on` road (lined
/// up with the traffic) or sidewalk (the default, turned any way).
public struct StreetAssets: Sendable {
    /// What every entry says of its model files.
    struct Models: Sendable {
        var files: [String]
        var animationTimes: ClosedRange<Double>?
        var up: StreetModel.Up
        var facing: StreetModel.Facing
        var colorVariation: Double
    }

    struct Person: Sendable {
        var models: Models
        var share: Double
        var heights: ClosedRange<Double>
    }

    struct Prop: Sendable {
        var models: Models
        var className: String
        var counts: ClosedRange<Double>
        var scales: ClosedRange<Double>
        var place: PropAsset.Place
    }

    var people: [Person] = []
    var props: [Prop] = []

    /// The classes the props add to the street's, in the order the recipe lists them.
    var classes: [String] {
        var out: [String] = []
        for prop in props where !StreetRenderer.classes.contains(prop.className) && !out.contains(prop.className) {
            out.append(prop.className)
        }
        return out
    }

    /// A pinnable count per prop class, `count_<class>`: how many of each of its models to place.
    var countParameters: [String: String] {
        Dictionary(props.map { ("count_\($0.className)", "a count, 0…500, of each model of class \($0.className)") }) { a, _ in a }
    }

    /// The count that fills a gap of `className`: the most its models are drawn with (at least
    /// 2), pinned as `count_<class>`; nil when no prop is of the class.
    func plentiful(_ className: String) -> (parameter: String, value: String)? {
        guard let most = props.filter({ $0.className == className }).map(\.counts.upperBound).max() else { return nil }
        return ("count_\(className)", String(Int(min(500, max(2, most.rounded(.up))))))
    }

    /// The recipe's `people:` and `assets:`; nil when it has neither.
    static func parse(_ top: [String: YAMLFields], recipeFile: String) throws(DatasetsError) -> StreetAssets? {
        guard top["people"] != nil || top["assets"] != nil else { return nil }
        let root = Composition.workspace(of: recipeFile)
        var out = StreetAssets()
        let common: Set<String> = ["file", "animation_time", "up", "facing", "color_variation"]
        var total = 0.0
        for item in try top["people"]?.sequence() ?? [] {
            let fields = try item.dictionary(allowed: common.union(["share", "height"]))
            guard let share = fields["share"] else { throw item.error("each person needs file and share") }
            let models = try Self.models(item, fields, root: root)
            let fraction = try Self.share(share)
            total += fraction
            guard total <= 1 + 1e-9 else { throw share.error("the shares of people add to more than 1", code: .invalidValue) }
            let heights = try fields["height"].map { h throws(DatasetsError) in try range(h, "height", within: 0.3...3) } ?? 1.6...1.85
            out.people.append(Person(models: models, share: fraction, heights: heights))
        }
        for item in try top["assets"]?.sequence() ?? [] {
            let fields = try item.dictionary(allowed: common.union(["class", "count", "scale", "on"]))
            guard let name = fields["class"] else { throw item.error("each asset needs file and class") }
            let className = try name.string()
            guard !className.isEmpty, className != "pedestrian_reflection" else {
                throw name.error("class \(String(className.prefix(40)).terminalSafe) cannot be placed", code: .invalidValue)
            }
            out.props.append(
                Prop(
                    models: try Self.models(item, fields, root: root), className: className,
                    counts: try fields["count"].map { c throws(DatasetsError) in try range(c, "count", within: 0...500) } ?? 1...1,
                    scales: try fields["scale"].map { s throws(DatasetsError) in try range(s, "scale", within: 0.001...1000) } ?? 1...1,
                    place: try option(fields, "on", PropAsset.Place.sidewalk)))
        }
        return out
    }

    /// The fields every entry shares.
    private static func models(_ item: YAMLFields, _ fields: [String: YAMLFields], root: String) throws(DatasetsError) -> Models {
        guard let file = fields["file"] else { throw item.error("each entry needs a file") }
        let (_, files) = try Composition.modelFiles(file, root: root)
        return Models(
            files: files,
            animationTimes: try fields["animation_time"].map { t throws(DatasetsError) in try range(t, "animation_time", within: 0...1e6) },
            up: try option(fields, "up", .y), facing: try option(fields, "facing", .plusZ),
            colorVariation: try fields["color_variation"].map(Self.share) ?? 0)
    }

    private static func option<Value: RawRepresentable<String> & CaseIterable>(
        _ fields: [String: YAMLFields], _ name: String, _ fallback: Value
    ) throws(DatasetsError) -> Value {
        guard let field = fields[name] else { return fallback }
        let text = try field.string()
        guard let value = Value(rawValue: text) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw field.error("\(name) is one of \(allowed), not \(String(text.prefix(20)).terminalSafe)", code: .invalidValue)
        }
        return value
    }

    /// A share, 0…1.
    private static func share(_ field: YAMLFields) throws(DatasetsError) -> Double {
        let v = try field.double()
        guard (0...1).contains(v) else { throw field.error("a share must be 0…1", code: .invalidValue) }
        return v
    }

    /// A number (a range of one) or `uniform: [low, high]`, within `limits`.
    static func range(_ field: YAMLFields, _ name: String, within limits: ClosedRange<Double>) throws(DatasetsError) -> ClosedRange<Double>
    {
        let range: ClosedRange<Double>
        switch try Recipe.distribution(field) {
        case .constant(let text):
            guard let v = Double(text) else { throw field.error("\(name) is a number or uniform: [low, high]", code: .invalidValue) }
            range = v...v
        case .uniform(let lo, let hi): range = lo...hi
        default: throw field.error("\(name) is a number or uniform: [low, high]", code: .invalidValue)
        }
        guard limits.contains(range.lowerBound), limits.contains(range.upperBound) else {
            throw field.error("\(name) must be within \(limits.lowerBound)…\(limits.upperBound)", code: .invalidValue)
        }
        return range
    }

    /// Every entry's files read: a missing or broken file, or an animation time for a file
    /// without animation, fails before the first image.
    func load() throws(EngineError) -> (people: [PersonAsset], props: [PropAsset]) {
        func read(_ models: Models) throws(EngineError) -> [StreetModel] {
            var out: [StreetModel] = []
            for file in models.files {
                let asset: Asset
                do { asset = try Asset.load(file) } catch { throw EngineError(.invalidSpec, "street asset \(error.description)") }
                if models.animationTimes != nil && asset.animationDuration == nil {
                    throw EngineError(
                        .invalidSpec, "street asset \(file.terminalSafe): animation_time is given but the file has no skinned animation")
                }
                var model = StreetModel(
                    name: Recipe.stem(file), asset: asset, animationTimes: models.animationTimes, up: models.up, facing: models.facing)
                model.colorVariation = Float(models.colorVariation)
                out.append(model)
            }
            return out
        }
        var people: [PersonAsset] = [], props: [PropAsset] = []
        for person in self.people {
            let models = try read(person.models)
            let heights = Float(person.heights.lowerBound)...Float(person.heights.upperBound)
            people += models.map { PersonAsset($0, share: Float(person.share / Double(models.count)), heights: heights) }
        }
        for prop in self.props {
            let counts = Int(prop.counts.lowerBound.rounded())...Int(prop.counts.upperBound.rounded())
            let scales = Float(prop.scales.lowerBound)...Float(prop.scales.upperBound)
            props += try read(prop.models).map {
                PropAsset($0, className: prop.className, counts: counts, scales: scales, place: prop.place)
            }
        }
        return (people, props)
    }
}
