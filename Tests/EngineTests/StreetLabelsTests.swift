import Datasets
import Foundation
import StudioCore
import Testing

@testable import Engine

private let street = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
    "../../sample-data/scenes/street.yaml"
)
.standardized.path

@Suite("Street annotations a detector trainer can use")
struct StreetLabelsTests {
    @Test("No box under 2 px; objects too small or too hidden become ignore regions; people carry pose and distance")
    func ignoreRegions() throws {
        let job = try RenderJob(
            RenderSpec(
                id: "x", units: UnitPlan(dataset: "d", count: 6, seed: 5, shard: try Shard.parse("0/1")), recipe: street, pins: [:],
                size: PixelSize(width: 320, height: 240), samplesPerPixel: 1))
        var ignored = 0, kept = 0, people = 0
        for index in 0..<6 {
            let (_, annotations) = try job.labelled(index)
            for (category, annotation) in annotations {
                let box = try #require(annotation.box)
                #expect(job.classes.contains(category))
                if annotation.isCrowd {
                    #expect(annotation.attributes["ignore"] == "true")
                    #expect(["small", "occluded"].contains(annotation.attributes["ignore_reason"] ?? ""))
                    ignored += 1
                    continue
                }
                #expect(box.width >= 2 && box.height >= 2, "\(category) box \(box)")
                #expect(annotation.area >= 30)
                #expect(["none", "partial", "heavy"].contains(annotation.attributes["occlusion"] ?? ""))
                #expect(annotation.attributes["truncation"] != nil)
                if category == "pedestrian" {
                    #expect(annotation.attributes["pose"] != nil && annotation.attributes["distance_m"] != nil)
                    people += 1
                }
                kept += 1
            }
        }
        #expect(ignored > 0 && kept > 0 && people > 0, "ignored \(ignored), kept \(kept), people \(people)")
        // The class list is the renderer's fixed one, whatever a render shows.
        #expect(job.classes == ["pedestrian", "car", "cyclist", "pedestrian_reflection", "street_lamp", "traffic_sign", "traffic_light"])
    }

    @Test("Ignore regions are not counted, not planned for and not written to YOLO; a real crowd region still counts")
    func ignoredNotCounted() {
        let box = BoundingBox(minX: 1, minY: 1, maxX: 9, maxY: 9)
        let annotations = [
            Annotation(categoryID: 1, box: box), Annotation(categoryID: 1, box: box, isCrowd: true),
            Annotation(categoryID: 1, box: box, isCrowd: true, attributes: ["ignore": "true", "ignore_reason": "small"]),
        ]
        let sample = Sample(
            path: "a.png", width: 10, height: 10, origin: .synthetic, attributes: ["weather": "snow"], annotations: annotations)
        let dataset = Dataset(
            name: "d", root: "", format: .coco, origin: .synthetic, categories: [Category(id: 1, name: "pedestrian")], samples: [sample])
        #expect(ClassBalance(dataset).rows.map(\.annotations) == [2])
        #expect(YOLOWriter.labelText(sample, indexOf: [1: 0]).split(separator: "\n").count == 2)
        let spec = CoverageSpec(rows: .category, columns: .attribute("weather"), defaultTarget: 1)
        let cells = spec.cells(of: annotations.map { ("pedestrian", $0) }, attributes: ["weather": "snow"], dataset: "d")
        #expect(cells[CellKey(row: "pedestrian", column: "snow")] == 2)
    }
}
