import Catalog
import Datasets
import Engine
import Foundation
import ImageIO
import Rendering
import StudioCore
import TestSupport
import Testing

@Suite("The gap planner", .serialized)
struct PlannerTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

    /// A copy of the sample workspace, indexed.
    static func sampleWorkspace(
        _ parts: [String] = ["studio.yaml", "scenes", "synthetic/street", "synthetic/yard", "assets", "environments", "models", "real"]
    ) throws -> (
        TemporaryDirectory, Workspace, Catalog
    ) {
        let dir = TemporaryDirectory("planner")
        for part in parts {
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: dir.file(part)).deletingLastPathComponent().path, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(repository)/sample-data/\(part)", toPath: dir.file(part))
        }
        let ws = try Workspace.load(dir.path)
        let catalog = try Catalog.open(workspace: dir.path)
        _ = try catalog.refresh(ws)
        return (dir, ws, catalog)
    }

    /// A workspace of the user's real `dataset` (written under `real/`) and one coverage view of
    /// it and what is generated beside it, by category, with `coverage`'s further lines.
    static func userWorkspace(_ dir: TemporaryDirectory, _ dataset: Dataset, coverage: String) throws -> (Workspace, Catalog, CoverageSpec)
    {
        let name = dataset.name
        try DatasetIO.write(dataset, as: .coco, to: "\(dir.path)/real/\(name)")
        try """
        datasets:
          - name: \(name)
            path: real/\(name)
            origin: real
        coverage:
          - name: \(name)
            datasets: [\(name), \(name)-*]
            rows: category
        \(coverage)
        """.write(toFile: "\(dir.path)/studio.yaml", atomically: true, encoding: .utf8)
        let ws = try Workspace.load(dir.path)
        let catalog = try Catalog.open(workspace: dir.path)
        _ = try catalog.refresh(ws)
        return (ws, catalog, try #require(ws.coverageView(name)))
    }

    /// Annotations units `0..<count` of a planned render put in `cell`, unit by unit.
    static func perUnit(_ job: RenderSpec, spec: CoverageSpec, cell: CellKey) throws -> [Int] {
        let render = try RenderJob(job)
        return try (0..<job.units.count).map { i in
            let unit = try render.labelled(i)
            return spec.cells(of: unit.annotations, attributes: unit.attributes, dataset: job.units.dataset)[cell] ?? 0
        }
    }

    @Test("every gap of the sample workspace: the class-7 GAN job, and render jobs whose own images land each cell on its target")
    func sampleWorkspacePlans() throws {
        let (dir, ws, catalog) = try Self.sampleWorkspace()
        defer { withExtendedLifetime(dir) {} }
        let plans = try GapPlanner(workspace: ws, catalog: catalog, seed: 41).planAll(ws.coverageViews)
        let gan = try #require(plans.first)
        guard case .ganSample(let g)? = gan.job else { Issue.record("\(gan.summary): \(gan.message ?? "")"); return }
        #expect(gan.view == "digits" && gan.cell == CellKey(row: "7", column: "all") && g.className == "7")
        #expect(g.units.count == 85 && g.units.dataset == "digits-gan" && g.run.hasSuffix("/models/digits"))
        let street = try #require(ws.coverageView("street"))
        let renders = plans.filter { $0.view == "street" }
        #expect(renders.first?.cell == CellKey(row: "pedestrian_reflection", column: "snow"))
        #expect(renders.contains { $0.cell.column == "snow" })
        for plan in renders {
            guard case .render(let job)? = plan.job else { Issue.record("no job: \(plan.message ?? "")"); continue }
            #expect(job.units.goal == Goal(view: "street", row: plan.cell.row, column: plan.cell.column, target: plan.target))
            #expect(job.pins["weather"] == plan.cell.column)
            // The recipe that rendered the street (its provenance says), not street-holdout.yaml,
            // which sorts before it.
            #expect(job.recipe.hasSuffix("/scenes/street.yaml"), "\(job.recipe)")
            if plan.cell.row == "cyclist" { #expect(job.pins["cyclists"] == "4") }
            if plan.cell.row == "traffic_light" { #expect(job.pins["layout"] == "intersection") }
            if plan.cell.row == "pedestrian_reflection" { #expect(job.pins["glass_facades"] == "1") }
            // Sized by the units themselves: one image fewer falls short, the count reaches the target.
            let counts = try Self.perUnit(job, spec: street, cell: plan.cell)
            #expect(counts.reduce(0, +) >= plan.deficit, "\(plan.cell): \(counts) for \(plan.deficit)")
            #expect(counts.dropLast().reduce(0, +) < plan.deficit, "\(plan.cell): \(counts) for \(plan.deficit)")
        }
        // The yard's gaps: composed renders pinned to their environment and their class's count.
        let yard = plans.filter { $0.view == "yard" }
        #expect(yard.first?.cell == CellKey(row: "ball", column: "sunset"), "\(yard.map(\.cell))")
        for plan in yard {
            guard case .render(let job)? = plan.job else { Issue.record("no job: \(plan.message ?? "")"); continue }
            #expect(job.recipe.hasSuffix("/scenes/yard.yaml"), "\(job.recipe)")
            #expect(job.pins["environment"] == plan.cell.column && job.pins["count_\(plan.cell.row)"] != nil, "\(job.pins)")
        }
        // Every planned job has its own seed.
        #expect(Set(plans.compactMap { $0.job?.seed }).count == plans.filter { $0.job != nil }.count)
    }

    @Test("the weakest cells of the last detection evaluation get render jobs, short or not")
    func weakestCellsByAP() throws {
        let (dir, ws, catalog) = try Self.sampleWorkspace()
        defer { withExtendedLifetime(dir) {} }
        // A report where car × sunny (plentiful) and pedestrian × rain score worst.
        let weather = ["sunny", "cloudy", "hazy", "rain", "snow"]
        let conditions = weather.map { value -> String in
            let car = value == "sunny" ? 0.05 : 0.6
            let pedestrian = value == "rain" ? 0.1 : 0.5
            return
                #"{"attribute": "weather", "value": "\#(value)", "images": 8, "per_class_ap50": {"car": \#(car), "pedestrian": \#(pedestrian)}}"#
        }
        dir.write(
            ".studio/evaluations/detect-1/report.json",
            #"{"mixes": [{"mix": "real", "per_class": {}, "conditions": [\#(conditions.joined(separator: ","))]}]}"#)
        let evaluation = try #require(EvaluationCells.latest(in: dir.path))
        let street = try #require(ws.coverageView("street"))
        let plans = try GapPlanner(workspace: ws, catalog: catalog, seed: 5).planWeakest(
            street, evaluation: evaluation, count: 2, adding: 12)
        #expect(plans.map(\.cell) == [CellKey(row: "car", column: "sunny"), CellKey(row: "pedestrian", column: "rain")])
        for plan in plans {
            guard case .render(let job)? = plan.job else {
                Issue.record("no job: \(plan.message ?? "")")
                continue
            }
            #expect(plan.target == plan.have + 12 && plan.have > 0)
            #expect(job.pins["weather"] == plan.cell.column)
            #expect(job.units.goal?.target == plan.target)
        }
        #expect(Set(plans.compactMap { $0.job?.seed }).count == 2)
    }

    @Test("a planned render job stops once its cell holds the target, within one image")
    func goalStopsTheJob() throws {
        let (dir, ws, catalog) = try Self.sampleWorkspace(["studio.yaml", "scenes", "synthetic/street"])
        let street = try #require(ws.coverageView("street"))
        var planner = GapPlanner(workspace: ws, catalog: catalog, seed: 7)
        planner.pilotLimit = 4  // a deliberately rough count: the goal, not the plan, must stop the job
        let plan = try planner.plan(street, cell: CellKey(row: "cyclist", column: "snow"))
        guard case .render(var job)? = plan.job else { Issue.record("\(plan.message ?? "")"); return }
        job.units.count = 60
        job.samplesPerPixel = 1
        let runner = JobRunner(
            spec: .render(job), staging: "\(dir.path)/staging",
            target: JobRunner.Target(
                root: "\(dir.path)/synthetic/street",
                catalog: DatasetCommitter.CatalogBinding(catalog: catalog, workspace: ws, dataset: "street")),
            store: nil, launch: .inProcess)
        #expect(try runner.run() == .succeeded)
        let cell = try catalog.coverage(street).cells.joined().first { $0.row == "cyclist" && $0.column == "snow" }
        let have = try #require(cell).total
        let counts = try Self.perUnit(job, spec: street, cell: CellKey(row: "cyclist", column: "snow"))
        #expect(have >= 20 && have < 20 + (counts.max() ?? 0) + 1, "cyclist × snow holds \(have)")
        #expect(runner.committed < 60, "stopped at the goal after \(runner.committed) images")
        #expect(try catalog.refresh(ws).entries.first { $0.dataset == "street" }?.action == .unchanged)
    }

    @Test(
        "gaps in the user's own detection data: the renderer's classes mapped to theirs, into their class list; what cannot be made is said"
    )
    func userClasses() throws {
        let dir = TemporaryDirectory("planner-user")
        try FileManager.default.createDirectory(atPath: "\(dir.path)/scenes", withIntermediateDirectories: true)
        try "size: [96, 72]\nsamples_per_pixel: 1\nmin_area: 12\nparameters:\n  pedestrians: {uniform: [6, 10]}\n".write(
            toFile: "\(dir.path)/scenes/street.yaml", atomically: true, encoding: .utf8)
        // Their dashcam data: person, car, bicycle, under sunny weather only.
        var samples: [Sample] = []
        for i in 0..<3 {
            try ImageFile.write(TestImages.pattern(width: 32, height: 24, layout: .rgb, seed: UInt64(i)), to: dir.file("src/\(i).png"))
            samples.append(
                Sample(
                    path: "src/\(i).png", width: 32, height: 24, attributes: ["weather": "sunny"],
                    annotations: [
                        Annotation(categoryID: 1, box: BoundingBox(x: 1, y: 1, width: 5, height: 9)),
                        Annotation(categoryID: 3, box: BoundingBox(x: 9, y: 3, width: 8, height: 5)),
                    ]))
        }
        let dashcam = Dataset(
            name: "dashcam", root: dir.path, format: .coco, origin: .real,
            categories: [Category(id: 1, name: "person"), Category(id: 2, name: "bicycle"), Category(id: 3, name: "car")], samples: samples)
        let (ws, catalog, view) = try Self.userWorkspace(
            dir, dashcam,
            coverage: """
                    cols: weather
                    values: {weather: [sunny, snow]}
                    labels: {pedestrian: person, car: car}
                    target: 10
                """)
        let planner = GapPlanner(workspace: ws, catalog: catalog, seed: 3)
        let person = try planner.plan(view, cell: CellKey(row: "person", column: "snow"))
        guard case .render(let job)? = person.job else { Issue.record("\(person.message ?? "")"); return }
        #expect(job.units.dataset == "dashcam-render" && job.labels == ["pedestrian": "person", "car": "car"])
        #expect(job.classes == ["person", "bicycle", "car"] && job.pins == ["weather": "snow", "pedestrians": "10"])
        // Run it: the synthetic dataset speaks the user's class list, YOLO ids included.
        var small = job
        small.units.count = 2
        small.units.goal = nil
        let runner = JobRunner(
            spec: .render(small), staging: "\(dir.path)/staging", target: JobRunner.Target(root: "\(dir.path)/out"), store: nil,
            launch: .inProcess)
        #expect(try runner.run() == .succeeded)
        let made = try DatasetIO.read("\(dir.path)/out")
        #expect(made.categories.sorted { $0.id < $1.id }.map(\.name) == ["person", "bicycle", "car"])
        #expect(Set(made.samples.flatMap(\.annotations).map(\.categoryID)).isSubset(of: [1, 3]), "only mapped classes are labelled")
        #expect(try String(contentsOfFile: "\(dir.path)/out/data.yaml", encoding: .utf8).contains("1: bicycle"))
        // A class the renderer cannot make and no GAN run knows: the message says what would.
        let bicycle = try planner.plan(view, cell: CellKey(row: "bicycle", column: "snow"))
        #expect(bicycle.job == nil)
        #expect(
            bicycle.message?.contains("labels:") == true && bicycle.message?.contains("gan train --data dashcam") == true,
            "\(bicycle.message ?? "")")
        // A condition no recipe parameter sets.
        let lighting = CoverageSpec(rows: .category, columns: .attribute("season"), defaultTarget: 5)
        var withSeason = lighting
        withSeason.labels = view.labels
        let season = try planner.plan(withSeason, cell: CellKey(row: "person", column: "(unset)"))
        #expect(season.job == nil && season.message?.contains("cannot set season") == true, "\(season.message ?? "")")
    }

    @Test("a gap of a composed scene's class pins that class's count to the most its assets are drawn with")
    func composedClasses() throws {
        let dir = TemporaryDirectory("planner-composed")
        for part in ["assets", "environments"] {
            try FileManager.default.copyItem(atPath: "\(Self.repository)/sample-data/\(part)", toPath: dir.file(part))
        }
        try FileManager.default.createDirectory(atPath: "\(dir.path)/scenes", withIntermediateDirectories: true)
        try """
        scene: assets
        size: [64, 48]
        samples_per_pixel: 1
        min_area: 4
        environment: environments/city.exr
        assets:
          - {file: assets/crate.obj, class: crate, count: {uniform: [0, 3]}}
          - {file: assets/ball.glb, class: ball, count: {choice: {1: 1, 2: 1}}}
        parameters:
          camera_distance: 5
          camera_height: 2
        """.write(toFile: "\(dir.path)/scenes/yard.yaml", atomically: true, encoding: .utf8)
        // Their photos: plenty of balls, two crates.
        var samples: [Sample] = []
        for i in 0..<4 {
            try ImageFile.write(TestImages.pattern(width: 32, height: 24, layout: .rgb, seed: UInt64(i)), to: dir.file("src/\(i).png"))
            let annotations =
                [Annotation(categoryID: 2, box: BoundingBox(x: 1, y: 1, width: 6, height: 6))]
                + (i < 2 ? [Annotation(categoryID: 1, box: BoundingBox(x: 9, y: 3, width: 8, height: 8))] : [])
            samples.append(Sample(path: "src/\(i).png", width: 32, height: 24, annotations: annotations))
        }
        let yard = Dataset(
            name: "yard", root: dir.path, format: .coco, origin: .real,
            categories: [Category(id: 1, name: "crate"), Category(id: 2, name: "ball")],
            samples: samples)
        let (ws, catalog, view) = try Self.userWorkspace(dir, yard, coverage: "    target: 8")
        let plan = try GapPlanner(workspace: ws, catalog: catalog, seed: 5).plan(view, cell: CellKey(row: "crate", column: "all"))
        guard case .render(let job)? = plan.job else { Issue.record("\(plan.summary): \(plan.message ?? "")"); return }
        #expect(job.pins == ["count_crate": "3"], "\(job.pins)")
        // Its images hold three crates each where they drew none to three.
        let render = try RenderJob(job)
        for i in 0..<min(3, job.units.count) {
            let placed = try #require(try render.composedScene(i)).0.placements.filter { $0.label == "crate" }
            #expect(placed.count == 3)
        }
        let counts = try Self.perUnit(job, spec: view, cell: plan.cell)
        #expect(counts.reduce(0, +) >= plan.deficit, "\(counts) for \(plan.deficit)")
    }
}
