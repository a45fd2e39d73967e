import Catalog
import Datasets
import Engine
import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@testable import TUI

@Suite struct HealthScreenTests {
    /// Polls until the background health run has landed (at most 30 s).
    static func waitForHealth(_ app: App) {
        let deadline = Date().addingTimeInterval(30)
        while app.data.health == nil || app.state.status.hasSuffix("…"), Date() < deadline {
            usleep(20_000)
            _ = app.poll()
        }
    }

    @Test func theFirstVisitRunsTheChecksAndEnterOpensTheFlaggedImagesInBrowse() throws {
        // tinyWorkspace's class folders share patterns: a/0, b/0 and c/0 are the same pixels.
        let dir = try tinyWorkspace()
        let app = try openApp(dir)
        app.handle(.character("6"))
        #expect(app.state.screen == .health)
        Self.waitForHealth(app)
        #expect(app.state.status.contains("issue(s) in"), "\(app.state.status)")
        let rows = HealthView.rows(app.data.health)
        let duplicates = try #require(rows.firstIndex { $0.dataset == "shapes" && $0.kind == .duplicate })
        while app.state.healthIndex < duplicates { app.handle(.character("j")) }
        let text = app.compose(width: 120, height: 30).frame.text
        #expect(text.contains("Health · ") && text.contains("shapes") && text.contains("duplicate"), "\(text)")
        #expect(text.contains("the same pixels as shapes/"), "the selected kind's images are listed with why: \(text)")
        app.handle(.enter)
        #expect(app.state.screen == .browse && app.state.classFilter == "health=duplicate")
        let browse = settledText(app)
        #expect(browse.contains("health=duplicate") && browse.contains("b/0.png") && !browse.contains("a/1.png"), "\(browse)")
        // A second run decodes nothing: every image is known from the first.
        app.handle(.character("6"))
        app.handle(.character("r"))
        Self.waitForHealth(app)
        #expect(app.data.health?.measured == 0 && app.data.health?.reused == 17)
    }

    @Test func browseFiltersByHealthFlags() throws {
        let dir = try tinyWorkspace()
        let app = try openApp(dir)
        #expect(app.data.healthChecker { _ in }.contains("issue(s) in"))
        app.data.reload()
        func filter(_ text: String) -> String {
            app.handle(.character("/"))
            for c in text { app.handle(.character(c)) }
            app.handle(.enter)
            return settledText(app)
        }
        var text = filter("dup")
        #expect(text.contains("b/0.png") && text.contains("flagged duplicate, near-duplicate"), "\(text)")
        text = filter("label=box-outside")
        #expect(text.contains("no samples"), "imagefolder data has no boxes: \(text)")
        // A class of that name wins over the flag; health= says the flag either way.
        #expect(App.healthKinds("blurry", classes: ["blurry"]) == nil)
        #expect(App.healthKinds("health=blurry", classes: ["blurry"]) == [.blurry])
        #expect(App.healthKinds("label=outside", classes: []) == [.boxOutside])
        #expect(App.healthKinds("label=blurry", classes: []) == nil, "blur is not a label issue")
        #expect(App.healthKinds("weather=snow", classes: []) == nil)
        #expect(App.healthKinds("a", classes: ["a"]) == nil)
    }

    @Test func coverageShowsTheDomainGapColumn() throws {
        let dir = TemporaryDirectory("gap")
        dir.write(
            "studio.yaml",
            """
            name: gap
            datasets:
              - name: shapes
                path: real/shapes
                origin: real
              - name: shapes-gen
                path: synthetic/shapes-gen
                origin: synthetic
            coverage:
              - name: shapes
                datasets: [shapes, shapes-*]
                rows: category
                target: 10

            """)
        // Class a: noisy patterns for real, smooth ramps for synthetic (told apart at once);
        // class b: the same kind of pattern on both sides.
        for i in 0..<12 {
            try ImageFile.write(
                TestImages.pattern(width: 16, height: 16, layout: .gray, seed: UInt64(i + 1)), to: dir.file("real/shapes/a/\(i).png"))
            let ramp = (0..<256).map { UInt8(($0 % 16) * 4 + ($0 / 16) * 4 + i) }
            try ImageFile.write(
                Image(width: 16, height: 16, layout: .gray, pixels: .eight(ramp)), to: dir.file("synthetic/shapes-gen/a/\(i).png"))
        }
        for i in 0..<3 {
            try ImageFile.write(
                TestImages.pattern(width: 16, height: 16, layout: .gray, seed: UInt64(50 + i)), to: dir.file("real/shapes/b/\(i).png"))
            try ImageFile.write(
                TestImages.pattern(width: 16, height: 16, layout: .gray, seed: UInt64(90 + i)),
                to: dir.file("synthetic/shapes-gen/b/\(i).png"))
        }
        let app = try openApp(dir)
        app.handle(.character("3"))
        #expect(!app.compose(width: 120, height: 30).frame.text.contains("gap AUC"), "no column before a health run")
        #expect(app.data.healthChecker { _ in }.contains("issue(s) in"))
        app.data.reload()
        let cells = app.data.domainGap
        let a = try #require(cells.first { $0.row == "a" })
        #expect((a.auc ?? 0) > 0.9 && a.real == 12 && a.synthetic == 12)
        let b = try #require(cells.first { $0.row == "b" })
        #expect(b.auc == nil, "3 a side is too few to say")
        let text = app.compose(width: 120, height: 30).frame.text
        #expect(text.contains("gap AUC") && text.contains(String(format: "%.2f", a.auc!)), "\(text)")
        #expect(text.contains("–"), "b shows no figure: \(text)")
    }
}
