import Datasets
import Engine
import Foundation
import ImageIO
import StudioCore
import TerminalGraphics
import TestSupport
import Testing

@testable import TUI

/// A workspace of 8×8 gray images in three classes, one short of its target, plus a holdout.
func tinyWorkspace(extraClass: String? = nil) throws -> TemporaryDirectory {
    let dir = TemporaryDirectory("tui")
    dir.write(
        "studio.yaml",
        """
        name: tiny
        datasets:
          - name: shapes
            path: real/shapes
            origin: real
          - name: shapes-holdout
            path: real/holdout
            origin: real
            holdout: true
        coverage:
          - name: shapes
            datasets: [shapes, shapes-*]
            rows: category
            target: 5

        """)
    var classes = ["a": 6, "b": 6, "c": 2]
    if let extraClass { classes[extraClass] = 1 }
    for (name, count) in classes {
        for i in 0..<count {
            try ImageFile.write(
                TestImages.pattern(width: 8, height: 8, layout: .gray, seed: UInt64(i + 1)), to: dir.file("real/shapes/\(name)/\(i).png"))
        }
        try ImageFile.write(TestImages.pattern(width: 8, height: 8, layout: .gray), to: dir.file("real/holdout/\(name)/0.png"))
    }
    return dir
}

func openApp(_ dir: TemporaryDirectory) throws -> App {
    let data = try StudioData(workspace: dir.path)
    _ = data.indexer()
    data.reload()
    return App(data: data, colors: .none, graphics: .ascii, executable: "/bin/false")
}

/// Composes until the background sample query has landed (at most 5 s), then the frame's text.
func settledText(_ app: App, width: Int = 120, height: Int = 30) -> String {
    let deadline = Date().addingTimeInterval(5)
    var text = app.compose(width: width, height: height).frame.text
    while app.samplesLoading, Date() < deadline {
        usleep(10_000)
        _ = app.poll()
        text = app.compose(width: width, height: height).frame.text
    }
    return text
}

@Suite struct AppTests {
    @Test func tabsStatusAndHelp() throws {
        let app = try openApp(try tinyWorkspace())
        var frame = app.compose(width: 120, height: 30).frame
        #expect(frame.text(row: 0).contains("SynthStudio · tiny") && frame.text(row: 0).contains("3 Coverage"))
        #expect(frame.text(row: 29).hasSuffix("? help  q quit"))
        app.handle(.character("?"))
        frame = app.compose(width: 120, height: 30).frame
        #expect(frame.text.contains("Keys — Browse") && frame.text.contains("thumbnail grid on/off"))
        app.handle(.escape)
        #expect(app.state.overlay == nil)
        app.handle(.tab)
        #expect(app.state.screen == .balance)
        app.handle(.backTab)
        app.handle(.backTab)
        #expect(app.state.screen == .health)
        // At 80 columns every tab still fits: the product's name gives way first.
        let narrow = app.compose(width: 80, height: 24).frame.text(row: 0)
        #expect(narrow.contains("6 Health") && narrow.contains("tiny") && !narrow.contains("SynthStudio"), "\(narrow)")
    }

    @Test func tooSmallSaysSoAndKeepsWorking() throws {
        let app = try openApp(try tinyWorkspace())
        let frame = app.compose(width: 40, height: 10).frame
        #expect(frame.text.contains("Terminal too small") && frame.text.contains("40×10"))
        app.handle(.character("3"))
        #expect(app.compose(width: 120, height: 30).frame.text.contains("Coverage · shapes"))
    }

    @Test func coverageStartsOnTheLargestDeficitAndOpensItsSamples() throws {
        let app = try openApp(try tinyWorkspace())
        app.handle(.character("3"))
        let text = app.compose(width: 120, height: 30).frame.text
        #expect(text.contains("c: 2 real + 0 synthetic = 2 of 5 — 3 short"))
        #expect(text.contains("2/5▼") && text.contains("6/5"))
        app.handle(.enter)
        #expect(app.state.screen == .browse && app.state.cellFilter?.row == "c")
        let browse = settledText(app)
        #expect(browse.contains("Samples 1/2 · c × all") && browse.contains("c/1.png"), "\(browse)")
        app.handle(.escape)
        #expect(app.state.cellFilter == nil)
    }

