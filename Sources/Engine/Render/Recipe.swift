internal import Datasets
internal import Foundation
internal import ImageIO
public import Rendering
public import StudioCore

/// A scene recipe: image size, samples, label thresholds, and a distribution per parameter.
public struct Recipe: Sendable {
    public enum Distribution: Sendable, Hashable {
        case constant(String)
        case uniform(Double, Double)
        case normal(mean: Double, std: Double)
        /// Values with non-negative weights (not all zero).
        case choice([(String, Double)])

        public static func == (a: Distribution, b: Distribution) -> Bool { "\(a)" == "\(b)" }
        public func hash(into hasher: inout Hasher) { hasher.combine("\(self)") }

        /// The largest value it draws as a number (a normal's mean plus two deviations); nil
        /// when it draws no number.
        var upperBound: Double? {
            switch self {
            case .constant(let v): return Double(v)
            case .uniform(let lo, let hi): return max(lo, hi)
            case .normal(let mean, let std): return mean + 2 * abs(std)
            case .choice(let options): return options.filter { $0.1 > 0 }.compactMap { Double($0.0) }.max()
            }
        }

        /// One value, drawn with `random`.
        func draw(_ random: inout RandomStream) -> String {
            switch self {
            case .constant(let v): return v
            case .uniform(let lo, let hi): return String(lo + (hi - lo) * random.nextUnit())
            case .normal(let mean, let std):
                // Box–Muller.
                let u1 = max(1e-12, random.nextUnit()), u2 = random.nextUnit()
                return String(mean + std * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
            case .choice(let options):
                let total = options.reduce(0) { $0 + $1.1 }
                var pick = random.nextUnit() * total
                for (value, weight) in options {
                    pick -= weight
                    if pick < 0 { return value }
                }
                return options.last!.0
            }
        }
    }

    public var width: Int
    public var height: Int
    public var samplesPerPixel: Int
    public var minArea: Int
    public var minVisibility: Double
    public var parameters: [String: Distribution]
    /// The renderer's class names to a dataset's (`pedestrian: person`), so rendered data lands in
    /// the user's class list; classes left out of a non-empty map are not labelled. Empty: the
    /// renderer's own names.
    public var labels: [String: String] = [:]
    /// A scene composed from the user's assets (`scene: assets`); nil for the built-in street.
    public var composition: Composition?
    /// A street's own models: people among its pedestrians (`people:`), others on its road and
    /// sidewalks (`assets:`).
    public var streetAssets: StreetAssets?

    /// The classes the renderer labels, before renaming: the street's, or the composition's.
    public var rendererClasses: [String] { composition?.classes ?? StreetRenderer.classes + (streetAssets?.classes ?? []) }

    /// The count that fills a gap of `className` (a renderer class): the street's own parameter
    /// for its classes (`Recipe.plentiful`), else the composition's or the street's models'
    /// `count_<class>`.
    func plenty(_ className: String) -> (parameter: String, value: String)? {
        if let composition { return composition.plentiful(className) }
        return Self.plentiful[className] ?? streetAssets?.plentiful(className)
    }

    /// For the labelled classes a scene can be made to hold plenty of, the parameter that does
    /// it and its value: filling a coverage gap of cyclists pins `cyclists=4` besides the cell's
    /// conditions, one of traffic lights `layout=intersection` (they stand at junctions only), one
    /// of reflections `glass_facades=1` (every shop front glass).
    public static let plentiful: [String: (parameter: String, value: String)] = [
        "pedestrian": ("pedestrians", "10"), "car": ("cars", "7"), "cyclist": ("cyclists", "4"),
        "traffic_light": ("layout", "intersection"), "pedestrian_reflection": ("glass_facades", "1"),
    ]

