internal import ImageIO

/// Paths inside a dataset: names from annotation files are checked before they touch the disk.
enum DatasetPaths {
    /// Joins a relative name from a dataset file onto `base`, refusing names that are absolute or
    /// climb out of `root` (`../../etc/passwd`). Returns the path relative to `root`.
    static func contained(_ name: String, under base: String, root: String, file: String, field: String) throws(DatasetsError) -> String {
        guard !name.isEmpty else { throw DatasetsError(.invalidValue, path: file, at: field, "file name is empty") }
        guard name.utf8.count <= DatasetLimits.fileName else {
            throw DatasetsError(
                .invalidValue, path: file, at: field, "a file name of \(name.utf8.count) bytes (the limit is \(DatasetLimits.fileName))")
        }
        guard !name.utf8.contains(0) else {
            throw DatasetsError(.invalidValue, path: file, at: field, "the file name holds a NUL byte, which no file name can")
        }
        guard !name.hasPrefix("/") else {
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
    static func images(under directory: String, root: String, links: LinkPolicy, problems: inout [DatasetsError]) throws(DatasetsError)
        -> [String]
    {
        var out: [String] = []
        var visited: Set<FileIO.FileIdentity> = []
        if let id = FileIO.identity(directory) { visited.insert(id) }
        let inside = Inside(root: root, links: links)
        try walk(directory, root: root, inside: inside, visited: &visited, out: &out, problems: &problems)
        return out
    }

    private static func walk(
        _ directory: String, root: String, inside: Inside, visited: inout Set<FileIO.FileIdentity>, out: inout [String],
        problems: inout [DatasetsError]
    ) throws(DatasetsError) {
        for entry in try entries(of: directory, inside: inside, problems: &problems) {
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
                try walk(full, root: root, inside: inside, visited: &visited, out: &out, problems: &problems)
            default:
                continue
            }
        }
    }

    /// The dataset's folder with links resolved, to tell whether a link leaves it.
    struct Inside {
        let real: String?
        let links: LinkPolicy

        init(root: String, links: LinkPolicy) {
            real = links == .follow ? nil : FileIO.realPath(root)
            self.links = links
        }

        func contains(_ path: String) -> Bool {
            guard let real else { return true }
            guard let target = FileIO.realPath(path) else { return true }
            return target == real || target.hasPrefix(real.hasSuffix("/") ? real : real + "/")
        }
    }

    /// The visible entries of a dataset folder a reader may use. Reported and skipped: names that
    /// are not UTF-8, symbolic links that lead nowhere or out of the dataset, and anything that is
    /// neither a file nor a folder (FIFOs, sockets, devices).
    static func entries(of directory: String, inside: Inside, problems: inout [DatasetsError]) throws(DatasetsError) -> [FileIO.Entry] {
        let listed: [FileIO.Entry]
        do {
            listed = try FileIO.list(directory)
        } catch {
            throw DatasetsError(.unreadable, path: directory, error.message)
        }
        var out: [FileIO.Entry] = []
        for entry in listed where !entry.name.hasPrefix(".") {
            let full = "\(directory)/\(entry.name)"
            guard entry.nameIsUTF8 else {
                problems.append(DatasetsError(.unreadable, path: full, "skipped: the name is not valid UTF-8"))
                continue
            }
            switch entry.kind {
            case .broken where entry.isSymbolicLink:
                problems.append(DatasetsError(.unreadable, path: full, "skipped: a symbolic link that leads nowhere (or loops)"))
                continue
            case .broken:
                problems.append(DatasetsError(.unreadable, path: full, "skipped: cannot be examined"))
                continue
            case .other:
                problems.append(DatasetsError(.unreadable, path: full, "skipped: neither a file nor a folder (a FIFO, socket or device)"))
                continue
            case .file, .directory: break
            }
            if entry.isSymbolicLink, !inside.contains(full) {
                problems.append(
                    DatasetsError(
                        .unsafePath, path: full,
                        "skipped: a symbolic link to \(FileIO.realPath(full) ?? "?"), outside the dataset (follow_links: true on the dataset in studio.yaml follows it)"
                    ))
                continue
            }
            out.append(entry)
        }
        return out
    }

    /// The lines of a text file: a UTF-8 byte-order mark dropped, `\n`, `\r\n` and `\r` all ending
    /// a line (files written on Windows are read like any other).
    static func lines(_ text: String) -> [Substring] {
        let body = text.hasPrefix("\u{FEFF}") ? text.dropFirst() : Substring(text)
        return body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
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

    /// A configuration file's text (studio.yaml, data.yaml, a recipe, VOC XML), refusing files
    /// larger than `DatasetLimits.configurationFile` before reading them.
    package static func readConfiguration(_ path: String) throws(DatasetsError) -> String {
        do {
            return String(decoding: try FileIO.read(path, limit: DatasetLimits.configurationFile), as: UTF8.self)
        } catch {
            throw DatasetsError(.unreadable, path: path, error.message)
        }
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

/// Whether a reader follows symbolic links that lead out of the dataset folder.
public enum LinkPolicy: Sendable, Hashable {
    /// Links leaving the dataset are skipped and reported (the default: a holdout folder linked
    /// into a training set must not be counted silently).
    case stayInside
    /// Followed wherever they lead (`follow_links: true` on the dataset in `studio.yaml`).
    case follow
}
