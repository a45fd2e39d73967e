internal import Datasets
internal import Engine
internal import Foundation
internal import GAN
internal import ImageIO
internal import NeuralNet
internal import Rendering
internal import StudioCore

/// Every reader of outside input, as one entry point per fuzz target: `make fuzz` runs them under
/// libFuzzer with AddressSanitizer (`synthstudio-fuzz`); `make test` replays the seed corpus and
/// every crasher ever found (`FuzzTargetsTests`). A target may throw any error for any input;
/// it must never crash, hang, leak or allocate without bound.
public enum FuzzTargets {
    /// The targets, by name.
    public static let names = [
        "image", "coco", "journal", "yolo", "voc", "imagefolder", "workspace", "recipe", "safetensors", "run", "jobspec", "event",
        "gltf", "glb", "obj", "hdr", "ply", "stl", "dae", "fbx",
    ]

    /// Feeds one input to a target.
    public static func run(_ target: String, _ data: [UInt8]) {
        let scratch = Scratch.folder
        switch target {
        case "image":
            // Full decodes up to 16 M pixels (the standard limit, 256 M, is a legitimate 1 GiB
            // allocation that would cross the fuzzer's 2 GB memory limit under AddressSanitizer).
            _ = try? ImageFile.decode(data, limits: DecodeLimits(maxPixels: 1 << 24))
            _ = try? ImageFile.probe(bytes: data)
            _ = try? ImageFile.decodeForDisplay(data, minWidth: 7, minHeight: 5)
        case "coco":
            let root = Scratch.dataset("coco", files: ["annotations.json": data], images: ["images/a.png"])
            read(root, .coco)
        case "journal":
            let base = Array(#"{"images":[],"annotations":[],"categories":[{"id":1,"name":"x"}]}"#.utf8)
            let root = Scratch.dataset(
                "journal", files: ["annotations.json": base, DatasetJournal.fileName: data], images: ["images/a.png"])
            read(root, .coco)
        case "yolo":
            // data.yaml, then a label file, split at the first NUL byte.
            let cut = data.firstIndex(of: 0) ?? data.count
            let root = Scratch.dataset(
                "yolo", files: ["data.yaml": Array(data[..<cut]), "labels/train/a.txt": Array(data[min(data.count, cut + 1)...])],
                images: ["images/train/a.png"])
            read(root, .yolo)
        case "voc":
            let root = Scratch.dataset("voc", files: ["Annotations/a.xml": data], images: ["JPEGImages/a.png"])
            read(root, .voc)
        case "imagefolder":
            // Each line a path to create under the dataset: class folders, nested folders, images.
            let paths = String(decoding: data.prefix(4096), as: UTF8.self).split(whereSeparator: \.isNewline).prefix(32).map(String.init)
            let root = Scratch.dataset("imagefolder", files: [:], images: paths.filter { !$0.contains("..") && !$0.hasPrefix("/") })
            read(root, .imageFolder)
        case "workspace":
            let root = Scratch.dataset("workspace", files: ["studio.yaml": data], images: [])
            if let workspace = try? Workspace.load(root) {
                for entry in workspace.datasets { _ = workspace.path(of: entry) }
            }
        case "recipe":
            if let recipe = try? Recipe.parse(String(decoding: data, as: UTF8.self), file: "recipe.yaml") {
                var random = RandomStream(seed: 1)
                _ = try? recipe.draw(&random, pinned: [:])
            }
        case "safetensors":
            _ = try? SafeTensors.decode(data)
        case "run":
            let run = "\(scratch)/run"
            try? FileIO.createDirectory(run)
            try? FileIO.writeAtomically(data, to: GANRunInfo.path(run), durable: false)
            _ = try? GANRunInfo.read(run: run)
        case "jobspec":
            _ = try? JobSpec.parse(data, file: "spec.json")
        case "event":
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") { _ = try? JobEvent.parse(line) }
        case "gltf":
            // The JSON, then the buffer it names (`cone.bin` in the seed), split at the first NUL.
            loadAsset(data, "a.gltf", beside: "cone.bin", image: "cone.png")
        case "glb":
            let root = Scratch.dataset("glb", files: ["a.glb": data], images: [])
            _ = try? Asset.load("\(root)/a.glb")
        case "obj":
            // The OBJ, then the MTL it names (`crate.mtl` in the seed), split at the first NUL.
            loadAsset(data, "a.obj", beside: "crate.mtl", image: "crate.png")
        case "ply", "stl", "dae", "fbx":
            // One file, read by Assimp through our importer (`make fuzz` also seeds these from
            // Debian's assimp-testmodels).
            let root = Scratch.dataset(target, files: ["a.\(target)": data], images: [])
            _ = try? Asset.load("\(root)/a.\(target)")
        case "hdr":
            // Radiance or OpenEXR (told by the first bytes), up to 4 M pixels.
            let root = Scratch.dataset("hdr", files: ["a.hdr": data], images: [])
            _ = try? HDRFile.read("\(root)/a.hdr", limits: DecodeLimits(maxSide: 4096, maxPixels: 1 << 22))
        default:
            fatalError("unknown fuzz target \(target) (one of \(names.joined(separator: ", ")))")
        }
    }

    /// Imports `file` made of `data` up to its first NUL, with the rest as `beside` (the file it
    /// names) and a tiny PNG as `image`.
    private static func loadAsset(_ data: [UInt8], _ file: String, beside: String, image: String) {
        let cut = data.firstIndex(of: 0) ?? data.count
        let root = Scratch.dataset(
            "asset", files: [file: Array(data[..<cut]), beside: Array(data[min(data.count, cut + 1)...])], images: [image])
        _ = try? Asset.load("\(root)/\(file)")
    }

    private static func read(_ root: String, _ format: DatasetFormat) {
        guard let dataset = try? DatasetIO.read(root, format: format) else { return }
        _ = Validator.validate(dataset, decodeImages: false)
        _ = CoverageMatrix([dataset], spec: CoverageSpec(rows: .category, columns: .attribute("weather")))
    }
}

/// A folder of this process for the inputs that are files (readers take paths), rewritten for
/// every input.
private enum Scratch {
    static let folder: String = {
        let path = "\(NSTemporaryDirectory())/synthstudio-fuzz-\(getpid())"
        try? FileIO.createDirectory(path)
        return path
    }()

    /// A dataset folder made afresh: `files` written, each of `images` a tiny PNG.
    static func dataset(_ name: String, files: [String: [UInt8]], images: [String]) -> String {
        let root = "\(folder)/\(name)"
        try? FileManager.default.removeItem(atPath: root)
        try? FileIO.createDirectory(root)
        for (path, bytes) in files {
            try? FileIO.createDirectory(FileIO.parentDirectory(of: "\(root)/\(path)"))
            try? FileIO.writeAtomically(bytes, to: "\(root)/\(path)", durable: false)
        }
        for path in images {
            try? FileIO.createDirectory(FileIO.parentDirectory(of: "\(root)/\(path)"))
            try? FileIO.writeAtomically(tinyPNG, to: "\(root)/\(path)", durable: false)
        }
        return root
    }

    static let tinyPNG: [UInt8] =
        (try? ImageFile.encode(Image(width: 4, height: 3, layout: .gray, pixels: .eight([UInt8](repeating: 9, count: 12))), as: .png)) ?? []
}
