import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@Suite("synthstudio gan and evaluate", .serialized)
struct GANCLITests {
    /// A workspace with two classes of 8×8 stripes (real) and a holdout with the same classes.
    static func workspace() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory("gan")
        dir.write(
            "studio.yaml",
            """
            name: gan
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
                target: 10

            """)
        for (folder, count) in [("real/shapes", 6), ("real/holdout", 3)] {
            for (c, name) in ["bars", "columns"].enumerated() {
                for i in 0..<count {
                    var pixels = [UInt8](repeating: UInt8(8 * i), count: 64)
                    for p in 0..<64 where (c == 0 ? p / 8 : p % 8) % 3 == i % 3 { pixels[p] = 240 }
                    try ImageFile.write(
                        Image(width: 8, height: 8, layout: .gray, pixels: .eight(pixels)), to: dir.file("\(folder)/\(name)/\(i).png"))
                }
            }
        }
        return dir
    }

    static let tiny = ["--resolution", "16", "--batch", "4", "--ngf", "8", "--ndf", "8", "--checkpoint-every", "2"]

    /// Each architecture starts from its own optimizer and loss; options override them, and
    /// run.json records what the run trains with.
    @Test func architecturesStartFromTheirOwnSettings() throws {
        let dir = try Self.workspace()
        func training(_ name: String, _ options: [String]) throws -> JSONValue {
            let run = "\(dir.path)/models/\(name)"
            let result = try CLIRunner.run(
                ["gan", "train", "--data", "\(dir.path)/real/shapes", "--out", run, "--steps", "1"] + Self.tiny + options)
            #expect(result.status == 0, "\(result.stderr)")
            let json = try JSONReader.parse(Array(try String(contentsOfFile: "\(run)/run.json", encoding: .utf8).utf8))
            return try #require(json["training"])
        }
        let dcgan = try training("dcgan", [])
        #expect(dcgan["loss"]?.string == "bce" && dcgan["learning_rate"]?.number == 2e-4 && dcgan["beta1"]?.number == 0.5)
        #expect(dcgan["mode_seeking"] == nil)
        let resnet = try training("resnet", ["--architecture", "resnet"])
        #expect(resnet["loss"]?.string == "hinge" && resnet["learning_rate"]?.number == 4e-4)
        #expect(resnet["beta1"]?.number == 0 && resnet["beta2"]?.number == 0.9 && resnet["learning_rate_discriminator"] == nil)
        #expect(resnet["mode_seeking"]?.number == 0.3)
        let chosen = try training(
            "chosen",
            [
                "--architecture", "resnet", "--loss", "bce", "--learning-rate", "1e-4", "--discriminator-learning-rate", "4e-4", "--beta1",
                "0.5", "--mode-seeking", "0",
            ])
        #expect(chosen["loss"]?.string == "bce" && chosen["learning_rate"]?.number == 1e-4 && chosen["beta1"]?.number == 0.5)
        #expect(chosen["learning_rate_discriminator"]?.number == 4e-4 && chosen["beta2"]?.number == 0.9 && chosen["mode_seeking"] == nil)
        let refused = try CLIRunner.run(
            ["gan", "train", "--data", "\(dir.path)/real/shapes", "--out", "\(dir.path)/models/bad", "--beta2", "1"] + Self.tiny)
        #expect(refused.status != 0 && refused.stderr.contains("betas"), "\(refused.stderr)")
    }

    @Test func trainResumeSampleAndEvaluate() throws {
        let dir = try Self.workspace()
        let run = "\(dir.path)/models/shapes"
        var result = try CLIRunner.run(["gan", "train", "--data", "\(dir.path)/real/shapes", "--out", run, "--steps", "2"] + Self.tiny)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(run)/samples/step-000002.png"))
        #expect(
            FileManager.default.fileExists(atPath: "\(run)/samples/step-000000.png"),
            "a checkpoint at step 0, so a run killed early resumes")
        let log = try String(contentsOfFile: "\(run)/log.jsonl", encoding: .utf8)
        #expect(log.contains("\"step\":2") && log.contains("\"discriminator\""))
        let runJSON = try String(contentsOfFile: "\(run)/run.json", encoding: .utf8)
        #expect(runJSON.contains("\"root\": \"../../real/shapes\""), "the dataset is recorded relative to the run")
        // A second train into the same folder without --resume is refused; with it, continues.
        result = try CLIRunner.run(["gan", "train", "--data", "\(dir.path)/real/shapes", "--out", run] + Self.tiny)
        #expect(result.status == 1 && result.stderr.contains("already holds a run"))
        // Settings are run.json's: a resume refuses options that would change them, naming each.
        let before = try String(contentsOfFile: "\(run)/run.json", encoding: .utf8)
        result = try CLIRunner.run(["gan", "train", "--out", run, "--resume", "--steps", "4", "--learning-rate", "1e-3", "--batch", "8"])
        #expect(result.status != 0 && result.stderr.contains("--batch, --learning-rate: a resumed run keeps"), "\(result.stderr)")
        #expect(try String(contentsOfFile: "\(run)/run.json", encoding: .utf8) == before)
        #expect(!FileManager.default.fileExists(atPath: "\(run)/samples/step-000004.png"))
        result = try CLIRunner.run(["gan", "train", "--out", run, "--resume", "--steps", "4"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(run)/samples/step-000004.png"))

        // Samples: an ImageFolder at the data's native 8×8, with provenance; continuing is a no-op.
        let out = "\(dir.path)/synthetic/shapes-gan"
        for _ in 0..<2 {
            result = try CLIRunner.run(["gan", "sample", "--run", run, "--class", "columns", "--count", "5", "--out", out])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(out)/columns").sorted()
        #expect(files.count == 5 && files[0].hasPrefix("gan-") && files[0].hasSuffix("-000000.png"), "\(files)")
        let image = try ImageFile.read("\(out)/columns/\(files[0])")
        #expect(image.width == 8 && image.height == 8 && image.layout == .gray)
        let provenance = try String(contentsOfFile: "\(out)/provenance.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(provenance.count == 5 && provenance[0].contains("\"checkpoint_step\":4") && provenance[0].contains("\"class\":\"columns\""))
        let stats = try CLIRunner.json(["stats", out, "--json"])
        #expect("\(stats)".contains("synthetic"))
        result = try CLIRunner.run(["gan", "sample", "--run", run, "--class", "circles", "--count", "1", "--out", out])
        #expect(result.status == 1 && result.stderr.contains("no class circles"))
        // Every class in one call, into the same folder: a new class folder beside the first.
        result = try CLIRunner.run(["gan", "sample", "--run", run, "--classes", "all", "--count-per-class", "3", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(out)/bars").count == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(out)/columns").count == 5, "the first 3 were there")
        #expect(try CLIRunner.run(["stats", out]).status == 0, "the folder still reads")
        result = try CLIRunner.run(["gan", "sample", "--run", run, "--classes", "bars,circles", "--count", "1", "--out", out])
        #expect(result.status == 1 && result.stderr.contains("no class circles"))
        result = try CLIRunner.run(["gan", "sample", "--run", run, "--class", "bars", "--classes", "all", "--count", "1", "--out", out])
        #expect(result.status != 0 && result.stderr.contains("--class NAME or --classes"))
        // The judge: per class diversity and fidelity of the latest checkpoint (4 steps: collapsed).
        result = try CLIRunner.run(["gan", "check", "--run", run, "--json"])
        #expect(result.status == 1, "an untrained generator draws one image per class: \(result.stdout)")
        let check = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let classes = check?["classes"] as? [[String: Any]]
        #expect(classes?.map { $0["class"] as? String } == ["bars", "columns"] && classes?.first?["collapsed"] as? Bool == true)
        #expect(FileManager.default.fileExists(atPath: "\(run)/check.json"))

        // Evaluation report with the fields the issue names.
        let report = try CLIRunner.json([
            "evaluate", "--real", "\(dir.path)/real/shapes", "--synthetic", out, "--holdout", "\(dir.path)/real/holdout", "--steps", "5",
            "--json",
        ])
        for key in ["trtr_accuracy", "tstr_accuracy", "combined_accuracy", "per_class_recall", "frechet_distance", "precision", "recall"] {
            #expect(report[key] != nil, "\(key)")
        }
        let recall = report["per_class_recall"] as? [String: Any]
        #expect((recall?["real_only"] as? [String: Any])?.keys.sorted() == ["bars", "columns"])
        #expect((recall?["combined"] as? [String: Any])?.keys.sorted() == ["bars", "columns"])
    }

    @Test func ganSampleJobLandsAnImageFolderThatTheCoverageViewCounts() throws {
        let dir = try Self.workspace()
        let result = try CLIRunner.run(
            ["gan", "train", "--data", "\(dir.path)/real/shapes", "--out", "\(dir.path)/models/shapes", "--steps", "2"] + Self.tiny)
        #expect(result.status == 0, "\(result.stderr)")
        let before = try CLIRunner.json(["coverage", dir.path, "--view", "shapes", "--json"])
        let started = try CLIRunner.run([
            "jobs", "start", "gan-sample", "--workspace", dir.path, "--dataset", "shapes-gan", "--count", "4", "--set",
            "run=models/shapes", "--set", "class=bars",
        ])
        #expect(started.status == 0, "\(started.stderr)")
        let id = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try CLIRunner.run(["jobs", "wait", id, "--workspace", dir.path]).status == 0)
        let studio = try String(contentsOfFile: "\(dir.path)/studio.yaml", encoding: .utf8)
        #expect(studio.contains("shapes-gan") && studio.contains("format: imagefolder"))
        let after = try CLIRunner.json(["coverage", dir.path, "--view", "shapes", "--json"])
        #expect("\(before)" != "\(after)", "the view counts shapes-gan through its shapes-* pattern")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: "\(dir.path)/synthetic/shapes-gan/bars").count == 4)
    }

    @Test func benchPrintsTheFieldsItPromises() throws {
        let report = try CLIRunner.json([
            "gan", "bench", "--resolution", "16", "--ngf", "8", "--ndf", "8", "--batch", "4", "--steps", "2", "--json",
        ])
        #expect(report["step_ms_median"] is Double && report["generator_images_per_s"] is Double)
    }
}
