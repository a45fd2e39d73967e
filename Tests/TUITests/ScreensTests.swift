import Datasets
import Engine
import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@testable import TUI

/// A workspace of one COCO dataset: red squares and blue bars, images `light: bright|dark`,
/// objects `size: small|big` (ShapesDataset).
func shapesWorkspace() throws -> TemporaryDirectory {
    let dir = TemporaryDirectory("screens")
    try ShapesDataset.write(in: dir, name: "shapes", count: 12, seed: 4)
    dir.write(
        "studio.yaml",
        """
        name: shapes
        datasets:
          - name: shapes
            path: shapes
            format: coco
            origin: real
        coverage:
          - name: shapes
            datasets: [shapes]
            rows: category
            cols: light
            target: 4

        """)
    return dir
}

@Suite struct ScreensTests {
    static func type(_ app: App, _ text: String) { for c in text { app.handle(.character(c)) } }

    static func filter(_ app: App, _ text: String) -> String {
        app.handle(.character("/"))
        type(app, text)
        app.handle(.enter)
        return settledText(app)
    }

    @Test func filterTermsCombineNegateIgnoreCaseAndSayWhyNothingMatched() throws {
        let dir = try shapesWorkspace()
        let app = try openApp(dir)
        app.handle(.enter)
        let dataset = try DatasetIO.read(dir.file("shapes"))
        func count(_ keep: (Sample) -> Bool) -> Int { dataset.samples.filter(keep).count }
        func hasRed(_ s: Sample) -> Bool { s.annotations.contains { $0.categoryID == 1 } }
        let darkRed = count { hasRed($0) && $0.attributes["light"] == "dark" }
        let brightRed = count { hasRed($0) && $0.attributes["light"] == "bright" }
        #expect(darkRed > 0 && brightRed > 0)
        var text = Self.filter(app, "RED light=DARK")
        #expect(text.contains("Samples 1/\(darkRed) · RED light=DARK"), "\(text)")
        text = Self.filter(app, "red light!=dark")
        #expect(text.contains("Samples 1/\(brightRed) · "), "\(text)")
        // Nothing matched: the first term the data cannot meet, with what it has.
        text = Self.filter(app, "purple")
        #expect(text.contains("no class purple in shapes") && text.contains("red, blue"), "\(text)")
        text = Self.filter(app, "weather=snow")
        #expect(text.contains("no attribute weather in shapes") && text.contains("light, size"), "\(text)")
        text = Self.filter(app, "light=dim")
        #expect(text.contains("light is never dim in shapes") && text.contains("bright"), "\(text)")
    }

    @Test func tabCompletesClassesKeysAndValues() throws {
        let dir = try shapesWorkspace()
        let app = try openApp(dir)
        app.handle(.enter)
        func completed(_ typed: String) -> String? {
            app.handle(.character("/"))
            Self.type(app, typed)
            app.handle(.tab)
            defer { app.handle(.escape) }
            guard case .filter(let text)? = app.state.overlay else { return nil }
            return text
        }
        #expect(completed("re") == "red ")
        #expect(completed("li") == "light=")
        #expect(completed("light=d") == "light=dark ")
        #expect(completed("red si") == "red size=")
        #expect(completed("label=box-o") == "label=box-outside ")
        // The hint line is up while typing.
        app.handle(.character("/"))
        #expect(app.compose(width: 120, height: 30).frame.text.contains("terms combine: class  key=value  key!=value"))
    }

    @Test func axesAreCheckedAndReplaceEachOther() throws {
        let dir = try shapesWorkspace()
        let app = try openApp(dir)
        func command(_ text: String) {
            app.handle(.character(":"))
            Self.type(app, text)
            app.handle(.enter)
        }
        command("axes weather")
        #expect(app.state.status.contains("no axis weather") && app.state.status.contains("light"), "\(app.state.status)")
        #expect(app.data.coverage.count == 1)
        command("axes light")
        command("axes size category")
        #expect(app.data.coverage.count == 2, "the second :axes replaced the first")
        #expect(app.compose(width: 120, height: 30).frame.text.contains("size × category"))
    }

