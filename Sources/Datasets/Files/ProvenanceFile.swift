internal import Foundation
internal import ImageIO
internal import StudioCore

/// `provenance.jsonl` beside a synthetic dataset: one JSON object per image, with at least
/// `file_name` (relative to the image folder, as in the annotation file).
enum ProvenanceFile {
    static let name = "provenance.jsonl"

    /// Lines by `file_name`; an absent file gives an empty map. Every line must be a JSON object
    /// with a string `file_name`.
    static func read(root: String) throws(DatasetsError) -> [String: String] {
        let path = "\(root)/\(name)"
        guard FileIO.isFile(path) else { return [:] }
        var out: [String: String] = [:]
        for (index, line) in DatasetPaths.lines(try DatasetPaths.readText(path)).enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let object = try? JSONReader.parse(Array(text.utf8)), let fileName = object["file_name"]?.string else {
                throw DatasetsError(.syntax, path: path, at: ":\(index + 1)", "expected a JSON object with a string \"file_name\"")
            }
            out[fileName] = text
        }
        return out
    }

    /// Writes the provenance of every sample that has one, keyed by its exported file name.
    static func write(_ lines: [(fileName: String, provenance: String)], root: String) throws(DatasetsError) {
        guard !lines.isEmpty else { return }
        var text = ""
        for (fileName, provenance) in lines {
            // Re-key the stored object to the exported name, keeping every other field.
            if let members = (try? JSONReader.parse(Array(provenance.utf8)))?.members {
                var fields = members.filter { $0.0 != "file_name" } + [("file_name", .string(fileName))]
                fields.sort { $0.0 < $1.0 }
                text += JSONValue.object(fields).serialized() + "\n"
                continue
            }
            text += JSONValue.object([("file_name", .string(fileName)), ("provenance", .string(provenance))]).serialized() + "\n"
        }
        try DatasetPaths.writeAtomically(text, to: "\(root)/\(name)")
    }
}
