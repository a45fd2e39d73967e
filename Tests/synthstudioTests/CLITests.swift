import Foundation
import ImageIO
import StudioCore
import TUI
import TestSupport
import Testing

@Suite("synthstudio command line", .serialized)
struct CLITests {
    @Test("stats sample-data --json lists the digits datasets with correct per-class counts")
    func statsJSON() throws {
        let json = try CLIRunner.json(["stats", "sample-data", "--json"])
        let datasets = try #require(json["datasets"] as? [[String: Any]])
        #expect(datasets.map { $0["name"] as? String } == ["digits", "digits-holdout", "street", "yard"])
        #expect(datasets.map { $0["origin"] as? String } == ["real", "real", "synthetic", "synthetic"])
        #expect(datasets.map { $0["format"] as? String } == ["imagefolder", "imagefolder", "coco", "coco"])
        #expect(datasets[2]["images"] as? Int == 60 && datasets[3]["images"] as? Int == 24)
        let classes = try #require(datasets[0]["classes"] as? [String: Int])
        #expect(classes.count == 10)
        #expect(classes["7"] == 15)
        #expect(classes["3"] == 128)
        #expect(datasets[0]["images"] as? Int == 1147)
        #expect(datasets[0]["annotations"] as? Int == 1147)
        #expect(datasets[1]["images"] as? Int == 540)
    }

