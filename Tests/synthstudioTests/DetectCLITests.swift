import Datasets
import Engine
import Foundation
import TestSupport
import Testing

/// `evaluate --task detect` as a user starts it: a copied binary, relative paths, a fresh folder.
@Suite("synthstudio evaluate --task detect", .serialized)
struct DetectCLITests {
    @Test func trainsEachMixPrintsTheTableAndResumes() throws {
        let dir = TemporaryDirectory()
        let binary = dir.file("bin/synthstudio")
        try CLIRunner.copyBinary(to: binary)
        try ShapesDataset.write(in: dir, name: "real", count: 16, seed: 1)
        try ShapesDataset.write(in: dir, name: "synthetic", count: 16, seed: 2)
        try ShapesDataset.write(in: dir, name: "holdout", count: 9, seed: 3)
        let arguments = [
            "evaluate", "--task", "detect", "--real", "real", "--synthetic", "synthetic", "--holdout", "holdout", "--steps", "6",
            "--size", "128x96", "--batch", "4", "--out", "eval",
        ]
        let first = try CLIRunner.run(arguments, binary: binary, directory: dir.path)
        #expect(first.status == 0, "\(first.stderr)")
        for line in [
            "trained on", "real+synthetic", "AP50 per class", "AP50 by light: real → real+synthetic", "bright (6)", "dark (3)",
            "AP50 by size",
        ] {
            #expect(first.stdout.contains(line), "\(line) in \(first.stdout)")
        }
        #expect(first.stderr.contains("training 3 of 3, on real+synthetic images"))
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("eval/report.json")))) as? [String: Any])
        let mixes = try #require(report["mixes"] as? [[String: Any]])
        #expect(mixes.compactMap { $0["mix"] as? String } == ["real", "synthetic", "real+synthetic"])
        for key in ["ap", "ap50", "ap75", "ap_small", "ap_medium", "ap_large", "per_class", "conditions"] {
            #expect(mixes[0].keys.contains(key), "\(key)")
        }
        #expect(((mixes[0]["per_class"] as? [String: Any])?.keys.sorted()) == ["blue", "red"])

        // The studio's reader of the report (Coverage, key a) sees the same figures.
        let cells = try #require(EvaluationCells.read(dir.file("eval/report.json")))
        #expect(cells.mix == "real+synthetic" && cells.baseline == "real")
        let combined = try #require(mixes.last)
        let light = try #require((combined["conditions"] as? [[String: Any]])?.first { $0["value"] as? String == "dark" })
        let written = (light["per_class_ap50"] as? [String: Any])?["red"] as? Double
        let read = cells.ap50(row: "red", column: "dark", spec: CoverageSpec(rows: .category, columns: .attribute("light")))
        #expect(written != nil && read == written, "\(String(describing: read)) vs \(String(describing: written))")
        let overall = ((combined["per_class"] as? [String: Any])?["blue"] as? [String: Any])?["ap50"] as? Double
        #expect(cells.ap50(row: "blue", column: "all", spec: CoverageSpec(rows: .category)) == overall)

        // Run again: every mix is at its last step, so nothing trains; the figures are the same.
        let again = try CLIRunner.run(arguments + ["--json"], binary: binary, directory: dir.path)
        #expect(again.status == 0, "\(again.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        let againMixes = try #require(json["mixes"] as? [[String: Any]])
        #expect(againMixes.map { $0["ap50"] as? Double } == mixes.map { $0["ap50"] as? Double })

        let bad = try CLIRunner.run(
            ["evaluate", "--task", "detect", "--real", "real", "--holdout", "holdout", "--size", "100x96"], binary: binary,
            directory: dir.path)
        #expect(bad.status != 0 && bad.stderr.contains("multiple of 16"), "\(bad.stderr)")
        let missing = try CLIRunner.run(
            ["evaluate", "--task", "detect", "--real", "real", "--holdout", "holdout", "--mixes", "real+synthetic"], binary: binary,
            directory: dir.path)
        #expect(missing.status != 0 && missing.stderr.contains("needs --synthetic"), "\(missing.stderr)")
    }
}
