internal import Datasets
internal import Foundation
internal import ImageIO
internal import Rendering
internal import StudioCore

/// A recipe that composes a scene from the user's assets (`scene: assets`): which files, the
/// class each is labelled as, how many to place and how large, on a ground plane under an HDR
/// environment, seen by a camera that circles the middle. Files are relative to the workspace
/// (the folder with `studio.yaml` above the recipe; else the recipe's own folder).
public struct Composition: Sendable {
    public struct Entry: Sendable {
        /// The file or folder as the recipe names it, resolved.
        public var file: String
        /// The model files it stands for: the file, or a folder's model files by name (each
        /// placement takes one of them at random).
        public var files: [String]
        public var className: String
        public var count: Recipe.Distribution
        public var scale: Recipe.Distribution
        /// Seconds into a skinned asset's animation each placement is posed at (nil: at rest).
        public var animationTime: Recipe.Distribution? = nil
        /// The path it is placed along (nil: anywhere on the ground) and how far to either side.
        public var along: String? = nil
        public var spread: Double = 0.3
    }

    /// Model files a folder entry takes in, by extension.
    static let modelExtensions: Set<String> = ["gltf", "glb", "obj", "fbx", "dae", "ply", "stl"]

    public var assets: [Entry]
    /// Environment map files (a constant or a `choice` among them).
    public var environment: Recipe.Distribution
    public var environmentFiles: [String]
    /// Half the side of the square objects stand in, metres.
    public var area: Double = 3
    public var ground = SIMD3<Float>(0.35, 0.33, 0.3)
    /// The ground's procedural pattern (one of `GroundLook.patterns`), nil for plain.
    public var groundPattern: String?
    /// Named polylines on the ground (x, z in metres) assets can be placed along.
    public var paths: [String: [SIMD2<Float>]] = [:]
    /// Pictures drawn onto objects in place of their own colour (domain randomization's texture
    /// lever), nil for none.
    public var textures: RandomTextures?

    /// `textures: {folder: F, share: S}`: a folder's PNG and JPEG pictures, and the share of
    /// objects (0…1) that wear one of them (drawn per object, in each image).
    public struct RandomTextures: Sendable {
        public var files: [String]
        public var share: Double
    }

    /// Picture files a `textures:` folder takes in, by extension.
    static let pictureExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Parameters a composed scene takes, with what each must be.
    static let known: [String: String] = [
        "fov": "degrees, 10…120", "camera_distance": "metres, 0.5…1000", "camera_height": "metres, 0…1000",
        "camera_yaw": "degrees", "environment_rotation": "degrees", "environment_strength": "a factor, 0…100",
        "color_variation": "a share 0…1", "roughness_variation": "a share 0…1", "wetness": "a share 0…1",
    ]

