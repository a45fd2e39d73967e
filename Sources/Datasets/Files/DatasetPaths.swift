internal import ImageIO

/// Paths inside a dataset: names from annotation files are checked before they touch the disk.
enum DatasetPaths {
    /// Joins a relative name from a dataset file onto `base`, refusing names that are absolute or
    /// climb out of `root` (`../../etc/passwd`). Returns the path relative to `root`.
    static func contained(_ name: String, under base: String, root: String, file: String, field: String) throws(DatasetsError) -> String {
        guard !name.isEmpty else { throw DatasetsError(.invalidValue, path: file, at: field, "file name is empty") }
        guard !name.hasPrefix("/"), !name.contains("\0") else {
            throw DatasetsError(
                .unsafePath, path: file, at: field, "file name \"\(name)\" is absolute; it must stay inside the dataset folder")
        }
        let baseParts = relative(base, to: root).split(separator: "/").map(String.init)
        var parts = baseParts
        for component in name.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                guard !parts.isEmpty else {
                    throw DatasetsError(.unsafePath, path: file, at: field, "file name \"\(name)\" leaves the dataset folder")
                }
                parts.removeLast()
            default: parts.append(String(component))
            }
        }
        guard !parts.isEmpty else { throw DatasetsError(.invalidValue, path: file, at: field, "file name \"\(name)\" names no file") }
        return parts.joined(separator: "/")
    }

    /// `path` with `.` components and `x/..` pairs removed, lexically (links are not resolved).
    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            parts.append(component)
        }
        let joined = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// `path` relative to `root` when it lies under it (else `path` unchanged).
    static func relative(_ path: String, to root: String) -> String {
        if path == root { return "" }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// Whether a file name has an image extension we read.
    static func isImageName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), !name.hasPrefix(".") else { return false }
        return ImageFormat.imageExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// Image files under `directory`, recursively, sorted, as paths relative to `root`. Symbolic links
    /// are followed, but a folder reached twice (a loop of links) is skipped and reported.
    static func images(under directory: String, root: String, problems: inout [DatasetsError]) throws(DatasetsError) -> [String] {
        var out: [String] = []
        var visited: Set<FileIO.FileIdentity> = []
        if let id = FileIO.identity(directory) { visited.insert(id) }
        try walk(directory, root: root, visited: &visited, out: &out, problems: &problems)
        return out
    }

    private static func walk(
        _ directory: String, root: String, visited: inout Set<FileIO.FileIdentity>, out: inout [String], problems: inout [DatasetsError]
    ) throws(DatasetsError) {
        let entries: [FileIO.Entry]
        do {
            entries = try FileIO.list(directory)
        } catch {
            throw DatasetsError(.unreadable, path: directory, error.message)
        }
        for entry in entries where !entry.name.hasPrefix(".") {
            let full = "\(directory)/\(entry.name)"
            switch entry.kind {
            case .file where isImageName(entry.name):
                out.append(relative(full, to: root))
            case .directory:
                guard let id = entry.identity, visited.insert(id).inserted else {
                    problems.append(
                        DatasetsError(.unreadable, path: full, "skipped: this folder was already visited (a loop of symbolic links)"))
                    continue
                }
                try walk(full, root: root, visited: &visited, out: &out, problems: &problems)
            case .broken where entry.isSymbolicLink:
                problems.append(DatasetsError(.unreadable, path: full, "skipped: a symbolic link that leads nowhere (or loops)"))
            default:
                continue
            }
        }
    }

    /// Width and height from the image header, or zero with a problem recorded.
    static func probeSize(_ path: String, problems: inout [DatasetsError]) -> (width: Int, height: Int) {
        do {
            let info = try ImageFile.probe(path)
            return (info.width, info.height)
        } catch {
            problems.append(DatasetsError(.unreadable, path: path, error.message))
            return (0, 0)
        }
    }

    /// The bytes of a file, as a dataset error.
    static func read(_ path: String) throws(DatasetsError) -> [UInt8] {
        do {
            return try FileIO.read(path)
        } catch {
            throw DatasetsError(.unreadable, path: path, error.message)
        }
    }

    /// Text of a file, as a dataset error.
    static func readText(_ path: String) throws(DatasetsError) -> String {
        String(decoding: try read(path), as: UTF8.self)
    }

    static func writeAtomically(_ text: String, to path: String) throws(DatasetsError) {
        do {
            try FileIO.writeAtomically(Array(text.utf8), to: path)
        } catch {
            throw DatasetsError(.writeFailed, path: path, error.message)
        }
    }

    static func createDirectory(_ path: String) throws(DatasetsError) {
        do {
            try FileIO.createDirectory(path)
        } catch {
            throw DatasetsError(.writeFailed, path: error.path ?? path, error.message)
        }
    }

    static func copy(_ source: String, to target: String) throws(DatasetsError) {
        do {
            try FileIO.copy(source, to: target)
        } catch {
            throw DatasetsError(error.code == .writeFailed ? .writeFailed : .unreadable, path: error.path ?? source, error.message)
        }
    }
}
