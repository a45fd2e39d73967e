/// Unique file names for the images of a dataset being written, so two samples called `0001.png`
/// in different folders never overwrite each other.
struct ExportNames {
    private var used: Set<String> = []

    /// A name under `folder` (may be empty) for `sample`, unique among the names given so far.
    mutating func name(for sample: Sample, in folder: String = "") -> String {
        let prefix = folder.isEmpty ? "" : folder + "/"
        let fileName = sample.fileName
        let ext = fileName.contains(".") ? String(fileName[fileName.lastIndex(of: ".")!...]) : ""
        var candidate = prefix + fileName
        var n = 1
        while !used.insert(candidate).inserted {
            candidate = "\(prefix)\(sample.stem)-\(n)\(ext)"
            n += 1
        }
        return candidate
    }
}
