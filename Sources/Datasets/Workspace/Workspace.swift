internal import ImageIO

/// A workspace: a folder with a `studio.yaml` naming its datasets and what coverage it wants.
///
/// ```yaml
/// name: street-study
/// datasets:
///   - name: dashcam            # display name, unique
///     path: real/dashcam       # relative to the workspace, or absolute
///     format: coco             # optional: detected from the folder when absent
///     origin: real             # real | synthetic
///     holdout: false           # optional: held-out evaluation data, left out of coverage
/// coverage:
///   rows: category             # category | split | origin | dataset | any attribute key
///   cols: weather
///   values:                    # values that must show even when no data has them yet
///     weather: [sunny, cloudy, hazy, rain, snow]
///   target: 100                # annotations wanted per cell
///   targets:                   # overrides by row ("pedestrian") or cell ("pedestrian/snow")
///     pedestrian/snow: 200
///   labels:                    # the renderer's class names to this view's, for `fill`
///     pedestrian: person
/// ```
public struct Workspace: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var name: String
        /// As written in `studio.yaml`.
        public var path: String
        public var format: DatasetFormat?
        public var origin: Origin
        public var holdout: Bool
        /// `follow_links: true`: symbolic links leading out of the dataset's folder are followed
        /// (by default they are skipped and reported).
        public var followLinks = false
    }

    public static let fileName = "studio.yaml"
    /// The longest workspace or dataset name, in bytes (names are shown on every screen).
    public static let nameLimit = 256

    /// The workspace folder.
    public let root: String
    public var name: String
    public var datasets: [Entry]
    /// Coverage views: `coverage:` is one view, or a list of named views (each may name the
    /// datasets it counts). The first is the default.
    public var coverageViews: [CoverageSpec]
    /// The default coverage view.
    public var coverage: CoverageSpec { coverageViews.first ?? CoverageSpec() }

    /// The view named `name`.
    public func coverageView(_ name: String) -> CoverageSpec? { coverageViews.first { $0.name == name } }

    /// Whether `path` is a workspace folder (holds a `studio.yaml`).
    public static func isWorkspace(_ path: String) -> Bool { FileIO.isFile("\(path)/\(fileName)") }

    /// Reads `root/studio.yaml`. Unknown keys and wrong types are errors naming the line.
    ///
    /// `root` is made absolute here, once (`synthstudio sample-data` and `synthstudio .` give
    /// relative paths): every path the workspace hands out — its root, its datasets' folders — is
    /// absolute, so comparing them with paths recorded elsewhere (a GAN run's dataset) works.
    public static func load(_ root: String) throws(DatasetsError) -> Workspace {
        let root = FileIO.absolute(root)
        let file = "\(root)/\(fileName)"
        let yaml = try YAMLFields.parse(try DatasetPaths.readConfiguration(file), file: file)
        let top = try yaml.dictionary(allowed: ["name", "datasets", "coverage"])
        let name = try top["name"]?.string() ?? FileIO.lastComponent(of: root)
        guard name.utf8.count <= nameLimit else {
            throw top["name"]!.error("the workspace name is at most \(nameLimit) bytes", code: .invalidValue)
        }
        var entries: [Entry] = []
        for item in try top["datasets"]?.sequence() ?? [] {
            let fields = try item.dictionary(allowed: ["name", "path", "format", "origin", "holdout", "follow_links"])
            guard let path = fields["path"] else { throw item.error("a dataset needs a \"path\"") }
            guard let origin = fields["origin"] else { throw item.error("a dataset needs an \"origin\" (real or synthetic)") }
            let pathText = try path.string()
            guard try fields["name"].map({ n throws(DatasetsError) in try n.string().utf8.count <= Self.nameLimit }) ?? true else {
                throw item.error("a dataset name is at most \(Self.nameLimit) bytes", code: .invalidValue)
            }
            var entry = Entry(
                name: try fields["name"]?.string() ?? FileIO.lastComponent(of: pathText),
                path: pathText,
                format: try fields["format"].map { f throws(DatasetsError) in
                    try f.choice(DatasetFormat.self, expected: DatasetFormat.allCases)
                },
                origin: try origin.choice(Origin.self, expected: Origin.allCases),
                holdout: try fields["holdout"]?.bool() ?? false
            )
            entry.followLinks = try fields["follow_links"]?.bool() ?? false
            guard !entries.contains(where: { $0.name == entry.name }) else {
                throw item.error("two datasets are named \"\(entry.name)\"", code: .invalidValue)
            }
            entries.append(entry)
        }
        var views: [CoverageSpec] = []
        if let coverage = top["coverage"] {
            if coverage.isSequence {
                for item in try coverage.sequence() { views.append(try readCoverage(item, datasets: entries.map(\.name))) }
            } else {
                views.append(try readCoverage(coverage, datasets: entries.map(\.name)))
            }
        }
        return Workspace(root: root, name: name, datasets: entries, coverageViews: views.isEmpty ? [CoverageSpec()] : views)
    }

    /// The folder of a dataset entry.
    public func path(of entry: Entry) -> String {
        DatasetPaths.normalized(entry.path.hasPrefix("/") ? entry.path : "\(root)/\(entry.path)")
    }

    /// Reads one dataset of the workspace (`prober`: image sizes already known, see `ImageProber`).
    public func load(_ entry: Entry, prober: ImageProber = ImageProber()) throws(DatasetsError) -> Dataset {
        try DatasetIO.read(
            path(of: entry), name: entry.name, format: entry.format, origin: entry.origin, prober: prober,
            links: entry.followLinks ? .follow : .stayInside)
    }

    /// Reads every dataset, in the order `studio.yaml` lists them.
    public func loadAll() throws(DatasetsError) -> [Dataset] {
        var out: [Dataset] = []
        for entry in datasets { out.append(try load(entry)) }
        return out
    }

    private static func readCoverage(_ yaml: YAMLFields, datasets known: [String]) throws(DatasetsError) -> CoverageSpec {
        let fields = try yaml.dictionary(allowed: ["name", "datasets", "rows", "cols", "values", "target", "targets", "labels"])
        var spec = CoverageSpec()
        if let name = fields["name"] { spec.name = try name.string() }
        if let list = fields["datasets"] {
            var names: [String] = []
            for item in try list.sequence() {
                let name = try item.string()
                guard known.contains(name) || name.contains("*") else {
                    throw item.error("no dataset named \"\(name)\" in this workspace", code: .invalidValue)
                }
                names.append(name)
            }
            spec.datasets = names
        }
        if let rows = fields["rows"] { spec.rows = CoverageAxis(try rows.string()) }
        if let cols = fields["cols"] { spec.columns = CoverageAxis(try cols.string()) }
        if let values = fields["values"] {
            for (key, list) in try values.mapping() {
                spec.expectedValues[key] = try list.sequence().map { v throws(DatasetsError) in try v.string() }
            }
        }
        if let labels = fields["labels"] {
            for (key, value) in try labels.mapping() { spec.labels[key] = try value.string() }
        }
        if let target = fields["target"] { spec.defaultTarget = try nonNegative(target) }
        if let targets = fields["targets"] {
            for (key, value) in try targets.mapping() { spec.targets[key] = try nonNegative(value) }
        }
        return spec
    }

    private static func nonNegative(_ yaml: YAMLFields) throws(DatasetsError) -> Int {
        let n = try yaml.int()
        guard n >= 0 else { throw yaml.error("a target cannot be negative (\(n))", code: .invalidValue) }
        return n
    }
}