    @Test("the default command prints the workspace statistics and its largest gap")
    func open() throws {
        let result = try CLIRunner.run(["sample-data"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Workspace sample-data"))
        #expect(result.stdout.contains("under target 100"))
        #expect(result.stdout.contains("Largest gaps"))
        #expect(!result.stdout.contains("\u{1B}["))  // not a terminal: no colour
    }

    @Test("stats on a COCO folder of photos written by another tool")
    func statsCOCO() throws {
        let json = try CLIRunner.json(["stats", "Tests/DatasetsTests/Fixtures/coco-photos", "--json"])
        let dataset = try #require((json["datasets"] as? [[String: Any]])?.first)
        #expect(dataset["format"] as? String == "coco")
        #expect(dataset["images"] as? Int == 3 && dataset["annotations"] as? Int == 6)
        #expect(dataset["classes"] as? [String: Int] == ["building": 1, "boat": 1, "tree": 1, "flower": 3])
    }

    @Test("coverage --json: cells with real/synthetic/target/deficit, class 7 the largest gap")
    func coverageJSON() throws {
        let json = try CLIRunner.json(["coverage", "sample-data", "--rows", "category", "--json"])
        let gaps = try #require(json["gaps"] as? [[String: Any]])
        #expect(gaps.count == 1)
        #expect(gaps[0]["row"] as? String == "7" && gaps[0]["deficit"] as? Int == 85 && gaps[0]["real"] as? Int == 15)
        let cells = try #require(json["cells"] as? [[String: Any]])
        #expect(cells.count == 10)  // the holdout is not counted
        let byAttribute = try CLIRunner.json([
            "coverage", "Tests/DatasetsTests/Fixtures/voc-mini", "--rows", "category", "--cols", "difficult", "--target", "1", "--json",
        ])
        #expect(byAttribute["col_labels"] as? [String] == ["0", "1"])
    }

    @Test("coverage as a table shows a number in every cell and marks deficits")
    func coverageText() throws {
        let result = try CLIRunner.run(["coverage", "sample-data", "--color", "never"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("15/100!"))
        #expect(result.stdout.contains("−85"))
        // Without --view, a workspace of two views shows both.
        #expect(result.stdout.contains("View digits") && result.stdout.contains("View street"))
        #expect(result.stdout.contains("cyclist × snow"))
        let one = try CLIRunner.run(["coverage", "sample-data", "--view", "street", "--color", "never"])
        #expect(!one.stdout.contains("View digits") && one.stdout.contains("cyclist × snow"))
    }

    @Test("validate: a clean dataset exits 0, a broken one exits 1 and lists its problems")
    func validate() throws {
        #expect(try CLIRunner.run(["validate", "Tests/DatasetsTests/Fixtures/coco-photos"]).status == 0)
        let dir = TemporaryDirectory()
        try ImageFile.write(TestImages.pattern(width: 10, height: 10, layout: .gray), to: dir.file("images/a.png"))
        dir.write(
            "annotations.json",
            #"{"images": [{"id": 1, "file_name": "a.png", "width": 10, "height": 10}, {"id": 2, "file_name": "gone.png", "width": 5, "height": 5}], "categories": [{"id": 1, "name": "x"}, {"id": 2, "name": "unused"}], "annotations": [{"image_id": 1, "category_id": 1, "bbox": [8, 8, 5, 5]}]}"#
        )
        let result = try CLIRunner.run(["validate", dir.path, "--json"])
        #expect(result.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["counts"] as? [String: Int] == ["missing-file": 1, "box-outside-image": 1, "empty-class": 1])
        // A dataset that does not even read is reported the same way.
        dir.write("annotations.json", #"{"annotations": []}"#)
        let unreadable = try CLIRunner.run(["validate", dir.path])
        #expect(unreadable.status == 1)
        #expect(unreadable.stdout.contains("images"))
    }

    @Test("convert COCO → YOLO → ImageFolder keeps the counts")
    func convert() throws {
        let dir = TemporaryDirectory()
        let toYOLO = try CLIRunner.run(["convert", "Tests/DatasetsTests/Fixtures/coco-photos", "--to", "yolo", "--out", "\(dir.path)/yolo"])
        #expect(toYOLO.status == 0, "\(toYOLO.stderr)")
        let yolo = try #require((try CLIRunner.json(["stats", "\(dir.path)/yolo", "--json"])["datasets"] as? [[String: Any]])?.first)
        #expect(yolo["format"] as? String == "yolo" && yolo["annotations"] as? Int == 6)
        let toFolder = try CLIRunner.run(["convert", "\(dir.path)/yolo", "--to", "imagefolder", "--out", "\(dir.path)/folder"])
        #expect(toFolder.status == 0)
        let folder = try #require((try CLIRunner.json(["stats", "\(dir.path)/folder", "--json"])["datasets"] as? [[String: Any]])?.first)
        #expect(folder["classes"] as? [String: Int] == ["boat": 1, "building": 1, "flower": 3, "tree": 1])
        let again = try CLIRunner.run(["convert", "\(dir.path)/yolo", "--to", "coco", "--out", "\(dir.path)/folder"])
        #expect(again.status == 1 && again.stderr.contains("not empty"))
        #expect(try CLIRunner.run(["convert", "\(dir.path)/yolo", "--to", "voc", "--out", "\(dir.path)/v"]).status != 0)
    }

    @Test("errors are one clear line on stderr with status 1")
    func errors() throws {
        let missing = try CLIRunner.run(["stats", "no/such/folder"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("synthstudio: error: no/such/folder"))
        #expect(missing.stdout.isEmpty)
        let badTheme = try CLIRunner.run(["stats", "sample-data", "--theme", "neon"])
        #expect(badTheme.status == 1 && badTheme.stderr.contains("neon.yaml"))
    }

    @Test("names with control characters never reach the terminal raw")
    func controlCharacters() throws {
        let dir = TemporaryDirectory()
        try ImageFile.write(TestImages.pattern(width: 4, height: 4, layout: .gray), to: dir.file("evil\u{1B}]0;pwned\u{07}/a\u{9B}2J.png"))
        for arguments in [
            ["stats", dir.path, "--color", "never"], ["stats", dir.path, "--json"], ["coverage", dir.path, "--color", "never"],
            ["validate", dir.path],
        ] {
            let result = try CLIRunner.run(arguments)
            #expect(
                !result.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) }, "\(arguments)"
            )
            if arguments[0] != "validate" { #expect(result.stdout.contains("evil"), "\(arguments)") }
        }
    }

    @Test("colour: none when piped or with NO_COLOR, ANSI with --color always; every theme loads")
    func colour() throws {
        #expect(!(try CLIRunner.run(["stats", "sample-data"]).stdout.contains("\u{1B}[")))
        let always = try CLIRunner.run(["stats", "sample-data", "--color", "always"], environment: ["TERM": "xterm-256color"])
        #expect(always.stdout.contains("\u{1B}[38;5;"))
        let truecolor = try CLIRunner.run(
            ["stats", "sample-data", "--color", "always", "--theme", "high-contrast"],
            environment: ["TERM": "xterm", "COLORTERM": "truecolor"])
        // Okabe–Ito vermillion marks the gap.
        #expect(truecolor.stdout.contains("\u{1B}[38;2;213;94;0m"))
        for theme in ["dark", "light", "high-contrast", "themes/light.yaml"] {
            #expect(try CLIRunner.run(["stats", "sample-data", "--theme", theme]).status == 0, "\(theme)")
        }
    }
}

@Suite("synthstudio index", .serialized)
struct IndexCLITests {
    @Test("index builds the catalog, then finds everything unchanged; a broken catalog is rebuilt with a warning")
    func index() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: "\(CLIRunner.repository)/sample-data", toPath: "\(dir.path)/ws")
        let first = try CLIRunner.json(["index", "\(dir.path)/ws", "--json"])
        let entries = try #require(first["datasets"] as? [[String: Any]])
        #expect(entries.map { $0["action"] as? String } == ["indexed", "indexed", "indexed", "indexed"])
        #expect(entries.map { $0["probed"] as? Int } == [1147, 540, 60, 24])
        let second = try CLIRunner.run(["index", "\(dir.path)/ws"])
        #expect(second.stdout.contains("digits: unchanged"))
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: "\(dir.path)/ws/.studio/catalog.sqlite"))
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: "\(dir.path)/ws/.studio/catalog.sqlite\(suffix)") }
        let rebuilt = try CLIRunner.run(["index", "\(dir.path)/ws"])
        #expect(rebuilt.status == 0)
        #expect(rebuilt.stderr.contains("job history is lost"))
        #expect(rebuilt.stdout.contains("digits: indexed"))
        #expect(try CLIRunner.run(["index", dir.path]).status == 1)  // not a workspace
    }
}
