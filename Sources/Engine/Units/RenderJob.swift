public import Datasets
internal import Foundation
internal import ImageIO
internal import Rendering
internal import StudioCore

/// Renders the units of a render job: image `i` of seed `s` from `RandomStream(seed: s).derived(i)`,
/// so it is the same in every run, shard and resume. Each unit carries the image, its COCO
/// annotations (RLE masks and boxes from the instance map the same rays made), a 16-bit instance
/// mask, a 16-bit depth map in millimetres, and provenance with every drawn parameter.
public struct RenderJob: UnitProducer, Sendable {
    public let spec: RenderSpec
    /// The recipe with the spec's size and samples per pixel applied.
    public let recipe: Recipe
    /// The renderer's class names to the dataset's (the spec's, else the recipe's); empty: as is.
    public let labels: [String: String]
    public let classes: [String]
    public let key: UnitKey
    /// A composed scene's assets and environment maps, read once.
    let files: CompositionFiles?
    /// The street recipe's own models, read once.
    let people: [PersonAsset]
    let props: [PropAsset]

    public var plan: UnitPlan { spec.units }
    public var layout: DatasetCommitter.Layout { .coco }

    /// Reads the recipe; the key covers its bytes, the pins, the overrides, the labels and the seed.
    public init(_ spec: RenderSpec) throws(EngineError) {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(spec.recipe, limit: DatasetLimits.configurationFile) } catch {
            throw EngineError(.invalidSpec, "cannot read the recipe \(spec.recipe.terminalSafe): \(error.message)")
        }
        var recipe = try Recipe.parse(String(decoding: bytes, as: UTF8.self), file: spec.recipe)
        if let size = spec.size { (recipe.width, recipe.height) = (size.width, size.height) }
        if let spp = spec.samplesPerPixel { recipe.samplesPerPixel = spp }
        let labels = spec.labels ?? recipe.labels
        self.spec = spec
        self.recipe = recipe
        self.labels = labels
        let produced = recipe.classes(labels: labels)
        classes = (spec.classes ?? []) + produced.filter { !(spec.classes ?? []).contains($0) }
        let sorted = { (map: [String: String]) in map.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") }
        key = UnitKey(
            stem: FileIO.lastComponent(of: spec.recipe).split(separator: ".").first.map(String.init) ?? "render",
            inputs: [
                .text("render/1"), .bytes(bytes), .text(sorted(spec.pins)), .text(spec.size?.description ?? ""),
                .text(spec.samplesPerPixel.map(String.init) ?? ""), .text(sorted(labels)), .text(String(spec.units.seed)),
            ])
        // A missing or broken asset, or a pin the recipe does not know, fails now, not at the
        // first image.
        files = try recipe.composition.map { c throws(EngineError) in try CompositionFiles(c) }
        (people, props) = try recipe.streetAssets?.load() ?? ([], [])
        var probe = RandomStream(seed: 0)
        _ = try recipe.drawValues(&probe, pinned: spec.pins)
    }

    /// zlib's level for a render's PNGs (image, mask, depth). Measured on 640×480 street
    /// renders: level 2 encodes in 17.5 ms and 344 KB an image, libpng's default 6 in 83 ms and
    /// 310 KB (rendered noise barely compresses; 1 is no faster than 2 and larger, 3 is 30 ms).
    static let pngLevel = 2

    /// How the recipe is named in provenance.
    var recipeName: String { FileIO.lastComponent(of: spec.recipe) }

    /// Renders unit `index` (on every core) and returns what writes it into `folder` — labels,
    /// PNG encoding, then the mask, depth and image files and the manifest last — for
    /// `UnitPipeline` to run while the next unit renders.
    public func produce(_ index: Int, into folder: String) throws(EngineError) -> UnitPipeline.Write {
        let (output, parameters, drawn) = try render(index, samplesPerPixel: recipe.samplesPerPixel)
        return { () throws(EngineError) in try write(index, output, parameters, drawn, into: folder) }
    }

    /// The labels unit `index` will carry, from a render at one sample per pixel (labels come from
    /// each pixel's first sample, so they are those of the full render): what the gap planner
    /// counts to size a job.
    public func labelled(_ index: Int) throws(EngineError) -> (
        attributes: [String: String], annotations: [(category: String, annotation: Annotation)]
    ) {
        let (output, attributes, _) = try render(index, samplesPerPixel: 1)
        return (attributes, annotations(output, attributes))
    }

