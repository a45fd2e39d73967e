internal import ImageIO
internal import StudioCore

/// One folder per class, as torchvision's `ImageFolder` reads it: `root/<class>/**/<image>`, or
/// with splits, `root/<split>/<class>/**/<image>` when every top-level folder is a split name.
///
/// Categories are the class folders sorted by name, numbered from 0 (torchvision's order). Each image
/// gets one image-level annotation of its class. Folder names are kept exactly, control characters
/// included; they are escaped only when printed.
public enum ImageFolderFormat {
    static let splitNames: Set<String> = ["train", "val", "valid", "validation", "test"]

    public static func read(root: String, prober: ImageProber = ImageProber(), links: LinkPolicy = .stayInside)
        throws(DatasetsError) -> (categories: [Category], samples: [Sample], problems: [DatasetsError])
    {
        var problems: [DatasetsError] = []
        let inside = DatasetPaths.Inside(root: root, links: links)
        let top = try directories(root, inside: inside, problems: &problems)
        let hasSplits = !top.isEmpty && top.allSatisfy { splitNames.contains($0.lowercased()) }
        let groups: [(split: String?, folder: String)] = hasSplits ? top.map { ($0, "\(root)/\($0)") } : [(nil, root)]
        var classNames: Set<String> = []
        var found: [(split: String?, className: String, images: [String])] = []
        for group in groups {
            // Without splits the class folders are the top-level ones, already listed (and their
            // problems already reported).
            let classes = hasSplits ? try directories(group.folder, inside: inside, problems: &problems) : top
            for className in classes {
                classNames.insert(className)
                let images = try DatasetPaths.images(under: "\(group.folder)/\(className)", root: root, links: links, problems: &problems)
                found.append((group.split, className, images))
            }
        }
        let categories = classNames.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.enumerated().map {
            Category(id: $0.offset, name: $0.element)
        }
        let idOf = Dictionary(uniqueKeysWithValues: categories.map { ($0.name, $0.id) })
        let all = found.flatMap { entry in entry.images.map { (entry, $0) } }
        let sizes = prober.sizes(of: all.map { "\(root)/\($0.1)" }, problems: &problems)
        var samples: [Sample] = []
        samples.reserveCapacity(all.count)
        for ((entry, relative), size) in zip(all, sizes) {
            samples.append(
                Sample(
                    path: relative, width: size.width, height: size.height, split: entry.split.map(normalizedSplit),
                    annotations: [Annotation(categoryID: idOf[entry.className]!)]
                ))
        }
        return (categories, samples, problems)
    }

    /// Writes `root/<class>/<image>` (or `root/<split>/<class>/<image>` when samples have splits).
    /// Samples with boxes are cropped, one image per box, as classifier training wants; samples
    /// with only image-level labels are copied byte for byte.
    @discardableResult
    public static func write(_ dataset: Dataset, to directory: String) throws(DatasetsError) -> [String] {
        let names = dataset.categoriesByID
        let useSplits = dataset.samples.contains { $0.split != nil }
        var exportNames = ExportNames()
        var crops = 0, unlabelled = 0
        var provenance: [(fileName: String, provenance: String)] = []
        for sample in dataset.samples {
            if sample.annotations.isEmpty { unlabelled += 1 }
            let source = dataset.imagePath(of: sample)
            var decoded: Image?
            for (index, annotation) in sample.annotations.enumerated() {
                let className = folderName(names[annotation.categoryID]?.name ?? "category-\(annotation.categoryID)")
                let folder = useSplits ? "\(folderName(sample.split ?? "train"))/\(className)" : className
                try DatasetPaths.createDirectory("\(directory)/\(folder)")
                if let box = annotation.box {
                    if decoded == nil {
                        do { decoded = try ImageFile.read(source) } catch { throw DatasetsError(.unreadable, path: source, error.message) }
                    }
                    var cropSample = sample
                    cropSample.path = "\(sample.stem)_\(index).png"
                    let name = exportNames.name(for: cropSample, in: folder)
                    do {
                        try ImageFile.write(decoded!.cropped(to: box), to: "\(directory)/\(name)")
                    } catch {
                        throw DatasetsError(.writeFailed, path: "\(directory)/\(name)", error.message)
                    }
                    crops += 1
                    if let line = sample.provenance { provenance.append((name, line)) }
                } else {
                    let name = exportNames.name(for: sample, in: folder)
                    try DatasetPaths.copy(source, to: "\(directory)/\(name)")
                    if let line = sample.provenance { provenance.append((name, line)) }
                }
            }
        }
        try ProvenanceFile.write(provenance, root: directory)
        var notes: [String] = []
        if crops > 0 { notes.append("\(crops) box(es) were cropped into their class folders") }
        if unlabelled > 0 { notes.append("\(unlabelled) image(s) without labels have no class folder and were left out") }
        return notes
    }

    /// Rewrites `provenance.jsonl` for the samples that have provenance, keyed by their paths
    /// (how a synthetic ImageFolder records where each image came from).
    public static func writeProvenance(_ dataset: Dataset, to root: String) throws(DatasetsError) {
        try ProvenanceFile.write(dataset.samples.compactMap { s in s.provenance.map { (s.path, $0) } }, root: root)
    }

    /// A class or split name as one safe folder name: `/` and NUL cannot be in a file name, and
    /// `.`/`..` would mean something else.
    public static func folderName(_ name: String) -> String {
        let cleaned = name.replacingSlashes()
        return cleaned.isEmpty || cleaned == "." || cleaned == ".." ? "_\(cleaned)" : cleaned
    }

    private static func normalizedSplit(_ name: String) -> String {
        switch name.lowercased() {
        case "valid", "validation": "val"
        default: name.lowercased()
        }
    }

    private static func directories(_ path: String, inside: DatasetPaths.Inside, problems: inout [DatasetsError]) throws(DatasetsError)
        -> [String]
    {
        try DatasetPaths.entries(of: path, inside: inside, problems: &problems).filter { $0.kind == .directory }.map(\.name)
    }
}

extension String {
    fileprivate func replacingSlashes() -> String {
        String(unicodeScalars.map { $0 == "/" || $0 == "\0" ? "_" : Character($0) })
    }
}
