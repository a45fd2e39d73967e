internal import ImageIO

extension Workspace {
    /// The lock every edit of `studio.yaml` holds (`.studio/studio.yaml.lock`).
    static func editLockPath(_ root: String) -> String { "\(root)/.studio/\(fileName).lock" }

    /// Adds a dataset entry to `studio.yaml` and returns the workspace as read back.
    ///
    /// The entry is inserted as text at the end of the `datasets:` list (or a new list is
    /// appended), so the user's comments and layout survive; the result is read back and, if it
    /// does not parse, the file is left as it was. The file is read, edited and written under an
    /// exclusive lock, so two processes adding datasets at the same moment both land; when the
    /// name is already there (added by the other one), the workspace is returned as it is.
    public func adding(name: String, path: String, origin: Origin, format: DatasetFormat? = nil) throws(DatasetsError) -> Workspace {
        guard !datasets.contains(where: { $0.name == name }) else { return self }
        let lock: FileLock?
        do {
            try FileIO.createDirectory("\(root)/.studio")
            lock = try FileLock.acquire(Self.editLockPath(root))
        } catch {
            throw DatasetsError(.writeFailed, path: "\(root)/\(Self.fileName)", "cannot lock the workspace file: \(error.message)")
        }
        defer { withExtendedLifetime(lock) {} }
        // Read again under the lock: another process may have edited the file since `self` was read.
        let current = try Workspace.load(root)
        guard !current.datasets.contains(where: { $0.name == name }) else { return current }
        return try current.insertingEntry(name: name, path: path, origin: origin, format: format)
    }

    private func insertingEntry(name: String, path: String, origin: Origin, format: DatasetFormat?) throws(DatasetsError) -> Workspace {
        let file = "\(root)/\(Self.fileName)"
        let original = try DatasetPaths.readConfiguration(file)
        var lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let quoted = { (s: String) in "\"" + s.replacingOccurrences("\\", "\\\\").replacingOccurrences("\"", "\\\"") + "\"" }
        if let start = lines.firstIndex(where: { $0.hasPrefix("datasets:") }) {
            // The list ends at the next line that starts a top-level key.
            var end = start + 1
            var indent = "  "
            while end < lines.count {
                let line = lines[end]
                if let first = line.first, first != " ", first != "-", first != "#" { break }
                if let dash = line.firstIndex(of: "-"), line[..<dash].allSatisfy({ $0 == " " }), indent == "  " || end == start + 1 {
                    indent = String(line[..<dash])
                }
                end += 1
            }
            while end > start + 1, lines[end - 1].trimmingSpaces().isEmpty { end -= 1 }
            var entry = ["\(indent)- name: \(quoted(name))", "\(indent)  path: \(quoted(path))", "\(indent)  origin: \(origin.rawValue)"]
            if let format { entry.append("\(indent)  format: \(format.rawValue)") }
            if lines[start].trimmingSpaces() != "datasets:" { lines[start] = "datasets:" }  // `datasets: []`
            lines.insert(contentsOf: entry, at: end)
        } else {
            lines += ["datasets:", "  - name: \(quoted(name))", "    path: \(quoted(path))", "    origin: \(origin.rawValue)"]
            if let format { lines.append("    format: \(format.rawValue)") }
        }
        try DatasetPaths.writeAtomically(lines.joined(separator: "\n") + "\n", to: file)
        do {
            return try Workspace.load(root)
        } catch {
            try? DatasetPaths.writeAtomically(original, to: file)
            throw error
        }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }

    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
