import Datasets
import Foundation
import TestSupport
import Testing

@Suite("Workspace (studio.yaml)")
struct WorkspaceTests {
    @Test("the sample workspace: two digit datasets (class 7 is the gap), a rendered street and a composed yard")
    func sampleData() throws {
        let root = "\(fixtures)/../../../sample-data"
        let workspace = try Workspace.load(root)
        #expect(workspace.name == "sample-data")
        #expect(workspace.datasets.map(\.name) == ["digits", "digits-holdout", "street", "yard"])
        #expect(workspace.datasets.map(\.holdout) == [false, true, false, false])
        #expect(workspace.coverageViews.map(\.name) == ["digits", "street", "yard"])
        #expect(workspace.coverageView("street")?.datasets == ["street"])
        let datasets = try workspace.loadAll()
        let digits = ClassBalance(datasets[0])
        #expect(digits.rows.map(\.category.name) == (0...9).map(String.init))
        #expect(digits.rows[7].annotations == 15)
        #expect(digits.rows.filter { $0.category.name != "7" }.allSatisfy { (120...130).contains($0.annotations) })
        // 30 % of the 1,797 images held out (stratified); the rest minus the 7s cut to 15.
        #expect(datasets[1].samples.count == 540)
        #expect(ClassBalance(datasets[1]).rows[7].annotations == 54)
        #expect(datasets[0].samples.count == 1147)
        let matrix = CoverageMatrix([datasets[0]], spec: workspace.coverage)
        #expect(matrix.gaps().map(\.row) == ["7"])
        #expect(matrix.gaps().first?.deficit == 85)
    }

    @Test("a workspace opened by a relative path (as `make run` opens sample-data) hands out absolute paths")
    func relativeRoot() throws {
        let dir = TemporaryDirectory()
        dir.write("studio.yaml", "datasets:\n  - name: d\n    path: real/d\n    origin: real\n")
        // The temporary folder as seen from the current directory, without changing it (tests
        // run in parallel): ../../…/tmp/x.
        let cwd = FileManager.default.currentDirectoryPath
        let ups = cwd.split(separator: "/").map { _ in ".." }.joined(separator: "/")
        let relative = "\(ups)\(dir.path)/./"
        #expect(!relative.hasPrefix("/"))
        let workspace = try Workspace.load(relative)
        #expect(workspace.root == dir.path)
        #expect(workspace.path(of: workspace.datasets[0]) == "\(dir.path)/real/d")
    }

    @Test("a full studio.yaml is read")
    func full() throws {
        let dir = TemporaryDirectory()
        dir.write(
            "studio.yaml",
            """
            name: street
            datasets:
              - name: dashcam
                path: real/dashcam
                format: coco
                origin: real
              - path: /data/street-synth
                origin: synthetic
            coverage:
              rows: category
              cols: weather
              values:
                weather: [sunny, cloudy, hazy, rain, snow]
              target: 100
              targets:
                pedestrian/snow: 200
                car: 50
            """)
        let workspace = try Workspace.load(dir.path)
        #expect(workspace.datasets[1].name == "street-synth")
        #expect(workspace.datasets[1].format == nil)
        #expect(workspace.path(of: workspace.datasets[0]) == "\(dir.path)/real/dashcam")
        #expect(workspace.path(of: workspace.datasets[1]) == "/data/street-synth")
        #expect(workspace.coverage.columns == .attribute("weather"))
        #expect(workspace.coverage.target(row: "pedestrian", column: "snow") == 200)
        #expect(workspace.coverage.target(row: "car", column: "rain") == 50)
        #expect(workspace.coverage.target(row: "bus", column: "rain") == 100)
    }

    @Test(
        "unknown keys and wrong types are errors naming the line",
        arguments: [
            ("name: x\ndatasest: []\n", ":2", "unknown key \"datasest\""),
            ("datasets:\n  - path: a\n    origin: fake\n", ":3", "expected \"real\" or \"synthetic\""),
            ("datasets:\n  - path: a\n", ":2", "needs an \"origin\""),
            ("datasets:\n  - path: a\n    origin: real\n    colour: red\n", ":4", "unknown key \"colour\""),
            ("datasets: yes\n", ":1", "expected a list"),
            ("coverage:\n  target: lots\n", ":2", "expected an integer"),
            ("coverage:\n  target: -5\n", ":2", "cannot be negative"),
            ("datasets:\n  - path: a\n    origin: real\n    holdout: maybe\n", ":4", "expected true or false"),
            ("datasets:\n  - path: a\n    origin: real\n  - path: b/a\n    origin: real\n", ":4", "two datasets are named \"a\""),
            ("name: [unclosed\n", ":2", "not valid YAML"),
            ("datasets:\n  - path: a\n    origin: real\n    format: tfrecord\n", ":4", "expected \"imagefolder\""),
            ("datasets:\n  - path: a\n    origin: real\ncoverage:\n  - name: v\n    datasets: [b]\n", ":6", "no dataset named \"b\""),
            ("coverage:\n  - rows: category\n    colour: red\n", ":3", "unknown key \"colour\""),
        ])
    func badYAML(text: String, line: String, message: String) {
        let dir = TemporaryDirectory()
        dir.write("studio.yaml", text)
        let error = #expect(throws: DatasetsError.self) { try Workspace.load(dir.path) }
        #expect(error?.path == "\(dir.path)/studio.yaml")
        #expect(error?.location?.hasPrefix(line) == true, "\(String(describing: error))")
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    }

    @Test("an empty studio.yaml is an empty workspace; a missing one is an error")
    func emptyAndMissing() throws {
        let dir = TemporaryDirectory()
        dir.write("ws/studio.yaml", "")
        #expect(try Workspace.load("\(dir.path)/ws").datasets.isEmpty)
        #expect(throws: DatasetsError.self) { try Workspace.load(dir.path) }
    }

    @Test("datasets added to studio.yaml by many writers at once all land, and one name added twice is one entry")
    func concurrentAdds() throws {
        let dir = TemporaryDirectory()
        dir.write("studio.yaml", "name: busy\n# comments stay\ndatasets:\n  - name: real\n    path: real/r\n    origin: real\n")
        let root = dir.path
        let names = (0..<20).map { "gen-\($0 % 16)" }  // four names twice
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: names.count) { i in
            do {
                // Each writer starts from the file as it was before any of them ran.
                let stale = try Workspace.load(root)
                _ = try stale.adding(name: names[i], path: "synthetic/\(names[i])", origin: .synthetic, format: .coco)
            } catch {
                failures.add("\(error)")
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        let workspace = try Workspace.load(root)
        #expect(workspace.datasets.map(\.name).sorted() == (["real"] + Set(names)).sorted())
        #expect(try String(contentsOfFile: "\(root)/studio.yaml", encoding: .utf8).contains("# comments stay"))
    }

    final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [String] = []
        func add(_ message: String) { lock.withLock { messages.append(message) } }
        var all: [String] { lock.withLock { messages } }
    }
}