    /// `a` on Coverage: without a detection evaluation it says how to make one; with one, each
    /// cell shows its AP50 (shaded, weak cells marked) and the cursor line the real-only figure.
    @Test func coverageShowsTheLastEvaluationsAP50() throws {
        let dir = try tinyWorkspace()
        let app = try openApp(dir)
        app.handle(.character("3"))
        app.handle(.character("a"))
        #expect(app.state.status.contains("no detection evaluation yet") && !app.state.showAP)
        func mix(_ name: String, _ a: Double, _ b: Double, _ c: Double) -> String {
            let classes = [("a", a), ("b", b), ("c", c)].map { #""\#($0.0)": {"ap": 0.1, "ap50": \#($0.1), "objects": 4}"# }
            return #"{"mix": "\#(name)", "per_class": {\#(classes.joined(separator: ", "))}, "conditions": []}"#
        }
        dir.write(
            ".studio/evaluations/detect-1/report.json",
            #"{"task": "detect", "mixes": [\#(mix("real", 0.5, 0.1, 0.05)), \#(mix("real+synthetic", 0.62, 0.2, 0.4))]}"#)
        app.data.reload()
        app.handle(.character("a"))
        #expect(app.state.showAP && app.state.status.contains("AP50 (real+synthetic)"))
        let text = app.compose(width: 120, height: 30).frame.text
        #expect(text.contains("AP 62") && text.contains("AP 20▼") && text.contains("AP 40"), "\(text)")
        #expect(text.contains("AP50 40% (real+synthetic), 5% on real alone"), "\(text)")
        app.handle(.character("a"))
        #expect(app.compose(width: 120, height: 30).frame.text.contains("2/5▼"))
    }

    @Test func fillWithoutAGeneratorExplains() throws {
        let app = try openApp(try tinyWorkspace())
        app.handle(.character("3"))
        _ = app.compose(width: 120, height: 30)
        app.handle(.character("f"))
        #expect(app.state.overlay == nil)
        #expect(app.state.status.contains("no generator"))
        // The message stays a while, then expires.
        let set = app.state.statusSetAt
        _ = app.poll(now: set + 1)
        #expect(app.state.status.contains("no generator"))
        #expect(app.poll(now: set + AppState.statusLifetime + 0.1))
        #expect(app.state.status.isEmpty)
        #expect(!app.compose(width: 120, height: 30).frame.text.contains("no generator"))
    }

    @Test func workInProgressStaysOnTheStatusLine() {
        var state = AppState()
        state.status = "indexing…"
        let ongoing = state.expireStatus(now: state.statusSetAt + 60)
        #expect(!ongoing, "an ongoing message stays until its report replaces it")
        #expect(state.status == "indexing…")
        state.status = "indexed 3 datasets"
        let early = state.expireStatus(now: state.statusSetAt + 1)
        let late = state.expireStatus(now: state.statusSetAt + AppState.statusLifetime)
        #expect(!early && late)
        #expect(state.status.isEmpty)
    }

    @Test func fillWithARunPrefillsAGANJobForTheDeficit() throws {
        let dir = try tinyWorkspace()
        // A run folder is all `f` looks at: run.json naming the dataset and its classes.
        dir.write(
            "models/shapes/run.json",
            """
            {"format": "synthstudio-gan-run/1",
             "architecture": {"resolution": 16, "channels": 1, "classes": 3, "latent": 8, "embedding": 4, "ngf": 8, "ndf": 8},
             "training": {"batch": 4, "steps": 2, "seed": "1", "loss": "bce", "learning_rate": 0.0002, "beta1": 0.5, "beta2": 0.999,
                          "augment": [], "checkpoint_every": 2},
             "classes": ["a", "b", "c"],
             "dataset": {"root": "../../real/shapes", "images": 14, "native_width": 8, "native_height": 8}}
            """)
        let app = try openApp(dir)
        app.handle(.character("3"))
        _ = app.compose(width: 120, height: 30)
        app.handle(.character("f"))
        guard case .jobForm(let draft)? = app.state.overlay else {
            Issue.record("no job form: \(app.state.status)")
            return
        }
        guard case .ganSample(let job) = draft.spec else {
            Issue.record("not a GAN job: \(draft.spec)")
            return
        }
        #expect(job.units.count == 3 && job.units.dataset == "shapes-gan" && job.className == "c")
        #expect(job.run == "\(dir.path)/models/shapes")
        #expect(job.units.goal == Goal(view: "shapes", row: "c", column: "all", target: 5))
        app.handle(.character("+"))
        guard case .jobForm(let bigger)? = app.state.overlay else { return }
        #expect(bigger.count == 4 && bigger.spec.units?.goal == nil, "a count of the person's own runs to that count")
        let text = app.compose(width: 120, height: 30).frame.text
        #expect(text.contains("Fill the gap") && text.contains("gan-sample") && text.contains("shapes-gan"))
        app.handle(.escape)
        #expect(app.state.overlay == nil)
    }

    /// The sample workspace's street view: its largest gap is pedestrian reflections in snow, and
    /// `f` asks the renderer for snow with every shop front glass.
    @Test func fillARenderedGapPinsItsConditionsAndPlentyOfTheClass() throws {
        let dir = TemporaryDirectory("tui-street")
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../sample-data").standardized
        for part in ["studio.yaml", "scenes", "synthetic/street", "real"] {
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: dir.file(part)).deletingLastPathComponent().path, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: sample.appendingPathComponent(part).path, toPath: dir.file(part))
        }
        let app = try openApp(dir)
        app.handle(.character("3"))
        _ = app.compose(width: 120, height: 30)
        while app.state.viewIndex < app.data.coverage.count - 1, app.data.coverage[app.state.viewIndex].spec.columns == nil {
            app.handle(.character("v"))
        }
        // Long class names are shown whole when the columns leave room.
        #expect(app.compose(width: 120, height: 30).frame.text.contains("pedestrian_reflection "))
        app.handle(.character("f"))
        guard case .jobForm(let draft)? = app.state.overlay else {
            Issue.record("no job form: \(app.state.status)")
            return
        }
        guard case .render(let job) = draft.spec else {
            Issue.record("not a render job: \(draft.spec)")
            return
        }
        #expect(job.units.dataset == "street")
        #expect(job.pins == ["weather": "snow", "glass_facades": "1"])
        #expect(job.recipe == "\(dir.path)/scenes/street.yaml")
        #expect(job.units.goal == Goal(view: "street", row: "pedestrian_reflection", column: "snow", target: 20))
        // Sized from its own first images: 19 reflections short in snow, a few per image.
        #expect((3...20).contains(job.units.count), "\(job.units.count) images")
        #expect(draft.description.contains("per image"))
    }