    static func parse(_ top: [String: YAMLFields], recipeFile: String) throws(DatasetsError) -> Composition {
        let root = workspace(of: recipeFile)
        func resolve(_ field: YAMLFields) throws(DatasetsError) -> String {
            let name = try field.string()
            let path = name.hasPrefix("/") ? name : "\(root)/\(name)"
            guard FileIO.isFile(path) else {
                throw field.error("no such file \(name.terminalSafe) (relative to \(root.terminalSafe))", code: .invalidValue)
            }
            return path
        }
        let paths = try top["paths"].map(Self.paths) ?? [:]
        guard let list = top["assets"] else { throw DatasetsError(.schema, path: recipeFile, "a composed scene needs `assets:`") }
        var entries: [Entry] = []
        for item in try list.sequence() {
            let fields = try item.dictionary(allowed: ["file", "class", "count", "scale", "animation_time", "along", "spread"])
            guard let file = fields["file"], let name = fields["class"] else { throw item.error("each asset needs file and class") }
            let count = try fields["count"].map(Recipe.distribution) ?? .constant("1")
            let scale = try fields["scale"].map(Recipe.distribution) ?? .constant("1")
            let (path, files) = try modelFiles(file, root: root)
            var entry = Entry(file: path, files: files, className: try name.string(), count: count, scale: scale)
            entry.animationTime = try fields["animation_time"].map(Recipe.distribution)
            if let along = fields["along"] {
                let name = try along.string()
                guard paths[name] != nil else {
                    throw along.error(
                        "no path \(String(name.prefix(40)).terminalSafe) (the recipe's `paths:` name them)", code: .invalidValue)
                }
                entry.along = name
            }
            if let spread = fields["spread"] {
                entry.spread = try spread.double()
                guard entry.spread >= 0, entry.spread <= 100 else { throw spread.error("spread must be 0…100 metres", code: .invalidValue) }
            }
            entries.append(entry)
        }
        guard !entries.isEmpty else { throw list.error("lists no assets") }
        guard let environment = top["environment"] else {
            throw DatasetsError(.schema, path: recipeFile, "a composed scene needs `environment:`")
        }
        var files: [String] = []
        let distribution: Recipe.Distribution
        if environment.isMapping {
            let choice = try environment.dictionary(allowed: ["choice"])
            guard let options = choice["choice"] else { throw environment.error("environment is a file or choice: {file: weight, …}") }
            var weighted: [(String, Double)] = []
            for (name, weight) in try options.mapping() {
                let path = name.hasPrefix("/") ? name : "\(root)/\(name)"
                guard FileIO.isFile(path) else { throw options.error("no such file \(name.terminalSafe)", code: .invalidValue) }
                let w = try weight.double()
                guard w >= 0 else { throw weight.error("weight \(w) is negative", code: .invalidValue) }
                weighted.append((path, w))
                files.append(path)
            }
            guard weighted.contains(where: { $0.1 > 0 }) else { throw options.error("choice needs a positive weight", code: .invalidValue) }
            distribution = .choice(weighted)
        } else {
            let path = try resolve(environment)
            files = [path]
            distribution = .constant(path)
        }
        var out = Composition(assets: entries, environment: distribution, environmentFiles: files)
        out.paths = paths
        out.textures = try top["textures"].map { field throws(DatasetsError) in try Self.textures(field, root: root) }
        if let ground = top["ground"] {
            let fields = try ground.dictionary(allowed: ["area", "color", "pattern"])
            if let pattern = fields["pattern"] {
                let name = try pattern.string()
                guard GroundLook.patterns.contains(name) else {
                    throw pattern.error(
                        "pattern \(String(name.prefix(40)).terminalSafe) is not one of \(GroundLook.patterns.joined(separator: ", "))",
                        code: .invalidValue)
                }
                out.groundPattern = name
            }
            if let area = fields["area"] {
                out.area = try area.double()
                guard out.area > 0, out.area <= 500 else { throw area.error("area must be 0…500 metres", code: .invalidValue) }
            }
            if let color = fields["color"] {
                let values = try color.sequence().map { v throws(DatasetsError) in Float(try v.double()) }
                guard values.count == 3, values.allSatisfy({ (0...1).contains($0) }) else {
                    throw color.error("color is [r, g, b], each 0…1")
                }
                out.ground = SIMD3(values[0], values[1], values[2])
            }
        }
        return out
    }

    /// The file or folder `field` names (relative to the workspace `root`) and the model files
    /// it stands for: the file, or the folder's model files by name.
    static func modelFiles(_ field: YAMLFields, root: String) throws(DatasetsError) -> (path: String, files: [String]) {
        let name = try field.string()
        let path = name.hasPrefix("/") ? name : "\(root)/\(name)"
        if FileIO.isFile(path) { return (path, [path]) }
        guard FileIO.isDirectory(path) else {
            throw field.error("no such file \(name.terminalSafe) (relative to \(root.terminalSafe))", code: .invalidValue)
        }
        let files = try Self.files(in: path, extensions: Self.modelExtensions, field)
        guard !files.isEmpty else {
            throw field.error(
                "the folder \(path.terminalSafe) holds no model files (\(Self.modelExtensions.sorted().joined(separator: ", ")))",
                code: .invalidValue)
        }
        return (path, files)
    }