    @Test func balanceCountsEachViewsAnnotationsAgainstItsOwnTarget() throws {
        let dir = try shapesWorkspace()
        let app = try openApp(dir)
        app.handle(.character("2"))
        let text = app.compose(width: 120, height: 30).frame.text
        let dataset = try DatasetIO.read(dir.file("shapes"))
        let red = dataset.samples.reduce(0) { $0 + $1.annotations.count { $0.categoryID == 1 } }
        // Two light values × 4 per cell = 8 per class, in annotations like Coverage.
        #expect(text.contains("view shapes (its cells' targets summed over light): shapes"), "\(text)")
        #expect(text.contains("\(red) / 8"), "\(text)")
        #expect(text.contains("annotations (real █ synthetic ▒)"))
        #expect(text.contains("imbalance"))
    }

    @Test func balanceShowsPerClassHistogramsOfSizeAndEachConditionInTurn() throws {
        let dir = try shapesWorkspace()
        let app = try openApp(dir)
        app.handle(.character("2"))
        let dataset = try DatasetIO.read(dir.file("shapes"))
        // COCO's sizes by area, counted from the files.
        var expected: [String: [Int]] = [:]
        for sample in dataset.samples {
            for a in sample.annotations {
                expected[a.categoryID == 1 ? "red" : "blue", default: [0, 0, 0]][a.area < 1024 ? 0 : a.area < 9216 ? 1 : 2] += 1
            }
        }
        let matrix = try #require(app.data.histogram(axis: StudioData.sizeAxis, datasets: ["shapes"]))
        for (name, counts) in expected {
            let r = try #require(matrix.rowLabels.firstIndex(of: name))
            let got = ["small", "medium", "large"].map { size in matrix.cells[r].first { $0.column == size }.map { $0.real } ?? 0 }
            #expect(got == counts, "\(name): \(got) against \(counts) from the files")
        }
        app.handle(.character("a"))
        var text = app.compose(width: 120, height: 30).frame.text
        #expect(text.contains("by object size") && text.contains("small") && text.contains("n=\(expected["red"]!.reduce(0, +))"), "\(text)")
        let red = expected["red"]!
        let share = Int((Double(red[0]) * 100 / Double(red.reduce(0, +))).rounded())
        #expect(text.split(separator: "\n").contains { $0.contains("red") && $0.contains("\(share)%") }, "\(text)")
        // Then the conditions: light (an image attribute) before size (an object attribute).
        #expect(app.data.histogramAxes(datasets: ["shapes"]) == [StudioData.sizeAxis, "light", "size"])
        app.handle(.character("a"))
        text = app.compose(width: 120, height: 30).frame.text
        #expect(text.contains("by light") && text.contains("bright") && text.contains("dark"), "\(text)")
        app.handle(.character("a"))
        app.handle(.character("a"))
        #expect(app.state.balanceAxis == nil && app.state.status == "histograms off")
        #expect(!app.compose(width: 120, height: 30).frame.text.contains("by "))
    }

    @Test func at80x24EveryPaneFitsAndHelpScrolls() throws {
        let dir = try tinyWorkspace()
        let app = try openApp(dir)
        let text = settledText(app, width: 80, height: 24)
        let first = text.split(separator: "\n", omittingEmptySubsequences: false)[1]
        // The preview keeps more than a third of the width.
        let previewStart = try #require(first.range(of: "┐┌", options: .backwards)).lowerBound
        #expect(first.distance(from: first.startIndex, to: previewStart) < 46, "\(text)")
        #expect(text.contains("shapes-holdou… 3"), "names cut with …, the count kept: \(text)")
        app.handle(.character("?"))
        var help = app.compose(width: 80, height: 24).frame.text
        #expect(help.contains("j/k scroll (1–") && help.contains("this help"), "\(help)")
        for _ in 0..<30 { app.handle(.character("j")) }
        help = app.compose(width: 80, height: 24).frame.text
        #expect(!help.contains("this help") && help.contains("Ctrl-L"), "scrolled to the end: \(help)")
        app.handle(.character("k"))
        #expect(app.state.helpScroll > 0 && app.compose(width: 80, height: 24).frame.text.contains("j/k scroll"))
    }

