import Datasets
import Foundation
import GRDB
import ImageIO
import StudioCore
import TestSupport
import Testing

@testable import Catalog

@Suite("Catalog", .serialized)
struct CatalogTests {
    /// A workspace with a real ImageFolder and a synthetic COCO dataset whose annotations carry
    /// weather and lighting attributes (image- and annotation-level).
    static func workspace() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory("catalog")
        for (i, cls) in ["cat", "cat", "cat", "dog"].enumerated() {
            try ImageFile.write(
                TestImages.pattern(width: 8 + i, height: 6, layout: .rgb, seed: UInt64(i)), to: dir.file("real/pets/\(cls)/\(i).png"))
        }
        var samples: [Sample] = []
        let weathers = ["sunny", "snow", "rain", "snow", "sunny", "sunny"]
        for (i, weather) in weathers.enumerated() {
            let path = "src/\(i).png"
            try ImageFile.write(TestImages.pattern(width: 20, height: 10, layout: .rgb, seed: UInt64(10 + i)), to: dir.file(path))
            var annotations = [
                Annotation(categoryID: 1, box: BoundingBox(x: 1, y: 1, width: 4, height: 4)),
                Annotation(categoryID: 2, box: BoundingBox(x: 6, y: 2, width: 5, height: 3)),
            ]
            if i == 0 { annotations[1].attributes["weather"] = "hazy" }  // annotation-level wins
            samples.append(
                Sample(
                    path: path, width: 20, height: 10, split: i < 4 ? "train" : "val", origin: .synthetic,
                    provenance: #"{"file_name":"\#(i).png","seed":\#(i)}"#,
                    attributes: ["weather": weather, "lighting": i % 2 == 0 ? "day" : "night"], annotations: annotations))
        }
        let street = Dataset(
            name: "street", root: dir.path, format: .coco, origin: .synthetic,
            categories: [Category(id: 1, name: "pedestrian"), Category(id: 2, name: "car"), Category(id: 3, name: "bus")], samples: samples)
        try DatasetIO.write(street, as: .coco, to: "\(dir.path)/synthetic/street")
        try FileManager.default.removeItem(atPath: "\(dir.path)/src")
        dir.write(
            "studio.yaml",
            """
            name: test
            datasets:
              - name: pets
                path: real/pets
                origin: real
              - name: street
                path: synthetic/street
                origin: synthetic
            coverage:
              rows: category
              cols: weather
              values: {weather: [sunny, cloudy, hazy, rain, snow]}
              target: 3
            """)
        return dir
    }

    @Test("the index answers exactly what reading the files gives: balance and coverage over any axes")
    func agreesWithFiles() throws {
        let dir = try Self.workspace()
        let workspace = try Workspace.load(dir.path)
        let catalog = try Catalog.open(workspace: dir.path)
        #expect(catalog.recovery == nil)
        let report = try catalog.refresh(workspace)
        #expect(report.entries.map(\.action) == [.indexed, .indexed])
        let datasets = try workspace.loadAll()
        #expect(try catalog.datasets().map(\.name) == ["pets", "street"])
        #expect(try catalog.datasets().map(\.images) == [4, 6])
        for dataset in datasets {
            #expect(try catalog.classBalance(dataset: dataset.name) == ClassBalance(dataset))
        }
        let specs = [
            workspace.coverage,
            CoverageSpec(rows: .attribute("weather"), columns: .category, defaultTarget: 2),
            CoverageSpec(rows: .attribute("lighting"), columns: .attribute("weather")),
            CoverageSpec(rows: .category, columns: .split, targets: ["car": 5]),
            CoverageSpec(rows: .dataset, columns: .origin),
            CoverageSpec(rows: .category),
        ]
        for spec in specs {
            #expect(
                try catalog.coverage(spec) == CoverageMatrix(datasets, spec: spec), "\(spec.rows) × \(String(describing: spec.columns))")
        }
        let matrix = try catalog.coverage(workspace.coverage)
        #expect(matrix.columnLabels == ["sunny", "cloudy", "hazy", "rain", "snow", "(unset)"])
        let hazyCar = matrix.cells[matrix.rowLabels.firstIndex(of: "car")!][2]
        #expect(hazyCar.synthetic == 1 && hazyCar.deficit == 2)
    }

    @Test("samples of a cell, paged")
    func cellSamples() throws {
        let dir = try Self.workspace()
        let catalog = try Catalog.open(workspace: dir.path)
        _ = try catalog.refresh(try Workspace.load(dir.path))
        let snowCars = try catalog.samples(SampleFilter(conditions: [(.category, "car"), (.attribute("weather"), "snow")]))
        #expect(snowCars.map(\.path) == ["images/1.png", "images/3.png"])
        #expect(snowCars.allSatisfy { $0.origin == .synthetic && $0.provenance != nil })
        let hazy = try catalog.samples(SampleFilter(conditions: [(.attribute("weather"), "hazy")]))
        #expect(hazy.map(\.path) == ["images/0.png"])
        let page1 = try catalog.samples(SampleFilter(datasets: ["street"]), offset: 0, limit: 4)
        let page2 = try catalog.samples(SampleFilter(datasets: ["street"]), offset: 4, limit: 4)
        #expect(page1.count == 4 && page2.count == 2)
        #expect(Set(page1.map(\.id)).isDisjoint(with: page2.map(\.id)))
        #expect(try catalog.samples(SampleFilter(conditions: [(.category, "cat"), (.split, CoverageAxis.unset)])).count == 3)
    }

    @Test("refresh is incremental: unchanged datasets are not read, a touched one re-probes only what changed")
    func incremental() throws {
        let dir = try Self.workspace()
        let workspace = try Workspace.load(dir.path)
        let catalog = try Catalog.open(workspace: dir.path)
        _ = try catalog.refresh(workspace)
        let again = try catalog.refresh(workspace)
        #expect(again.entries.map(\.action) == [.unchanged, .unchanged])
        // Replace one image of the ImageFolder with a bigger one.
        try ImageFile.write(TestImages.pattern(width: 30, height: 30, layout: .gray), to: "\(dir.path)/real/pets/dog/3.png")
        let changed = try catalog.refresh(workspace)
        #expect(changed.entries.map(\.action) == [.indexed, .unchanged])
        #expect(changed.entries[0].probed == 1)
        #expect(try catalog.samples(SampleFilter(datasets: ["pets"], conditions: [(.category, "dog")])).first?.width == 30)
        // A new image in a new class folder.
        try ImageFile.write(TestImages.pattern(width: 5, height: 5, layout: .gray), to: dir.file("real/pets/emu/9.png"))
        let added = try catalog.refresh(workspace)
        #expect(added.entries[0].probed == 1)
        #expect(try catalog.classBalance(dataset: "pets").rows.map(\.category.name) == ["cat", "dog", "emu"])
        // A dataset dropped from studio.yaml leaves the index.
        var fewer = workspace
        fewer.datasets.removeLast()
        let removed = try catalog.refresh(fewer)
        #expect(removed.entries.last?.action == .removed)
        #expect(try catalog.datasets().map(\.name) == ["pets"])
    }

    @Test("reopening keeps the index; a corrupted or deleted catalog is rebuilt and says job history was lost")
    func recovery() throws {
        let dir = try Self.workspace()
        let workspace = try Workspace.load(dir.path)
        do {
            let catalog = try Catalog.open(workspace: dir.path)
            _ = try catalog.refresh(workspace)
        }
        let reopened = try Catalog.open(workspace: dir.path)
        #expect(reopened.recovery == nil)
        #expect(try reopened.refresh(workspace).entries.map(\.action) == [.unchanged, .unchanged])

        let path = Catalog.path(workspace: dir.path)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: path))
        let rebuilt = try Catalog.open(workspace: dir.path)
        #expect(rebuilt.recovery?.contains("job history is lost") == true)
        #expect(try rebuilt.refresh(workspace).entries.map(\.action) == [.indexed, .indexed])
        #expect(try rebuilt.classBalance(dataset: "street").rows.map(\.annotations) == [6, 6, 0])
        #expect(dir.list(".studio").contains { $0.hasPrefix("catalog.sqlite.corrupt-") })
    }

    @Test("a dataset that cannot be read is reported by name and keeps its last index; the others are indexed all the same")
    func badDataset() throws {
        let dir = try Self.workspace()
        let workspace = try Workspace.load(dir.path)
        let catalog = try Catalog.open(workspace: dir.path)
        _ = try catalog.refresh(workspace)
        dir.write("synthetic/street/annotations.json", "{ not json")
        let report = try catalog.refresh(workspace)
        #expect(report.entries.map(\.action) == [.unchanged, .failed])
        #expect(report.problems.count == 1 && report.problems[0].hasPrefix("dataset street: "))
        #expect(try catalog.datasets().map(\.name) == ["pets", "street"])
        #expect(try catalog.classBalance(dataset: "street").rows.map(\.annotations) == [6, 6, 0])
        #expect(throws: CatalogError.self) { try catalog.classBalance(dataset: "nope") }

        // A folder gone before its first index: the next dataset is still read.
        let fresh = try Self.workspace()
        try FileManager.default.removeItem(atPath: fresh.file("real/pets"))
        let first = try Catalog.open(workspace: fresh.path).refresh(try Workspace.load(fresh.path))
        #expect(first.entries.map(\.action) == [.failed, .indexed])
        #expect(first.problems.first?.contains("real/pets") == true)
    }

    @Test("samples appended by a commit give the same index as reading the files again, and the folder still reads as unchanged")
    func appendEqualsReindex() throws {
        let dir = try Self.workspace()
        let workspace = try Workspace.load(dir.path)
        let catalog = try Catalog.open(workspace: dir.path)
        _ = try catalog.refresh(workspace)
        let root = "\(dir.path)/synthetic/street"
        #expect(try catalog.isCurrent("street", root: root))
        // A commit: two new images with a new class and a new attribute, journaled.
        var added: [Sample] = []
        var stamps: [FileStamp] = []
        for i in 0..<2 {
            let path = "images/new-\(i).png"
            try ImageFile.write(TestImages.pattern(width: 20, height: 10, layout: .rgb, seed: UInt64(40 + i)), to: "\(root)/\(path)")
            stamps.append(try #require(FileStamp.of(path, in: root)))
            added.append(
                Sample(
                    path: path, width: 20, height: 10, origin: .synthetic, provenance: #"{"file_name":"new-\#(i).png"}"#,
                    attributes: ["weather": "fog", "visibility_class": "low"],
                    annotations: [
                        Annotation(categoryID: 4, box: BoundingBox(x: 1, y: 1, width: 3, height: 3), attributes: ["visibility": "0.6"]),
                        Annotation(categoryID: 1, box: BoundingBox(x: 5, y: 1, width: 3, height: 3)),
                    ]))
        }
        let categories = [
            Category(id: 1, name: "pedestrian"), Category(id: 2, name: "car"), Category(id: 3, name: "bus"), Category(id: 4, name: "tram"),
        ]
        try DatasetJournal.append(added, newCategories: [categories[3]], to: root)
        try catalog.append(added, categories: categories, to: "street", added: stamps)
        #expect(try catalog.isCurrent("street", root: root), "the signature follows the commit")
        #expect(try catalog.refresh(workspace).entries.map(\.action) == [.unchanged, .unchanged])

        let datasets = try workspace.loadAll()
        #expect(datasets[1].samples.count == 8)
        #expect(try catalog.classBalance(dataset: "street") == ClassBalance(datasets[1]))
        let specs = [
            workspace.coverage,
            CoverageSpec(rows: .attribute("visibility"), columns: .category),
            CoverageSpec(rows: .attribute("visibility_class"), columns: .attribute("weather")),
            CoverageSpec(rows: .attribute("lighting"), columns: .attribute("visibility")),
            CoverageSpec(rows: .category, columns: .split),
            CoverageSpec(rows: .attribute("weather")),
        ]
        for spec in specs {
            #expect(
                try catalog.coverage(spec) == CoverageMatrix(datasets, spec: spec), "\(spec.rows) × \(String(describing: spec.columns))")
        }
        // The same catalog rebuilt from the files agrees with the appended one.
        _ = try catalog.refresh(workspace, force: true)
        for spec in specs { #expect(try catalog.coverage(spec) == CoverageMatrix(datasets, spec: spec)) }
        let tram = try catalog.samples(SampleFilter(conditions: [(.category, "tram"), (.attribute("visibility"), "0.5–0.75")]))
        #expect(tram.map(\.path) == ["images/new-0.png", "images/new-1.png"])
    }

    @Test("identifiers, geometry and undeclared measurements are not axes; continuous attributes count in bands")
    func axesAreBounded() throws {
        #expect(AttributeAxis.value(key: "weather", raw: "snow") == "snow")
        #expect(AttributeAxis.value(key: "occluded", raw: "2") == "2")
        #expect(AttributeAxis.value(key: "instance", raw: "17") == nil)
        #expect(AttributeAxis.value(key: "amodal_bbox", raw: "12.5,40,8,20") == nil)
        #expect(AttributeAxis.value(key: "speed", raw: "13.7") == nil)
        #expect(AttributeAxis.value(key: "visibility", raw: "0.999") == "≥0.75")
        #expect(AttributeAxis.value(key: "visibility", raw: "0.1") == "<0.25")
        #expect(AttributeAxis.value(key: "camera_height", raw: "1.7") == "1.5–2 m")
        #expect(AttributeAxis.range(key: "camera_height", label: "1.5–2 m")! == (1.5, 2))
        // 200 rendered-like images with every continuous attribute: a bounded number of rows.
        var samples: [Sample] = []
        for i in 0..<200 {
            let attributes = [
                "weather": ["snow", "rain"][i % 2], "camera_height": String(1.3 + Double(i % 80) / 100), "fov": String(45 + Double(i) / 10),
            ]
            let annotations = (0..<10).map { j in
                Annotation(
                    categoryID: 1, box: BoundingBox(x: 1, y: 1, width: 2, height: 2),
                    attributes: [
                        "instance": String(j + 1), "visibility": String(Double((i * 7 + j) % 100) / 100), "amodal_bbox": "1,2,3,\(j)",
                    ])
            }
            samples.append(
                Sample(path: "images/\(i).png", width: 8, height: 8, origin: .synthetic, attributes: attributes, annotations: annotations))
        }
        let counts = CoverageCounts(samples, dataset: "d", names: [1: Category(id: 1, name: "car")])
        // category, split, origin, dataset, weather, camera_height (2 bands), fov (3), visibility (4).
        #expect(counts.cells.count < 400, "\(counts.cells.count) rows")
    }

    @Test("a catalog of the first schema upgrades: its cache is rebuilt from the files, its jobs stay")
    func upgradeFromV1() throws {
        let dir = try Self.workspace()
        let path = Catalog.path(workspace: dir.path)
        try FileManager.default.createDirectory(atPath: "\(dir.path)/.studio", withIntermediateDirectories: true)
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
        let v1 = try String(contentsOfFile: "\(fixtures)/schema-v1.sql", encoding: .utf8)
        do {
            let old = try DatabaseQueue(path: path)
            try old.write { db in
                try db.execute(sql: v1)
                try db.execute(
                    sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY); INSERT INTO grdb_migrations VALUES ('v1')")
                try db.execute(
                    sql: "INSERT INTO datasets VALUES (1, 'street', 'synthetic/street', 'coco', 'synthetic', 0, 'old', 0, 1, 1, 0)")
                try db.execute(
                    sql:
                        "INSERT INTO jobs (id, kind, state, spec, done, total, created_at, updated_at) VALUES ('j1', 'render', 'succeeded', '{}', 3, 3, 1, 1)"
                )
            }
        }
        let catalog = try Catalog.open(workspace: dir.path)
        #expect(catalog.recovery == nil)
        #expect(try catalog.jobs().map(\.id) == ["j1"])
        #expect(try catalog.refresh(try Workspace.load(dir.path)).entries.map(\.action) == [.indexed, .indexed])
        #expect(try catalog.classBalance(dataset: "street").rows.map(\.annotations) == [6, 6, 0])
    }
}