    /// The files of the folder `path` (named by `field`) whose extension is one of `extensions`,
    /// by name.
    static func files(in path: String, extensions: Set<String>, _ field: YAMLFields) throws(DatasetsError) -> [String] {
        let listed: [FileIO.Entry]
        do { listed = try FileIO.list(path) } catch { throw field.error("cannot list the folder \(path.terminalSafe)") }
        return listed.filter { $0.kind == .file && extensions.contains(FileIO.pathExtension(of: $0.name).lowercased()) }
            .map { "\(path)/\($0.name)" }
    }

    /// `textures:` — a folder of pictures (relative to the workspace `root`) and a share.
    static func textures(_ field: YAMLFields, root: String) throws(DatasetsError) -> RandomTextures {
        let fields = try field.dictionary(allowed: ["folder", "share"])
        guard let folder = fields["folder"] else { throw field.error("textures needs folder (and share, 0…1)") }
        let name = try folder.string()
        let path = name.hasPrefix("/") ? name : "\(root)/\(name)"
        guard FileIO.isDirectory(path) else {
            throw folder.error("no such folder \(name.terminalSafe) (relative to \(root.terminalSafe))", code: .invalidValue)
        }
        let files = try Self.files(in: path, extensions: Self.pictureExtensions, folder)
        guard !files.isEmpty else {
            throw folder.error("the folder \(path.terminalSafe) holds no PNG or JPEG pictures", code: .invalidValue)
        }
        var share = 0.5
        if let field = fields["share"] {
            share = try field.double()
            guard (0...1).contains(share) else { throw field.error("share must be 0…1", code: .invalidValue) }
        }
        return RandomTextures(files: files, share: share)
    }

    /// `paths:` — each name a list of at least two `[x, z]` points in metres.
    static func paths(_ field: YAMLFields) throws(DatasetsError) -> [String: [SIMD2<Float>]] {
        var out: [String: [SIMD2<Float>]] = [:]
        for (name, points) in try field.mapping() {
            var line: [SIMD2<Float>] = []
            for point in try points.sequence() {
                let xz = try point.sequence().map { v throws(DatasetsError) in try v.double() }
                guard xz.count == 2, xz.allSatisfy({ $0.isFinite && abs($0) <= 1e4 }) else {
                    throw point.error("a path's point is [x, z] in metres")
                }
                line.append(SIMD2(Float(xz[0]), Float(xz[1])))
            }
            guard line.count >= 2, zip(line, line.dropFirst()).contains(where: { $0 != $1 }) else {
                throw points.error("path \(String(name.prefix(40)).terminalSafe) needs at least two different points")
            }
            out[name] = line
        }
        return out
    }

    /// The folder holding `studio.yaml` above the recipe, else the recipe's folder.
    static func workspace(of recipe: String) -> String {
        let start = FileIO.parentDirectory(of: FileIO.absolute(recipe))
        var folder = start
        for _ in 0..<8 {
            if FileIO.isFile("\(folder)/studio.yaml") { return folder }
            let parent = FileIO.parentDirectory(of: folder)
            if parent == folder { break }
            folder = parent
        }
        return start
    }

    /// A pinnable count per labelled class, `count_<class>`: how many of each of that class's
    /// assets to place (the planner pins it to fill a gap of the class; `--set count_crate=3`).
    var countParameters: [String: String] {
        Dictionary(classes.map { ("count_\($0)", "a count, 0…500, of each asset of class \($0)") }) { a, _ in a }
    }

    /// The count that fills a gap of `className`: the most its assets are drawn with (at least
    /// 2), pinned as `count_<class>`; nil when no asset is labelled so.
    public func plentiful(_ className: String) -> (parameter: String, value: String)? {
        let counts = assets.filter { $0.className == className }.map { $0.count.upperBound ?? 1 }
        guard let most = counts.max() else { return nil }
        return ("count_\(className)", String(Int(min(500, max(2, most.rounded(.up))))))
    }