    /// Parameters a recipe may set, with what each must be.
    static let known: [String: String] = [
        "time_of_day": "day, dusk or night", "weather": "sunny, cloudy, hazy, rain or snow",
        "layout": "straight, curved, intersection, t_junction or plaza", "rig": "dashcam, cctv or eye_level",
        "camera_height": "metres, 0.3…100",
        "camera_pitch": "degrees, −89…89", "fov": "degrees", "pedestrians": "a count, 0…200", "cars": "a count, 0…100",
        "cyclists": "a count, 0…50", "lanes": "a count, 2…4",
        "glass_facades": "a share 0…1",
        "sun_azimuth": "degrees", "sun_elevation": "degrees",
    ]

    /// The dataset class names this recipe's renders carry, in the renderer's order: every class
    /// the street can hold, renamed through `labels` (only those it maps, when it maps any).
    public func classes(labels: [String: String]) -> [String] {
        var out: [String] = []
        for name in rendererClasses {
            let mapped = labels.isEmpty ? name : labels[name]
            if let mapped, !out.contains(mapped) { out.append(mapped) }
        }
        return out
    }

    /// `pedestrian:person,car:car` (the `--set labels=…` form of a recipe's `labels:`): pairs
    /// of one of `classes` (the recipe's renderer classes) and a dataset class.
    public static func parseLabels(_ text: String, classes: [String] = StreetRenderer.classes) throws(EngineError) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: ":", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, classes.contains(parts[0]), !parts[1].isEmpty else {
                throw EngineError(
                    .invalidSpec,
                    "labels \(String(pair).terminalSafe): expected RENDERER:DATASET pairs, the renderer's classes being \(classes.joined(separator: ", ").terminalSafe)"
                )
            }
            out[parts[0]] = parts[1]
        }
        return out
    }

    /// The recipe parameters that set an image attribute to `value`: the attribute's own
    /// parameter (`weather=snow`), or the one it derives from (`lighting=night` →
    /// `time_of_day=night`). Nil when no parameter sets it.
    public static func pins(attribute key: String, value: String) -> [String: String]? {
        switch key {
        case "weather", "time_of_day", "layout", "rig": return known[key] != nil ? [key: value] : nil
        case "lighting": return ["time_of_day": value]
        // A composed scene's environment map, by the name its images carry.
        case "environment": return [key: value]
        default: return nil
        }
    }

    /// The range of each bounded parameter (a drawn or pinned value outside it is an error).
    static let limits: [String: ClosedRange<Float>] = [
        // Counts below zero are drawn as none (a normal distribution may dip under it).
        "pedestrians": -Float.infinity...200, "cars": -Float.infinity...100, "cyclists": -Float.infinity...50, "lanes": 1.5...4.49,
        "camera_height": -Float.infinity...100, "camera_pitch": -89...89,
    ]

    /// Reads and parses the recipe file at `path`.
    public static func load(_ path: String) throws(EngineError) -> Recipe {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, limit: DatasetLimits.configurationFile) } catch {
            throw EngineError(.invalidSpec, "cannot read the recipe \(path.terminalSafe): \(error.message)")
        }
        return try parse(String(decoding: bytes, as: UTF8.self), file: path)
    }

    /// Parses a recipe; unknown keys, negative weights, impossible sizes are errors naming the line.
    public static func parse(_ text: String, file: String) throws(EngineError) -> Recipe {
        do throws(DatasetsError) {
            let yaml = try YAMLFields.parse(text, file: file)
            let top = try yaml.dictionary(allowed: [
                "scene", "size", "samples_per_pixel", "min_area", "min_visibility", "parameters", "labels", "assets", "environment",
                "ground", "paths", "people", "textures",
            ])
            var recipe = Recipe(width: 320, height: 240, samplesPerPixel: 4, minArea: 30, minVisibility: 0.15, parameters: [:])
            let kind = try top["scene"]?.string() ?? "street"
            switch kind {
            case "street":
                for key in ["environment", "ground", "paths", "textures"] where top[key] != nil {
                    throw top[key]!.error("\(key) belongs to a composed scene (scene: assets)")
                }
                recipe.streetAssets = try StreetAssets.parse(top, recipeFile: file)
            case "assets":
                if let people = top["people"] { throw people.error("people belongs to a street scene (a composed scene lists assets)") }
                recipe.composition = try Composition.parse(top, recipeFile: file)
            default: throw top["scene"]!.error("scene is street or assets", code: .invalidValue)
            }
            if let size = top["size"] {
                let values = try size.sequence()
                guard values.count == 2 else { throw size.error("size is [width, height]") }
                recipe.width = try values[0].int()
                recipe.height = try values[1].int()
                guard (8...4096).contains(recipe.width), (8...4096).contains(recipe.height) else {
                    throw size.error(
                        "an image of \(recipe.width)×\(recipe.height) is impossible (8…4096 on each side)", code: .invalidValue)
                }
            }
            if let spp = top["samples_per_pixel"] {
                recipe.samplesPerPixel = try spp.int()
                guard (1...256).contains(recipe.samplesPerPixel) else {
                    throw spp.error("samples_per_pixel must be 1…256", code: .invalidValue)
                }
            }
            if let area = top["min_area"] { recipe.minArea = max(0, try area.int()) }
            if let visibility = top["min_visibility"] { recipe.minVisibility = try visibility.double() }
            for (name, field) in try top["parameters"]?.mapping(allowed: Set(recipe.knownParameters.keys)) ?? [] {
                recipe.parameters[name] = try distribution(field)
            }
            for (name, field) in try top["labels"]?.mapping(allowed: Set(recipe.rendererClasses)) ?? [] {
                recipe.labels[name] = try field.string()
            }
            return recipe
        } catch {
            throw EngineError(.invalidSpec, error.description)
        }
    }

    /// The parameters this recipe's scene takes: its scene's, and the camera's.
    var knownParameters: [String: String] {
        (composition.map { Composition.known.merging($0.countParameters) { a, _ in a } }
            ?? Self.known.merging(streetAssets?.countParameters ?? [:]) { a, _ in a })
            .merging(Self.cameraKnown) { scene, _ in scene }
    }

    static func distribution(_ field: YAMLFields) throws(DatasetsError) -> Distribution {
        guard field.isMapping else { return .constant(try field.string()) }
        let members = try field.mapping(allowed: ["uniform", "normal", "choice"])
        guard members.count == 1, let (kind, value) = members.first.map({ ($0.key, $0.value) }) else {
            throw field.error("give one of uniform, normal or choice")
        }
        switch kind {
        case "uniform":
            let bounds = try value.sequence()
            guard bounds.count == 2 else { throw value.error("uniform is [low, high]") }
            let (lo, hi) = (try bounds[0].double(), try bounds[1].double())
            guard lo <= hi else { throw value.error("uniform needs low ≤ high", code: .invalidValue) }
            return .uniform(lo, hi)
        case "normal":
            let fields = try value.dictionary(allowed: ["mean", "std"])
            guard let mean = fields["mean"], let std = fields["std"] else { throw value.error("normal needs mean and std") }
            let s = try std.double()
            guard s >= 0 else { throw std.error("std cannot be negative", code: .invalidValue) }
            return .normal(mean: try mean.double(), std: s)
        default:
            var options: [(String, Double)] = []
            for (name, weight) in try value.mapping() {
                let w = try weight.double()
                guard w >= 0 else { throw weight.error("weight \(w) of \(name) is negative", code: .invalidValue) }
                options.append((name, w))
            }
            guard options.contains(where: { $0.1 > 0 }) else { throw value.error("choice needs a positive weight", code: .invalidValue) }
            return .choice(options)
        }
    }

    /// The parameters of one image: every distribution drawn in a fixed order from `random`,
    /// then `pinned` values (`--set`) replacing theirs. Drawing everything keeps the stream
    /// identical whether or not a value is pinned.
    public func draw(_ random: inout RandomStream, pinned: [String: String]) throws(EngineError) -> (SceneParameters, [String: String]) {
        let values = try drawValues(&random, pinned: pinned)
        var p = SceneParameters()
        func number(_ name: String) throws(EngineError) -> Float? {
            guard let text = values[name] else { return nil }
            guard let v = Float(text), v.isFinite else {
                throw EngineError(.invalidSpec, "\(name) = \(text.prefix(40)) is not a number (\(Self.known[name]!))")
            }
            // Counts and sizes have a ceiling: a million pedestrians is a scene no one wants and
            // memory no machine has.
            if let limit = Self.limits[name], !limit.contains(v) {
                throw EngineError(.invalidSpec, "\(name) = \(text.prefix(40)) is out of range (\(Self.known[name]!))")
            }
            return v
        }
        func choice<Value: RawRepresentable<String>>(_ name: String) throws(EngineError) -> Value? {
            guard let text = values[name] else { return nil }
            guard let value = Value(rawValue: text) else {
                throw EngineError(.invalidSpec, "\(name) = \(String(text.prefix(40)).terminalSafe): expected \(Self.known[name]!)")
            }
            return value
        }
        if let v: SceneParameters.TimeOfDay = try choice("time_of_day") { p.timeOfDay = v }
        if let v: SceneParameters.Weather = try choice("weather") { p.weather = v }
        if let v: SceneParameters.Layout = try choice("layout") { p.layout = v }
        if let v: SceneParameters.Rig = try choice("rig") { p.rig = v }
        if let v = try number("camera_height") { p.cameraHeight = max(0.3, v) }
        if let v = try number("camera_pitch") { p.cameraPitch = v }
        if let v = try number("fov") { p.fieldOfView = max(10, min(120, v)) }
        if let v = try number("pedestrians") { p.pedestrians = Int(max(0, v).rounded()) }
        if let v = try number("cars") { p.cars = Int(max(0, v).rounded()) }
        if let v = try number("cyclists") { p.cyclists = Int(max(0, v).rounded()) }
        if let v = try number("lanes") { p.lanes = Int(v.rounded()) }
        if let v = try number("glass_facades") { p.glassFacades = max(0, min(1, v)) }
        if let v = try number("sun_azimuth") { p.sunAzimuth = v }
        if let v = try number("sun_elevation") { p.sunElevation = v }
        (p.lens, p.sensor) = try Self.camera(values)
        return (p, Self.recorded(values))
    }

    /// Every parameter's value for one image, drawn in a fixed order from `random` (the
    /// composition's environment map first), then `pinned` values (`--set`) replacing theirs.
    /// Drawing everything keeps the stream identical whether or not a value is pinned.
    func drawValues(_ random: inout RandomStream, pinned: [String: String]) throws(EngineError) -> [String: String] {
        var values: [String: String] = [:]
        if let composition { values["environment"] = composition.environment.draw(&random) }
        let known = knownParameters
        for name in known.keys.sorted() {
            let drawn = parameters[name]?.draw(&random)
            if let drawn { values[name] = drawn }
        }
        for (name, value) in pinned {
            if name == "environment", let composition {
                // Pinned by the file's name, as the image attribute shows it.
                guard let file = composition.environmentFiles.first(where: { Self.stem($0) == value || $0 == value }) else {
                    throw EngineError(
                        .invalidSpec, "--set environment=\(String(value.prefix(40)).terminalSafe): not one of the recipe's environment maps"
                    )
                }
                values[name] = file
                continue
            }
            guard known[name] != nil else {
                throw EngineError(
                    .invalidSpec, "--set \(name): unknown parameter (expected one of \(known.keys.sorted().joined(separator: ", ")))")
            }
            values[name] = value
        }
        return values
    }

    static func stem(_ path: String) -> String {
        FileIO.lastComponent(of: path).split(separator: ".").first.map(String.init) ?? path
    }

    /// Numbers recorded to three decimals (those too large to round that way, as given); an
    /// environment map by its file name.
    static func recorded(_ values: [String: String]) -> [String: String] {
        var out = values.mapValues { text in
            Double(text).map { abs($0) < 1e12 ? String(Double(Int(($0 * 1000).rounded())) / 1000) : text } ?? text
        }
        if let environment = values["environment"] { out["environment"] = stem(environment) }
        return out
    }
}
