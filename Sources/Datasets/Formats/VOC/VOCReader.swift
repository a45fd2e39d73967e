internal import CXML
internal import Foundation
internal import ImageIO
internal import StudioCore

/// Reads Pascal VOC: `Annotations/*.xml`, images in `JPEGImages/`, splits from
/// `ImageSets/Main/{train,val,test}.txt` when present.
///
/// VOC boxes are 1-based and inclusive (`xmin = 1, xmax = 10` is ten pixels starting at column
/// 0); they become `x = xmin - 1, width = xmax - xmin + 1`. `difficult`, `truncated`, `occluded`
/// and `pose` become annotation attributes.
public enum VOCReader {
    public static func read(root: String) throws(DatasetsError) -> (categories: [Category], samples: [Sample], problems: [DatasetsError]) {
        let annotationDirectory = "\(root)/Annotations"
        let files: [String]
        do {
            files = try FileIO.list(annotationDirectory).filter { $0.kind == .file && $0.name.lowercased().hasSuffix(".xml") }.map(\.name)
        } catch {
            throw DatasetsError(.unreadable, path: annotationDirectory, error.message)
        }
        let splits = try readSplits(root: root)
        var problems: [DatasetsError] = []
        var parsed: [(sample: Sample, objects: [(name: String, annotation: Annotation)])] = []
        for file in files {
            let path = "\(annotationDirectory)/\(file)"
            let tree = try XMLTree.parse(try DatasetPaths.read(path), file: path)
            guard tree.name == "annotation" else {
                throw DatasetsError(.schema, path: path, "the root element is <\(tree.name)>, not <annotation>")
            }
            guard let fileName = tree.child("filename")?.text, !fileName.isEmpty else {
                throw DatasetsError(.schema, path: path, at: "annotation.filename", "missing")
            }
            let relative = try DatasetPaths.contained(
                fileName, under: "\(root)/JPEGImages", root: root, file: path, field: "annotation.filename")
            var width = Int(tree.child("size")?.child("width")?.text ?? "") ?? 0
            var height = Int(tree.child("size")?.child("height")?.text ?? "") ?? 0
            if width <= 0 || height <= 0 {
                (width, height) = DatasetPaths.probeSize("\(root)/\(relative)", problems: &problems)
            }
            let stem = String(file.dropLast(4))
            var objects: [(String, Annotation)] = []
            for (i, object) in tree.children("object").enumerated() {
                let field = "annotation.object[\(i)]"
                guard let name = object.child("name")?.text, !name.isEmpty else {
                    throw DatasetsError(.schema, path: path, at: "\(field).name", "missing")
                }
                var box: BoundingBox?
                if let bndbox = object.child("bndbox") {
                    var v: [Double] = []
                    for key in ["xmin", "ymin", "xmax", "ymax"] {
                        guard let text = bndbox.child(key)?.text, let value = Double(text), value.isFinite else {
                            throw DatasetsError(.schema, path: path, at: "\(field).bndbox.\(key)", "expected a number")
                        }
                        v.append(value)
                    }
                    guard v[2] >= v[0], v[3] >= v[1] else {
                        throw DatasetsError(.invalidValue, path: path, at: "\(field).bndbox", "xmax/ymax are smaller than xmin/ymin")
                    }
                    box = BoundingBox(x: v[0] - 1, y: v[1] - 1, width: v[2] - v[0] + 1, height: v[3] - v[1] + 1)
                }
                var attributes: [String: String] = [:]
                for key in ["difficult", "truncated", "occluded", "pose"] {
                    if let text = object.child(key)?.text, !text.isEmpty, text != "Unspecified" { attributes[key] = text }
                }
                objects.append((name, Annotation(categoryID: -1, box: box, attributes: attributes)))
            }
            parsed.append((Sample(path: relative, width: width, height: height, split: splits[stem]), objects))
        }
        let names = Set(parsed.flatMap { $0.objects.map(\.name) }).sorted()
        let categories = names.enumerated().map { Category(id: $0.offset, name: $0.element) }
        let idOf = Dictionary(uniqueKeysWithValues: categories.map { ($0.name, $0.id) })
        let samples = parsed.map { entry -> Sample in
            var sample = entry.sample
            sample.annotations = entry.objects.map { object in
                var annotation = object.annotation
                annotation.categoryID = idOf[object.name]!
                return annotation
            }
            return sample
        }
        return (categories, samples, problems)
    }