    @Test func trainingFurtherAsksFirst() throws {
        let dir = try tinyWorkspace()
        try FileManager.default.createDirectory(atPath: dir.file("models"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(CLIRoot.repository)/sample-data/models/digits", toPath: dir.file("models/digits"))
        let app = try openApp(dir)
        app.handle(.character("5"))
        let text = app.compose(width: 120, height: 30).frame.text
        #expect(text.contains("step 3000") && text.contains("┤"), "losses with axes: \(text)")
        #expect(text.contains("every class varies (diversity ≥ 0.95×) and looks like itself (≥ 88%)"), "the shipped check.json: \(text)")
        #expect(text.contains("DCGAN 16 px") && text.contains("Adam 0.0002 (0.5, 0.999)"), "how it is made: \(text)")
        #expect(
            TrainView.wrap(["ResNet 32 px", "width 16/16", "ADA", "EMA 0.999"], width: 24) == [
                "ResNet 32 px", "width 16/16 · ADA", "EMA 0.999",
            ])
        app.handle(.character("s"))
        guard case .confirmTraining(let run, let from, let to)? = app.state.overlay else {
            Issue.record("s queued without asking")
            return
        }
        #expect(run == "models/digits" && from == 3000 && to == 4000)
        #expect(app.compose(width: 120, height: 30).frame.text.contains("Train models/digits on from step 3000 to 4000?"))
        app.handle(.character("n"))
        #expect(app.state.overlay == nil && app.data.jobs.isEmpty, "n queues nothing")
    }

    /// The judge's figures in a run's log: collapsed and off-class classes are named, in warning colour.
    @Test func aCollapsedRunIsNamedOnTheTrainScreen() throws {
        let dir = try tinyWorkspace()
        try FileManager.default.createDirectory(atPath: dir.file("models"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(CLIRoot.repository)/sample-data/models/digits", toPath: dir.file("models/digits"))
        try FileManager.default.removeItem(atPath: dir.file("models/digits/check.json"))
        let collapsed = (0..<10).map { $0 == 7 ? "0.12" : "1.0" }.joined(separator: ","),
            fidelity = (0..<10).map { $0 == 3 ? "0.2" : "0.9" }
        try
            (#"{"step":2500,"discriminator":1.1,"generator":0.9}"# + "\n"
            + #"{"step":3000,"discriminator":1.0,"generator":1.0,"diversity":[\#(collapsed)],"fidelity":[\#(fidelity.joined(separator: ","))]}"#
            + "\n").write(toFile: dir.file("models/digits/log.jsonl"), atomically: true, encoding: .utf8)
        let app = try openApp(dir)
        app.handle(.character("5"))
        let text = app.compose(width: 120, height: 30).frame.text
        #expect(text.contains("step 3000: collapsed 7; off-class 3"), "\(text)")
    }

    @Test func jobLogsReadAsWordsWithProgressCollapsed() {
        let lines = [
            #"{"event":"started","total":3}"#, #"{"event":"progress","done":1,"total":3}"#, #"{"event":"progress","done":2,"total":3}"#,
            #"{"event":"artifact","path":"x.png"}"#, #"{"event":"progress","done":3,"total":3}"#,
            #"{"event":"failed","message":"disk full"}"#,
            "--- stderr", "render: out of space",
        ]
        #expect(
            JobsView.readableLog(lines) == [
                "started: 3 unit(s)", "progress 3/3", "failed: disk full", "--- stderr", "render: out of space",
            ])
    }
}

enum CLIRoot {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path
}
