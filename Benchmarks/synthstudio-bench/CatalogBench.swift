import Catalog
import Datasets
import Dispatch
import Foundation
import ImageIO
import StudioCore

/// The catalog at scale: a workspace of 100,000 small PNGs with 1,000,000 COCO annotations
/// (image weather/lighting attributes, some annotation-level overrides). Reports the time to index
/// it, to reopen it (open + a refresh that finds nothing changed), and for coverage queries.
/// Targets from the issue: reopen under 0.5 s, a coverage query under 100 ms.
struct CatalogBench {
    let images: Int
    let perImage: Int
    let folder: String

    /// Generates the workspace once (reused by later runs and by the reading bench).
    func ensureData() throws {
        guard !FileManager.default.fileExists(atPath: "\(folder)/.complete") else { return }
        try? FileManager.default.removeItem(atPath: folder)
        try generate("\(folder)/workspace")
        _ = FileManager.default.createFile(atPath: "\(folder)/.complete", contents: nil)
    }

    func run() throws {
        let root = "\(folder)/workspace"
        try ensureData()
        try? FileManager.default.removeItem(atPath: "\(root)/.studio")
        let workspace = try Workspace.load(root)
        print("\nCatalog: \(grouped(images)) PNGs, \(grouped(images * perImage)) COCO annotations (SQLite through GRDB, WAL)")

        var catalog = try Catalog.open(workspace: root)
        let index = try seconds { _ = try catalog.refresh(workspace) }
        print(String(format: "  index from scratch            %8.2f s", index))

        catalog = try Catalog.open(workspace: root)
        var report = RefreshReport()
        let reopen = try seconds {
            catalog = try Catalog.open(workspace: root)
            report = try catalog.refresh(workspace)
        }
        print(
            String(
                format: "  reopen (open + refresh, unchanged) %5.0f ms   target < 500 ms   (%@)", reopen * 1000,
                report.entries.map { $0.action.rawValue }.joined(separator: ", ")))
        let openOnly = try seconds { catalog = try Catalog.open(workspace: root) }
        print(String(format: "  open alone                    %8.1f ms", openOnly * 1000))

        for spec in [
            CoverageSpec(rows: .category, columns: .attribute("weather"), defaultTarget: 50_000),
            CoverageSpec(rows: .attribute("lighting"), columns: .attribute("weather")),
            CoverageSpec(rows: .category, columns: .split),
        ] {
            var matrix: CoverageMatrix?
            let times = try (0..<5).map { _ in try seconds { matrix = try catalog.coverage(spec) } }.sorted()
            let cells = matrix.map { $0.rowLabels.count * $0.columnLabels.count } ?? 0
            print(
                String(
                    format: "  coverage %@ × %@  %6.2f ms (median of 5)   target < 100 ms   %d cells", "\(spec.rows)", "\(spec.columns!)",
                    times[2] * 1000, cells))
        }
        let page = try seconds {
            _ = try catalog.samples(
                SampleFilter(conditions: [(.category, "pedestrian"), (.attribute("weather"), "snow")]), offset: 0, limit: 100)
        }
        print(String(format: "  first page of a cell's samples %7.2f ms", page * 1000))

        // Touch one annotation file: the dataset is read again, but no image header is probed.
        let json = "\(root)/synthetic/street/annotations.json"
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: json)
        var changed = RefreshReport()
        let reindex = try seconds { changed = try catalog.refresh(workspace) }
        print(
            String(
                format: "  refresh after the COCO file changed %5.2f s (%d image headers probed)", reindex,
                changed.entries.first?.probed ?? -1))
    }

    private func generate(_ root: String) throws {
        print("generating \(grouped(images)) PNGs and \(grouped(images * perImage)) annotations in \(root) …")
        let dataset = "\(root)/synthetic/street"
        try FileManager.default.createDirectory(atPath: "\(dataset)/images", withIntermediateDirectories: true)
        let png = try ImageFile.encode(
            Image(width: 32, height: 24, layout: .rgb, pixels: .eight([UInt8](repeating: 90, count: 32 * 24 * 3))), as: .png)
        let weathers = ["sunny", "cloudy", "hazy", "rain", "snow"], lights = ["day", "dusk", "night"]
        let categories = ["pedestrian", "car", "cyclist", "bus", "truck", "sign", "lamp", "pedestrian_reflection"]
        var rng = RandomStream(seed: 5)
        var text = #"{"info": {"description": "catalog benchmark"}, "images": ["#
        text.reserveCapacity(images * perImage * 130)
        for i in 0..<images {
            // Bench data only: plain writes, no fsync (the product writes atomically).
            _ = FileManager.default.createFile(atPath: String(format: "%@/images/%06d.png", dataset, i), contents: Data(png))
            let weather = weathers[Int(rng.next() % 5)], light = lights[Int(rng.next() % 3)]
            text +=
                (i > 0 ? "," : "")
                + #"{"id": \#(i + 1), "file_name": "\#(String(format: "%06d", i)).png", "width": 32, "height": 24, "split": "\#(i % 10 == 0 ? "val" : "train")", "attributes": {"weather": "\#(weather)", "lighting": "\#(light)"}}"#
        }
        text += #"], "annotations": ["#
        var id = 0
        for i in 0..<images {
            for _ in 0..<perImage {
                id += 1
                let c = Int(rng.next() % UInt64(categories.count)) + 1
                let override = rng.next() % 20 == 0 ? #", "attributes": {"weather": "snow"}"# : ""
                text +=
                    (id > 1 ? "," : "")
                    + #"{"id": \#(id), "image_id": \#(i + 1), "category_id": \#(c), "bbox": [2.0, 3.0, 10.0, 8.0], "area": 80.0, "iscrowd": 0\#(override)}"#
            }
        }
        text +=
            #"], "categories": ["#
            + categories.enumerated().map { #"{"id": \#($0.offset + 1), "name": "\#($0.element)"}"# }.joined(separator: ",") + "]}"
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(dataset)/annotations.json"))
        try "name: bench\ndatasets:\n  - name: street\n    path: synthetic/street\n    origin: synthetic\n".write(
            toFile: "\(root)/studio.yaml", atomically: true, encoding: .utf8)
    }

    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func grouped(_ n: Int) -> String {
        let f = NumberFormatter()
        f.numberStyle = .decimal
        return f.string(from: NSNumber(value: n)) ?? "\(n)"
    }
}