    /// The image, its attributes, and every drawn parameter (for provenance).
    private func render(_ index: Int, samplesPerPixel: Int) throws(EngineError) -> (RenderOutput, [String: String], [String: String]) {
        let stream = RandomStream(seed: spec.units.seed).derived(UInt64(index))
        if let (scene, attributes, values) = try composed(index) {
            let renderer = AssetRenderer(width: recipe.width, height: recipe.height, samplesPerPixel: samplesPerPixel)
            return (renderer.render(scene, stream: stream), attributes, Recipe.recorded(values))
        }
        var drawing = stream.derived(0)
        let (parameters, drawn) = try recipe.draw(&drawing, pinned: spec.pins)
        var renderer = StreetRenderer(width: recipe.width, height: recipe.height, samplesPerPixel: samplesPerPixel)
        renderer.people = people
        renderer.props = try props.map { prop throws(EngineError) in
            // A pinned count (`--set count_bin=3`, the planner's plenty) replaces the recipe's.
            guard let text = drawn["count_\(prop.className)"] else { return prop }
            guard let count = Double(text), count.isFinite, (0...500).contains(count) else {
                throw EngineError(.invalidSpec, "the count of \(prop.className.terminalSafe) must be a number 0…500")
            }
            var pinned = prop
            pinned.counts = Int(count.rounded())...Int(count.rounded())
            return pinned
        }
        let output = renderer.render(parameters, stream: stream)
        return (output, parameters.attributes.merging(output.attributes) { _, scene in scene }, drawn)
    }

    /// One annotation per labelled object in view, under its dataset class name. Objects too
    /// small (fewer visible pixels than `min_area`, or a box under 2 px either way) or too
    /// hidden (visibility under `min_visibility`) become ignore regions — `iscrowd: 1` with
    /// `ignore: true` and the reason — so a trainer neither learns them nor counts them as
    /// background.
    private func annotations(_ output: RenderOutput, _ attributes: [String: String]) -> [(category: String, annotation: Annotation)] {
        var annotations: [(category: String, annotation: Annotation)] = []
        var pixels: [Int: [Int]] = [:]
        for (p, id) in output.instances.enumerated() where id > 0 { pixels[Int(id), default: []].append(p) }
        func rounded(_ v: Double, _ places: Double) -> String { String(Double(Int(v * places)) / places) }
        for id in pixels.keys.sorted() {
            guard let object = output.objects[id], let members = pixels[id] else { continue }
            guard let category = labels.isEmpty ? object.label : labels[object.label] else { continue }
            var mask = [UInt8](repeating: 0, count: output.width * output.height)
            for p in members { mask[p] = 1 }
            let rle = RunLengthMask(rowMajor: mask, width: output.width, height: output.height)
            let box = rle.boundingBox
            var extra = attributes
            for (key, value) in object.attributes { extra[key] = value }
            extra["visibility"] = rounded(object.visibility, 1000)
            extra["occlusion"] = object.visibility >= 0.9 ? "none" : (object.visibility >= 0.5 ? "partial" : "heavy")
            extra["truncation"] = rounded(object.truncation, 1000)
            if let distance = object.distance { extra["distance_m"] = rounded(distance, 10) }
            extra["instance"] = String(id)
            if let amodal = object.amodal {
                extra["amodal_bbox"] = [amodal.x, amodal.y, amodal.width, amodal.height].map { rounded($0, 10) }.joined(separator: ",")
            }
            if let source = object.reflects { extra["reflects"] = String(source) }
            var ignored: String? = nil
            if members.count < recipe.minArea || (box?.width ?? 0) < 2 || (box?.height ?? 0) < 2 {
                ignored = "small"
            } else if object.visibility < recipe.minVisibility {
                ignored = "occluded"
            }
            if let ignored {
                extra["ignore"] = "true"
                extra["ignore_reason"] = ignored
            }
            annotations.append(
                (category, Annotation(categoryID: 0, box: box, mask: .rle(rle), isCrowd: ignored != nil, attributes: extra)))
        }
        return annotations
    }

    private func write(_ index: Int, _ output: RenderOutput, _ attributes: [String: String], _ drawn: [String: String], into folder: String)
        throws(EngineError)
    {
        let name = key.name(index, ext: output.jpegQuality == nil ? "png" : "jpg")
        var provenance: [String: Any] = [
            "generator": "render", "recipe": recipeName, "seed": String(spec.units.seed), "index": index, "file_name": name, "key": key.key,
        ]
        provenance["parameters"] = drawn
        if !labels.isEmpty { provenance["labels"] = labels }
        let provenanceText =
            (try? JSONSerialization.data(withJSONObject: provenance, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) }
            ?? "{}"
        var unit = GeneratedUnit(
            index: index, name: name, width: output.width, height: output.height, attributes: attributes,
            annotations: annotations(output, attributes), provenance: provenanceText)
        unit.extras = ["masks": "mask.png", "depth": "depth.png"]
        do {
            try FileIO.createDirectory(folder)
            try ImageFile.write(
                Image(width: output.width, height: output.height, layout: .gray, pixels: .sixteen(output.instances)),
                to: "\(folder)/mask.png", pngLevel: Self.pngLevel)
            try ImageFile.write(
                Image(width: output.width, height: output.height, layout: .gray, pixels: .sixteen(output.depth)), to: "\(folder)/depth.png",
                pngLevel: Self.pngLevel)
        } catch {
            throw EngineError(.commitFailed, "cannot write unit \(index): \(error.message)")
        }
        try unit.write(
            image: Image(width: output.width, height: output.height, layout: .rgb, pixels: .eight(output.rgb)), to: folder,
            jpegQuality: output.jpegQuality, pngLevel: Self.pngLevel)
    }
}
