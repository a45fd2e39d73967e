import Datasets
import Foundation
import ImageIO
import StudioCore
import TestSupport

/// Fixtures committed beside these tests (files written by other tools).
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// A small detection dataset on disk, with everything the model can hold: splits, boxes, polygons,
/// RLE masks, crowds, image and annotation attributes, provenance, and names with control characters.
func makeRichDataset(in dir: TemporaryDirectory) throws -> Dataset {
    let categories = [
        Category(id: 1, name: "pedestrian", supercategory: "person"), Category(id: 3, name: "car"),
        Category(id: 7, name: "cyc\u{1B}[31mlist"),
    ]
    var samples: [Sample] = []
    for i in 0..<4 {
        let image = TestImages.pattern(width: 40 + i, height: 30, layout: i == 3 ? .gray : .rgb, seed: UInt64(i))
        let path = "src/\(i % 2 == 0 ? "a" : "b")/img\(i).png"
        try ImageFile.write(image, to: dir.file(path))
        var mask = [UInt8](repeating: 0, count: image.width * 30)
        for y in 5..<12 { for x in 3..<9 { mask[y * image.width + x] = 1 } }
        let rle = RunLengthMask(rowMajor: mask, width: image.width, height: 30)
        samples.append(
            Sample(
                path: path, width: image.width, height: 30, split: i < 3 ? "train" : "val",
                provenance: i == 1 ? #"{"file_name":"img1.png","job":"j1","seed":7}"# : nil,
                attributes: ["weather": i % 2 == 0 ? "snow" : "sunny", "lighting": "night"],
                annotations: [
                    Annotation(categoryID: 1, box: BoundingBox(x: 1.5, y: 2.25, width: 10, height: 12.5), attributes: ["occluded": "true"]),
                    Annotation(categoryID: 3, box: BoundingBox(x: 3, y: 5, width: 6, height: 7), mask: .rle(rle)),
                    Annotation(
                        categoryID: 7, box: BoundingBox(x: 20, y: 10, width: 8, height: 8),
                        mask: .polygons([[20, 10, 28, 10, 28, 18, 20, 18]]), isCrowd: i == 2),
                ]
            ))
    }
    return Dataset(name: "rich", root: dir.path, format: .coco, origin: .synthetic, categories: categories, samples: samples)
}

extension Dataset {
    /// Samples keyed by file name, for comparing datasets whose paths differ after a write.
    var byFileName: [String: Sample] { Dictionary(uniqueKeysWithValues: samples.map { ($0.fileName, $0) }) }

    /// Category name of an annotation.
    func name(of annotation: Annotation) -> String? { categoriesByID[annotation.categoryID]?.name }
}
