internal import Foundation
internal import FoundationXML
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

/// A minimal element tree built with Foundation's XMLParser: enough for VOC's plain structure.
struct XMLTree {
    var name: String
    var text: String
    var elements: [XMLTree]

    func child(_ name: String) -> XMLTree? { elements.first { $0.name == name } }
    func children(_ name: String) -> [XMLTree] { elements.filter { $0.name == name } }

    static func parse(_ bytes: [UInt8], file: String) throws(DatasetsError) -> XMLTree {
        let parser = XMLParser(data: Data(bytes))
        let builder = Builder()
        parser.delegate = builder
        parser.shouldResolveExternalEntities = false
        guard parser.parse(), let root = builder.root else {
            let line = parser.lineNumber
            let reason = parser.parserError.map { ($0 as NSError).localizedDescription } ?? "unknown error"
            throw DatasetsError(.syntax, path: file, at: line > 0 ? ":\(line)" : nil, "not valid XML (\(reason))")
        }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [XMLTree] = []
        var root: XMLTree?

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            stack.append(XMLTree(name: name, text: "", elements: []))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard var element = stack.popLast() else { return }
            element.text = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if stack.isEmpty { root = element } else { stack[stack.count - 1].elements.append(element) }
        }
    }
}