    /// The classes this composition labels, in the order its assets list them.
    var classes: [String] {
        var out: [String] = []
        for entry in assets where !out.contains(entry.className) { out.append(entry.className) }
        return out
    }
}

extension CompositionFiles {
    /// How far above the ground an asset's lowest point rests, in metres: a hair, as real objects
    /// rest on a thin film of air. Touching, a flat-bottomed solid of glass shares the ground's
    /// plane, and which of the two a ray meets there is the ray tracer's arbitrary choice: the
    /// glass's base then shows the ground in speckle where a real one mirrors its surroundings
    /// (total internal reflection), and a ray leaving through the base began past the ground.
    /// More than the renderer's 1 mm ray offset, less than a pixel at the distances recipes use.
    static let contactGap: Float = 0.002

    /// Whether two circles on the ground (centre, radius) overlap.
    static func overlap(_ a: (SIMD2<Float>, Float), _ b: (SIMD2<Float>, Float)) -> Bool {
        ((a.0 - b.0) * (a.0 - b.0)).sum().squareRoot() < a.1 + b.1
    }

    /// A point drawn along `path` (uniform in length), moved up to `spread` metres to either
    /// side, and the heading there (the yaw that turns +z along the path, either way).
    static func along(_ path: [SIMD2<Float>], spread: Float, _ random: inout RandomStream) -> (SIMD2<Float>, Float) {
        let lengths = zip(path, path.dropFirst()).map { a, b in ((b - a) * (b - a)).sum().squareRoot() }
        var t = Float(random.nextUnit()) * lengths.reduce(0, +)
        var segment = 0
        while segment < lengths.count - 1 && t > lengths[segment] {
            t -= lengths[segment]
            segment += 1
        }
        let (a, b) = (path[segment], path[segment + 1])
        let direction = lengths[segment] > 0 ? (b - a) / lengths[segment] : SIMD2(0, 1)
        let side = SIMD2(-direction.y, direction.x) * ((Float(random.nextUnit()) * 2 - 1) * spread)
        let backwards = random.nextUnit() < 0.5
        let heading = atan2f(direction.x, direction.y) + (backwards ? .pi : 0)
        return (a + direction * min(t, lengths[segment]) + side, heading)
    }
}

/// A composition's files, read once per job: every asset and environment map, so a missing or
/// broken file fails before the first image.
struct CompositionFiles: Sendable {
    /// Every entry's model files, one after another; entry k's start at `firstAsset[k]`.
    let assets: [Asset]
    let firstAsset: [Int]
    let environments: [String: HDRImage]
    /// The `textures:` folder's pictures, decoded with our own PNG and JPEG decoders.
    let textures: [Texture]

    init(_ composition: Composition) throws(EngineError) {
        var assets: [Asset] = [], first: [Int] = []
        for entry in composition.assets {
            first.append(assets.count)
            for file in entry.files {
                do { assets.append(try Asset.load(file)) } catch {
                    throw EngineError(.invalidSpec, "asset \(error.description)")
                }
            }
        }
        firstAsset = first
        var environments: [String: HDRImage] = [:]
        for file in composition.environmentFiles {
            do { environments[file] = try HDRFile.read(file) } catch {
                throw EngineError(.invalidSpec, "environment map \(error.description)")
            }
        }
        self.assets = assets
        self.environments = environments
        var textures: [Texture] = []
        for file in composition.textures?.files ?? [] {
            do {
                textures.append(
                    Texture(try ImageFile.read(file, limits: Texture.decodeLimits), encoding: .sRGB))
            } catch {
                throw EngineError(.invalidSpec, "texture \(error.description)")
            }
        }
        self.textures = textures
    }

