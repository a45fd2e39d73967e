internal import Datasets
internal import Foundation
internal import ImageIO
internal import Rendering
internal import StudioCore

/// Renders the units of a render job: image `i` of seed `s` from `RandomStream(seed: s).derived(i)`,
/// so it is the same in every run, shard and resume. Each unit carries the image, its COCO
/// annotations (RLE masks and boxes from the instance map the same rays made), a 16-bit instance
/// mask, a 16-bit depth map in millimetres, and provenance with every drawn parameter.
public struct RenderJob: Sendable {
    public let recipe: Recipe
    /// How the recipe is named in provenance.
    public let recipeName: String
    public let seed: UInt64
    public let count: Int
    public let pinned: [String: String]
    public let shard: JobSpec.Shard

    public init(recipe: Recipe, recipeName: String, seed: UInt64, count: Int, pinned: [String: String], shard: JobSpec.Shard = .whole) {
        self.recipe = recipe
        self.recipeName = recipeName
        self.seed = seed
        self.count = count
        self.pinned = pinned
        self.shard = shard
    }

    /// The file name of unit `index`.
    public func name(_ index: Int) -> String { String(format: "s%llu-%06d.png", seed, index) }

    /// Renders unit `index` (on every core) and returns what writes it into `folder` — labels,
    /// PNG encoding, then the mask, depth and image files and the manifest last — for
    /// `UnitPipeline` to run while the next unit renders.
    public func produce(_ index: Int, into folder: String) throws(EngineError) -> UnitPipeline.Write {
        let stream = RandomStream(seed: seed).derived(UInt64(index))
        var drawing = stream.derived(0)
        let (parameters, drawn) = try recipe.draw(&drawing, pinned: pinned)
        let renderer = StreetRenderer(width: recipe.width, height: recipe.height, samplesPerPixel: recipe.samplesPerPixel)
        let output = renderer.render(parameters, stream: stream)
        return { () throws(EngineError) in try write(index, output, parameters, drawn, into: folder) }
    }

    private func write(_ index: Int, _ output: RenderOutput, _ parameters: SceneParameters, _ drawn: [String: String], into folder: String)
        throws(EngineError)
    {
        let attributes = parameters.attributes
        var annotations: [(category: String, annotation: Annotation)] = []
        var pixels: [Int: [Int]] = [:]
        for (p, id) in output.instances.enumerated() where id > 0 { pixels[Int(id), default: []].append(p) }
        for id in pixels.keys.sorted() {
            guard let object = output.objects[id], let members = pixels[id], members.count >= recipe.minArea,
                object.visibility >= recipe.minVisibility
            else { continue }
            var mask = [UInt8](repeating: 0, count: output.width * output.height)
            for p in members { mask[p] = 1 }
            let rle = RunLengthMask(rowMajor: mask, width: output.width, height: output.height)
            var extra = attributes
            extra["visibility"] = String(Double(Int(object.visibility * 1000)) / 1000)
            extra["instance"] = String(id)
            if let amodal = object.amodal {
                extra["amodal_bbox"] = [amodal.x, amodal.y, amodal.width, amodal.height].map { String(Double(Int($0 * 10)) / 10) }.joined(
                    separator: ",")
            }
            if let source = object.reflects { extra["reflects"] = String(source) }
            annotations.append((object.label, Annotation(categoryID: 0, box: rle.boundingBox, mask: .rle(rle), attributes: extra)))
        }
        var provenance: [String: Any] = ["recipe": recipeName, "seed": String(seed), "index": index, "file_name": name(index)]
        provenance["parameters"] = drawn
        let provenanceText =
            (try? JSONSerialization.data(withJSONObject: provenance, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) }
            ?? "{}"
        var unit = GeneratedUnit(
            index: index, name: name(index), width: output.width, height: output.height, attributes: attributes, annotations: annotations,
            provenance: provenanceText)
        unit.extras = ["masks": "mask.png", "depth": "depth.png"]
        do {
            try FileIO.createDirectory(folder)
            try ImageFile.write(
                Image(width: output.width, height: output.height, layout: .gray, pixels: .sixteen(output.instances)),
                to: "\(folder)/mask.png")
            try ImageFile.write(
                Image(width: output.width, height: output.height, layout: .gray, pixels: .sixteen(output.depth)), to: "\(folder)/depth.png")
        } catch {
            throw EngineError(.commitFailed, "cannot write unit \(index): \(error.message)")
        }
        try unit.write(image: Image(width: output.width, height: output.height, layout: .rgb, pixels: .eight(output.rgb)), to: folder)
    }

    /// The indices this shard renders, without those in `done`.
    public func pending(done: Set<Int>) -> [Int] { shard.indices(of: count).filter { !done.contains($0) } }
}