    @Test func namesFromDatasetsAreEscaped() throws {
        let app = try openApp(try tinyWorkspace(extraClass: "evil\u{1B}]0;pwned\u{07}"))
        app.handle(.character("2"))
        let text = app.compose(width: 120, height: 30).frame.text
        #expect(!text.contains("\u{1B}") && !text.contains("\u{07}"))
        #expect(text.contains("evil\\u{1B}]0;pwned\\u{07}") || text.contains("evil"))
    }

    @Test func browseListsSamplesAndFiltersByClass() throws {
        let app = try openApp(try tinyWorkspace())
        var text = settledText(app)
        #expect(text.contains("shapes") && text.contains("Samples 1/14") && text.contains("a/0.png"))
        app.handle(.enter)
        app.handle(.character("j"))
        #expect(app.state.focus == .samples && app.state.sampleIndex == 1)
        app.handle(.character("/"))
        for c in "c" { app.handle(.character(c)) }
        app.handle(.enter)
        text = settledText(app)
        #expect(text.contains("Samples 1/2 · c") && text.contains("c/0.png"))
        app.handle(.character("G"))
        #expect(app.state.sampleIndex == 1)
        // key=value filters go to the catalog as conditions.
        app.handle(.character("/"))
        for c in "origin=real" { app.handle(.character(c)) }
        app.handle(.enter)
        text = settledText(app)
        #expect(text.contains("Samples 1/") && text.contains("origin=real") && text.contains("a/0.png"), "\(text)")
        app.handle(.character("/"))
        for c in "weather=snow" { app.handle(.character(c)) }
        app.handle(.enter)
        text = settledText(app)
        #expect(text.contains("no samples"), "no image has weather=snow")
    }

