internal import Datasets
public import Rendering
internal import StudioCore

/// A street recipe's `people:` — the user's own human assets (rigged glTF, or any format the
/// composed scenes read), each placed among the street's pedestrians for its share of them:
///
///     people:
///       - {file: assets/walker.glb, share: 0.4, height: {uniform: [1.55, 1.95]},
///          animation_time: {uniform: [0, 1.5]}, up: z}
///
/// `file` is a model file or a folder of them (relative to the workspace; a folder's files
/// split its share evenly); `share` 0…1 (all shares add to at most 1, the rest are the
/// street's own people); `height` metres, a number or `uniform: [low, high]` (default
/// 1.6–1.85); `animation_time` seconds into the file's animation, likewise (absent: at rest,
/// standing); `up` y (glTF's, the default) or z; `facing` the way the figure faces in the file
/// (+z by default, glTF's convention; -z, +x, -x).
public struct StreetPeople: Sendable {
    public struct Entry: Sendable {
        public var files: [String]
        public var share: Double
        public var heights: ClosedRange<Double>
        public var animationTimes: ClosedRange<Double>?
        public var up: PersonAsset.Up
        public var facing: PersonAsset.Facing
    }

    public var entries: [Entry]

    static func parse(_ list: YAMLFields, recipeFile: String) throws(DatasetsError) -> StreetPeople {
        let root = Composition.workspace(of: recipeFile)
        var entries: [Entry] = []
        var total = 0.0
        for item in try list.sequence() {
            let fields = try item.dictionary(allowed: ["file", "share", "height", "animation_time", "up", "facing"])
            guard let file = fields["file"], let share = fields["share"] else { throw item.error("each person asset needs file and share") }
            let (_, files) = try Composition.modelFiles(file, root: root)
            let fraction = try share.double()
            guard (0...1).contains(fraction) else { throw share.error("share must be 0…1", code: .invalidValue) }
            total += fraction
            guard total <= 1 + 1e-9 else { throw share.error("the shares of people add to more than 1", code: .invalidValue) }
            let heights = try fields["height"].map { h throws(DatasetsError) in try range(h, "height", within: 0.3...3) } ?? 1.6...1.85
            let times = try fields["animation_time"].map { t throws(DatasetsError) in try range(t, "animation_time", within: 0...1e6) }
            func option<Value: RawRepresentable<String> & CaseIterable>(_ name: String, _ fallback: Value) throws(DatasetsError) -> Value {
                guard let field = fields[name] else { return fallback }
                let text = try field.string()
                guard let value = Value(rawValue: text) else {
                    let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
                    throw field.error("\(name) is one of \(allowed), not \(String(text.prefix(20)).terminalSafe)", code: .invalidValue)
                }
                return value
            }
            entries.append(
                Entry(
                    files: files, share: fraction, heights: heights, animationTimes: times, up: try option("up", .y),
                    facing: try option("facing", .plusZ)))
        }
        guard !entries.isEmpty else { throw list.error("lists no people") }
        return StreetPeople(entries: entries)
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

    /// Every entry's files read (a folder's share split among them): a missing or broken file,
    /// or an animation time for a file without animation, fails before the first image.
    func load() throws(EngineError) -> [PersonAsset] {
        var people: [PersonAsset] = []
        for entry in entries {
            for file in entry.files {
                let asset: Asset
                do { asset = try Asset.load(file) } catch { throw EngineError(.invalidSpec, "person asset \(error.description)") }
                if entry.animationTimes != nil && asset.animationDuration == nil {
                    throw EngineError(
                        .invalidSpec, "person asset \(file.terminalSafe): animation_time is given but the file has no skinned animation")
                }
                people.append(
                    PersonAsset(
                        name: Recipe.stem(file), asset: asset, share: Float(entry.share / Double(entry.files.count)),
                        heights: Float(entry.heights.lowerBound)...Float(entry.heights.upperBound),
                        animationTimes: entry.animationTimes, up: entry.up, facing: entry.facing))
            }
        }
        return people
    }
}
