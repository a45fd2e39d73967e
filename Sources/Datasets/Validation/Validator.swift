internal import ImageIO
internal import StudioCore

/// One thing wrong with a dataset.
public struct ValidationIssue: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Reading skipped something (a loop of links, a header that would not probe).
        case readProblem = "read-problem"
        case missingFile = "missing-file"
        case unreadableImage = "unreadable-image"
        /// The annotation file's width/height disagree with the image.
        case sizeMismatch = "size-mismatch"
        case boxOutsideImage = "box-outside-image"
        case emptyBox = "empty-box"
        case unknownCategory = "unknown-category"
        /// An image file in the dataset's image folder that no annotation file lists: left by a
        /// commit that was interrupted between moving the image and recording it.
        case orphanImage = "orphan-image"
        case emptyClass = "empty-class"
        /// Commits in the dataset's journal not yet folded into `annotations.json`: our tools
        /// read them, other tools see the dataset as of the last compaction.
        case pendingJournal = "pending-journal"

        /// Worth knowing but not wrong: a class no image has yet (a generator's fixed class list
        /// names every class it can make), commits not yet compacted. `validate` exits 0 on these.
        public var isWarning: Bool { self == .emptyClass || self == .pendingJournal }
    }

    public let kind: Kind
    /// The file concerned (an image, a label file), or the dataset folder.
    public let path: String
    public let detail: String

    public init(kind: Kind, path: String, detail: String) {
        self.kind = kind
        self.path = path
        self.detail = detail
    }
}

/// Checks a dataset against its files.
public enum Validator {
    /// Every problem found. With `decodeImages`, each image is fully decoded (catching truncated
    /// files); otherwise only its header is read. Images are checked on all cores.
    public static func validate(_ dataset: Dataset, decodeImages: Bool = true) -> [ValidationIssue] {
        var issues = dataset.problems.map { ValidationIssue(kind: .readProblem, path: $0.path, detail: $0.message) }
        let known = Set(dataset.categories.map(\.id))

        // Images: in parallel, results kept in sample order.
        let samples = dataset.samples
        issues += Parallel.map(samples.count) { i in
            checkImage(samples[i], path: dataset.imagePath(of: samples[i]), decode: decodeImages)
        }.flatMap { $0 }

        for sample in samples {
            let path = dataset.imagePath(of: sample)
            for (i, annotation) in sample.annotations.enumerated() {
                if !known.contains(annotation.categoryID) {
                    issues.append(
                        ValidationIssue(
                            kind: .unknownCategory, path: path,
                            detail: "annotation \(i) has category id \(annotation.categoryID), which the dataset does not define"))
                }
                guard let box = annotation.box else { continue }
                if box.width <= 0 || box.height <= 0 {
                    issues.append(ValidationIssue(kind: .emptyBox, path: path, detail: "annotation \(i) box \(box) has no area"))
                }
                if sample.width > 0, sample.height > 0, !box.fits(width: sample.width, height: sample.height) {
                    issues.append(
                        ValidationIssue(
                            kind: .boxOutsideImage, path: path,
                            detail: "annotation \(i) box \(box) leaves the \(sample.width)×\(sample.height) image"))
                }
            }
        }
        issues += orphans(dataset)
        if DatasetJournal.isPending(dataset.root) {
            issues.append(
                ValidationIssue(
                    kind: .pendingJournal, path: DatasetJournal.path(dataset.root),
                    detail:
                        "commits not yet in annotations.json (a job is running or was interrupted); `synthstudio dataset compact` folds them in"
                ))
        }
        for category in ClassBalance(dataset).emptyClasses {
            issues.append(
                ValidationIssue(
                    kind: .emptyClass, path: dataset.root, detail: "class \"\(category.name)\" (id \(category.id)) has no annotations"))
        }
        return issues
    }

    /// Images in the `images/` folder of a COCO dataset in our layout (`annotations.json` +
    /// `images/`) that the dataset does not list.
    static func orphans(_ dataset: Dataset) -> [ValidationIssue] {
        let folder = "\(dataset.root)/\(COCOWriter.imageFolder)"
        guard dataset.format == .coco, FileIO.isFile("\(dataset.root)/\(COCOWriter.annotationFile)"), FileIO.isDirectory(folder)
        else { return [] }
        let listed = Set(dataset.samples.map { dataset.imagePath(of: $0) })
        let files = ((try? FileIO.list(folder)) ?? []).filter { $0.kind == .file && !$0.name.hasPrefix(".") }
        return files.map { "\(folder)/\($0.name)" }.filter { !listed.contains($0) }.sorted().map { path in
            ValidationIssue(
                kind: .orphanImage, path: path,
                detail: "no annotation file lists this image (an interrupted commit: resume its job, or remove the file)")
        }
    }

    private static func checkImage(_ sample: Sample, path: String, decode: Bool) -> [ValidationIssue] {
        guard FileIO.isFile(path) else { return [ValidationIssue(kind: .missingFile, path: path, detail: "the image file does not exist")] }
        do {
            let (width, height): (Int, Int)
            if decode {
                let image = try ImageFile.read(path)
                (width, height) = (image.width, image.height)
            } else {
                let info = try ImageFile.probe(path)
                (width, height) = (info.width, info.height)
            }
            if sample.width != width || sample.height != height {
                return [
                    ValidationIssue(
                        kind: .sizeMismatch, path: path,
                        detail: "labels say \(sample.width)×\(sample.height), the image is \(width)×\(height)")
                ]
            }
            return []
        } catch {
            return [ValidationIssue(kind: .unreadableImage, path: path, detail: error.message)]
        }
    }
}