    @Test func commandLineCompletesAndRuns() throws {
        let app = try openApp(try tinyWorkspace())
        app.handle(.character(":"))
        for c in "cov" { app.handle(.character(c)) }
        app.handle(.tab)
        guard case .command(let text)? = app.state.overlay else { return }
        #expect(text == "coverage")
        app.handle(.enter)
        #expect(app.state.screen == .coverage)
        // Any two axes, from the command line.
        app.handle(.character(":"))
        for c in "axes origin category" { app.handle(.character(c)) }
        app.handle(.enter)
        let view = app.compose(width: 120, height: 30).frame.text
        #expect(view.contains("Coverage · origin × category: origin × category") && view.contains("view 2/2"), "\(view)")
        #expect(view.contains("real") && view.contains("6"))
        app.handle(.character("q"))
        #expect(app.state.quitting, "no jobs run: q quits at once")
    }

    /// `:train DATASET` queues the DCGAN into models/DATASET; `:train DATASET resnet` the residual
    /// networks with the bench's recipe into a folder of their own; anything else is refused.
    @Test func trainCommandQueuesTheChosenArchitecture() throws {
        let dir = try tinyWorkspace()
        let app = try openApp(dir)
        func command(_ text: String) {
            app.handle(.character(":"))
            for c in text { app.handle(.character(c)) }
            app.handle(.enter)
        }
        command("train shapes resnet")
        #expect(app.state.status.contains("gan-train models/shapes-resnet"), "\(app.state.status)")
        command("train shapes")
        #expect(app.state.status.contains("gan-train models/shapes to step"), "\(app.state.status)")
        command("train shapes biggan")
        #expect(app.state.status.contains("dcgan or resnet"), "\(app.state.status)")
        let jobs = try FileManager.default.contentsOfDirectory(atPath: "\(dir.path)/.studio/jobs")
        let specs = try jobs.compactMap { id -> [String: Any]? in
            let path = "\(dir.path)/.studio/jobs/\(id)/spec.json"
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            return try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        }
        #expect(specs.count == 2, "\(jobs)")
        let resnet = try #require(specs.first { ($0["run"] as? String)?.hasSuffix("models/shapes-resnet") == true })
        #expect(resnet["architecture"] as? String == "resnet" && resnet["augment"] as? String == "ada" && resnet["ngf"] as? Int == 32)
        let dcgan = try #require(specs.first { ($0["run"] as? String)?.hasSuffix("models/shapes") == true })
        #expect(dcgan["architecture"] as? String == "dcgan" && dcgan["loss"] == nil, "the architecture's own loss")
    }
}

/// ncurses has one screen per process: these run one at a time.
@Suite(.serialized) struct HeadlessCursesTests {
    /// Plain xterm has 8 colours: a dark theme's greys (muted text, borders) would map to black on
    /// black; a light theme's to white on white.
    @Test func textNeverTakesTheBackgroundsColourIn8Colours() throws {
        for (name, vanishing) in [("dark", Int32(0)), ("light", Int32(7))] {
            let theme = try Theme.load(name)
            let terminal = try CursesTerminal(theme: theme, colors: .palette16, headless: true, headlessTerm: "xterm")
            defer { terminal.close() }
            #expect(terminal.colorCount == 8)
            for role in Theme.Role.allCases {
                guard let rgb = theme.colors[role] else { continue }
                let number = terminal.colorNumber(SIMD3(rgb.r, rgb.g, rgb.b), text: true)
                #expect((0..<8).contains(number) && number != vanishing, "\(name) \(role): \(number)")
            }
            // Backgrounds keep their nearest colour (a dark grey bar may be black).
            #expect(terminal.colorNumber(SIMD3(10, 10, 10)) == 0)
        }
    }
    @Test func framesReachNcursesCells() throws {
        let terminal = try CursesTerminal(theme: .fallback, colors: .palette256, headless: true)
        defer { terminal.close() }
        #expect(terminal.size == (80, 24))
        var frame = Frame(width: 80, height: 24)
        frame.put("héllo ▒█ wörld", x: 3, y: 2, style: Frame.Style(.accent, bold: true))
        frame.box(x: 0, y: 5, width: 10, height: 3, title: nil)
        terminal.draw(frame)
        let row = (3..<17).compactMap { terminal.character(x: $0, y: 2) }
        #expect(String(row) == "héllo ▒█ wörld")
        #expect(terminal.character(x: 0, y: 5) == "┌")
    }
}