    /// The scene of one image: every distribution drawn from `random`, objects placed without
    /// overlapping (as far as 30 tries each allow), on a ground plane.
    func scene(_ composition: Composition, values: [String: String], random: inout RandomStream) throws(EngineError) -> (
        ComposedScene, attributes: [String: String]
    ) {
        func number(_ name: String, _ fallback: Float, _ range: ClosedRange<Float>) throws(EngineError) -> Float {
            guard let text = values[name] else { return fallback }
            guard let v = Float(text), v.isFinite, range.contains(v) else {
                throw EngineError(.invalidSpec, "\(name) = \(text.prefix(40)) is out of range (\(Composition.known[name]!))")
            }
            return v
        }
        let fov = try number("fov", 50, 10...120)
        let distance = try number("camera_distance", 6, 0.5...1000)
        let height = try number("camera_height", 1.6, 0...1000)
        let yaw = try number("camera_yaw", 0, -1e6...1e6) * .pi / 180
        let rotation = try number("environment_rotation", 0, -1e6...1e6)
        let strength = try number("environment_strength", 1, 0...100)
        let colorVariation = try number("color_variation", 0, 0...1)
        let roughnessVariation = try number("roughness_variation", 0, 0...1)
        let wetness = try number("wetness", 0, 0...1)
        let environmentFile = values["environment"] ?? composition.environmentFiles[0]
        guard let environment = environments[environmentFile] else {
            throw EngineError(.invalidSpec, "environment = \(environmentFile.terminalSafe) is not one of the recipe's")
        }
        // The ground: a square twice the area's size plus a margin, under everything.
        let side = Float(composition.area) * 8 + distance * 2
        let ground = AssetMesh(
            positions: [SIMD3(-side, 0, -side), SIMD3(side, 0, -side), SIMD3(side, 0, side), SIMD3(-side, 0, side)],
            normals: Array(repeating: SIMD3(0, 1, 0), count: 4), uvs: [], tangents: [], triangles: [SIMD3(0, 2, 1), SIMD3(0, 3, 2)],
            material: 0)
        var groundMaterial = SurfaceMaterial()
        groundMaterial.baseColor = SIMD4(composition.ground, 1)
        groundMaterial.roughness = 0.9
        var assets = self.assets
        assets.append(Asset(file: "ground", meshes: [ground], materials: [groundMaterial]))
        var placements = [Placement(asset: assets.count - 1, position: .zero, label: nil)]
        // The camera's spot is taken too (a lens's breadth around it): an object drawn over it
        // would put the camera inside the object, a black frame labelled whole.
        let eye = SIMD3(sinf(yaw) * distance, height, -cosf(yaw) * distance)
        let camera = (SIMD2(eye.x, eye.z), Float(0.25))
        var taken: [(SIMD2<Float>, Float)] = [camera]
        let area = Float(composition.area)
        for (index, entry) in composition.assets.enumerated() {
            // A pinned count replaces the drawn one; the draw is still made, so what follows is
            // placed as it would be.
            let drawn = entry.count.draw(&random)
            guard let count = Double(values["count_\(entry.className)"] ?? drawn), count.isFinite, count <= 500 else {
                throw EngineError(.invalidSpec, "the count of \(entry.className.terminalSafe) must be a number 0…500")
            }
            for _ in 0..<Int(max(0, count).rounded()) {
                guard let scale = Float(entry.scale.draw(&random)), scale.isFinite, scale > 0, scale <= 1000 else {
                    throw EngineError(.invalidSpec, "the scale of \(entry.className.terminalSafe) must be a number 0…1000")
                }
                // One of a folder's models (a single file's entry draws nothing here).
                var asset = firstAsset[index], attributes: [String: String] = [:]
                if entry.files.count > 1 {
                    let k = min(entry.files.count - 1, Int(random.nextUnit() * Double(entry.files.count)))
                    asset += k
                    attributes["asset"] = Recipe.stem(entry.files[k])
                }
                // A skinned asset posed at its own moment of its animation: a copy of its own.
                if let time = entry.animationTime {
                    guard let seconds = Double(time.draw(&random)), seconds.isFinite, abs(seconds) < 1e6 else {
                        throw EngineError(.invalidSpec, "the animation_time of \(entry.className.terminalSafe) must be a number of seconds")
                    }
                    assets.append(self.assets[asset].posed(at: seconds))
                    asset = assets.count - 1
                    attributes["animation_time_s"] = Asset.animationTimeAttribute(seconds)
                }
                let bounds = assets[asset].bounds
                let footprint = SIMD2(bounds.max.x - bounds.min.x, bounds.max.z - bounds.min.z) * scale
                let radius = (footprint * footprint).sum().squareRoot() / 2
                var spot = SIMD2<Float>.zero, heading: Float? = nil
                let path = entry.along.flatMap { composition.paths[$0] }
                for _ in 0..<30 {
                    if let path {
                        (spot, heading) = Self.along(path, spread: Float(entry.spread), &random)
                    } else {
                        spot = (random.nextSquare() * 2 - 1) * area
                    }
                    if !taken.contains(where: { Self.overlap($0, (spot, radius)) }) { break }
                }
                // Where every try overlaps, it stands among the others, but never over the camera.
                if Self.overlap(camera, (spot, radius)) { continue }
                taken.append((spot, radius))
                // Standing on the ground: the asset's lowest point just above y = 0; along a path facing
                // one way or the other along it, a little askew; elsewhere any way.
                let turn = heading.map { $0 + (Float(random.nextUnit()) - 0.5) * 0.35 } ?? Float(random.nextUnit()) * 2 * .pi
                var placement = Placement(
                    asset: asset, position: SIMD3(spot.x, -bounds.min.y * scale + Self.contactGap, spot.y), yaw: turn, scale: scale,
                    label: entry.className)
                placement.attributes = attributes
                placement.tint = Placement.tint(variation: colorVariation, &random)
                placement.roughness = 1 + (Float(random.nextUnit()) * 2 - 1) * roughnessVariation
                placements.append(placement)
            }
        }
        let target = SIMD3<Float>(0, 0.5, 0)
        var scene = ComposedScene(
            assets: assets, placements: placements,
            environment: EnvironmentMap(environment, rotationDegrees: rotation, strength: strength), camera: (eye, target, fov))
        scene.exposure = 1
        if let pictures = composition.textures, !textures.isEmpty {
            // Which objects wear a picture, and which, from a stream of their own: the placements
            // stay as drawn.
            var draw = random.derived(0x7E_C5)
            scene.textures = textures
            for i in scene.placements.indices where scene.placements[i].label != nil {
                guard draw.nextUnit() < pictures.share else { continue }
                let k = min(textures.count - 1, Int(draw.nextUnit() * Double(textures.count)))
                // Glass keeps its tint: an object all of glass wears nothing (and says so).
                let asset = scene.assets[scene.placements[i].asset]
                guard asset.meshes.contains(where: { asset.materials[$0.material].transmission == 0 }) else { continue }
                scene.placements[i].texture = k
                scene.placements[i].attributes["texture"] = Recipe.stem(pictures.files[k])
            }
        }
        if composition.groundPattern != nil || wetness > 0 {
            // The pattern's variant from a stream of its own: the placements stay as drawn.
            var look = random.derived(0x6_0D)
            scene.ground = GroundLook(
                placement: 0, pattern: composition.groundPattern, wetness: wetness, variant: UInt32(truncatingIfNeeded: look.next()))
        }
        (scene.lens, scene.sensor) = try Recipe.camera(values)
        let name = FileIO.lastComponent(of: environmentFile).split(separator: ".").first.map(String.init) ?? "environment"
        var attributes = ["environment": name].merging(scene.lens.attributes) { a, _ in a }.merging(scene.sensor.attributes) { a, _ in a }
        if values["wetness"] != nil { attributes["wetness"] = String(Double(Int((wetness * 10).rounded())) / 10) }
        return (scene, attributes)
    }
}