    private static func readSplits(root: String) throws(DatasetsError) -> [String: String] {
        var out: [String: String] = [:]
        for split in ["train", "val", "test"] {
            let path = "\(root)/ImageSets/Main/\(split).txt"
            guard FileIO.isFile(path) else { continue }
            for line in try DatasetPaths.readText(path).split(whereSeparator: \.isNewline) {
                if let stem = line.split(separator: " ").first { out[String(stem)] = split }
            }
        }
        return out
    }
}

/// A minimal element tree of an XML document — enough for VOC's plain structure — parsed with
/// libxml2 (Foundation's parser crashed the process on a non-UTF-8 element name and overflowed the
/// stack on deep nesting). libxml2 refuses nesting deeper than 256 and bad encodings; documents
/// with a DTD are refused outright (no entity of any kind is expanded), and only text and CDATA
/// nodes are read as text.
struct XMLTree {
    var name: String
    var text: String
    var elements: [XMLTree]
    /// The line the element starts on.
    var line: Int

    func child(_ name: String) -> XMLTree? { elements.first { $0.name == name } }
    func children(_ name: String) -> [XMLTree] { elements.filter { $0.name == name } }

    /// Elements kept per document (a VOC file has a few dozen).
    static let elementLimit = 100_000

    static func parse(_ bytes: [UInt8], file: String) throws(DatasetsError) -> XMLTree {
        guard bytes.count <= DatasetLimits.configurationFile else {
            throw DatasetsError(
                .invalidValue, path: file, "an annotation file of \(bytes.count) bytes (the limit is \(DatasetLimits.configurationFile))")
        }
        guard !bytes.isEmpty, bytes.count <= Int32.max else {
            throw DatasetsError(.syntax, path: file, "not valid XML (the file is empty)")
        }
        if let failure = cxml_load() { throw DatasetsError(.unreadable, path: file, String(cString: failure)) }
        var message = [CChar](repeating: 0, count: 512)
        var line: Int32 = 0
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cxml_parse($0.baseAddress, Int32($0.count), file, &message, message.count, &line) }
        }
        guard let document else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let shown =
                text.isEmpty
                ? "unknown error"
                : text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; ")
            throw DatasetsError(.syntax, path: file, at: line > 0 ? ":\(line)" : nil, "not valid XML (\(shown))")
        }
        defer { cxml_free_document(document) }
        guard cxml_has_dtd(document) == 0 else {
            throw DatasetsError(.schema, path: file, "has a DOCTYPE; annotation files may not declare entities or a DTD")
        }
        guard let root = cxml_root(document) else { throw DatasetsError(.syntax, path: file, "not valid XML (no root element)") }
        var count = 0
        return try tree(root, file: file, count: &count)
    }

    private static func tree(_ node: UnsafeMutableRawPointer, file: String, count: inout Int) throws(DatasetsError) -> XMLTree {
        count += 1
        guard count <= elementLimit else { throw DatasetsError(.invalidValue, path: file, "more than \(elementLimit) XML elements") }
        var element = XMLTree(
            name: cxml_node_name(node).map { String(cString: $0) } ?? "", text: "", elements: [], line: Int(cxml_node_line(node)))
        var text: [UInt8] = []
        var child = cxml_node_children(node)
        while let current = child {
            switch cxml_node_kind(current) {
            case CXML_ELEMENT: element.elements.append(try tree(current, file: file, count: &count))
            case CXML_TEXT:
                if let content = cxml_node_text(current) {
                    var p = content
                    while p.pointee != 0 {
                        text.append(p.pointee)
                        p += 1
                    }
                    guard text.count <= DatasetLimits.attribute else {
                        throw DatasetsError(
                            .invalidValue, path: file, at: ":\(element.line)",
                            "the text of <\(element.name.prefix(80))> exceeds \(DatasetLimits.attribute) bytes")
                    }
                }
            default: break
            }
            child = cxml_node_next(current)
        }
        element.text = String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return element
    }
}
