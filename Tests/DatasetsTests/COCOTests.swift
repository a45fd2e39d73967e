import Datasets
import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@Suite("COCO")
struct COCOTests {
    @Test("write → read gives the same dataset: boxes, polygons, RLE, crowds, attributes, splits, provenance")
    func roundTrip() throws {
        let dir = TemporaryDirectory()
        let original = try makeRichDataset(in: dir)
        let out = "\(dir.path)/out"
        try DatasetIO.write(original, as: .coco, to: out)
        let read = try DatasetIO.read(out)
        #expect(read.format == .coco)
        #expect(read.origin == .synthetic)  // provenance.jsonl marks it
        #expect(read.categories == original.categories)
        #expect(read.samples.count == original.samples.count)
        let byName = read.byFileName
        for sample in original.samples {
            let copy = try #require(byName[sample.fileName])
            #expect(copy.path == "images/\(sample.fileName)")
            #expect(copy.width == sample.width && copy.height == sample.height)
            #expect(copy.split == sample.split)
            #expect(copy.attributes == sample.attributes)
            #expect(copy.annotations == sample.annotations)
            #expect((copy.provenance != nil) == (sample.provenance != nil))
            #expect(try ImageFile.read(read.imagePath(of: copy)) == ImageFile.read(original.imagePath(of: sample)))
        }
        #expect(byName["img1.png"]?.provenance?.contains("\"seed\":7") == true)
    }

    @Test("two images with one file name in different folders are both kept")
    func nameCollision() throws {
        let dir = TemporaryDirectory()
        var dataset = try makeRichDataset(in: dir)
        try ImageFile.write(TestImages.pattern(width: 5, height: 5, layout: .gray), to: dir.file("src/other/img0.png"))
        dataset.samples.append(Sample(path: "src/other/img0.png", width: 5, height: 5))
        try DatasetIO.write(dataset, as: .coco, to: "\(dir.path)/out")
        let read = try DatasetIO.read("\(dir.path)/out")
        #expect(Set(read.samples.map(\.fileName)).count == 5)
    }

    @Test("photos written by another tool (COCO's own layout): counts, boxes, crowd RLE, gray JPEG")
    func foreignPhotos() throws {
        let dataset = try DatasetIO.read("\(fixtures)/coco-photos")
        #expect(dataset.format == .coco && dataset.origin == .real)
        #expect(dataset.samples.count == 3)
        #expect(dataset.annotationCount == 6)
        #expect(dataset.categories.map(\.name) == ["building", "boat", "tree", "flower"])
        #expect(Set(dataset.samples.map(\.split)) == ["val"])
        let china = try #require(dataset.byFileName["china.jpg"])
        #expect(china.path == "val2017/china.jpg")
        #expect(china.annotations.map { dataset.name(of: $0) } == ["building", "boat", "tree"])
        #expect(china.annotations[0].box == BoundingBox(x: 30, y: 14, width: 155, height: 200))
        let trees = china.annotations[2]
        #expect(trees.isCrowd)
        guard case .rle(let rle)? = trees.mask else { Issue.record("crowd is not RLE"); return }
        #expect(rle.boundingBox == trees.box)
        #expect(rle.area == 50 * 119)
        let balance = ClassBalance(dataset)
        #expect(balance.rows.map(\.annotations) == [1, 1, 1, 3])
        #expect(balance.rows.map(\.images) == [1, 1, 1, 2])
        #expect(Validator.validate(dataset).isEmpty)
    }

    @Test("FiftyOne's layout: labels.json + data/")
    func fiftyOneLayout() throws {
        let dir = TemporaryDirectory()
        try ImageFile.write(TestImages.pattern(width: 10, height: 8, layout: .rgb), to: dir.file("data/0001.png"))
        dir.write(
            "labels.json",
            #"{"info": {}, "categories": [{"id": 1, "name": "cat"}], "images": [{"id": 1, "file_name": "0001.png", "width": 10, "height": 8}], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 3, 3], "area": 9, "iscrowd": 0}]}"#
        )
        let dataset = try DatasetIO.read(dir.path)
        #expect(dataset.samples.first?.path == "data/0001.png")
        #expect(dataset.annotationCount == 1)
        #expect(Validator.validate(dataset).isEmpty)
    }

    @Test("a missing \"images\" key is an error naming it")
    func missingImages() {
        let dir = TemporaryDirectory()
        dir.write("annotations.json", #"{"annotations": [], "categories": []}"#)
        let error = #expect(throws: DatasetsError.self) { try DatasetIO.read(dir.path) }
        #expect(error?.code == .schema)
        #expect(error?.location == "images")
        #expect(error?.path == "\(dir.path)/annotations.json")
        #expect(error?.description.contains("missing") == true)
    }

    @Test("annotations pointing at unknown images or categories are all listed in one error")
    func unknownReferences() {
        let dir = TemporaryDirectory()
        dir.write(
            "annotations.json",
            #"{"categories": [{"id": 1, "name": "a"}], "images": [{"id": 1, "file_name": "x.png", "width": 4, "height": 4}], "annotations": [{"image_id": 1, "category_id": 1, "bbox": [0,0,1,1]}, {"image_id": 42, "category_id": 1, "bbox": [0,0,1,1]}, {"image_id": 1, "category_id": 9, "bbox": [0,0,1,1]}]}"#
        )
        let error = #expect(throws: DatasetsError.self) { try DatasetIO.read(dir.path) }
        #expect(error?.code == .invalidValue)
        #expect(error?.message.contains("annotations[1] points at image 42") == true)
        #expect(error?.message.contains("annotations[2] has category 9") == true)
    }

    @Test(
        "a box with a negative or NaN size is refused",
        arguments: [
            (#"[0, 0, -3, 2]"#, DatasetsError.Code.invalidValue),
            (#"[0, 0, NaN, 2]"#, .syntax),  // Python's json.dump writes NaN, which is not JSON
            (#"[0, 0, "NaN", 2]"#, .schema),
            (#"[0, 0, 2]"#, .schema),
            (#"[0, 0, 1e400, 2]"#, .syntax),  // out of Double range: Foundation refuses it
        ])
    func badBox(box: String, code: DatasetsError.Code) {
        let dir = TemporaryDirectory()
        dir.write(
            "annotations.json",
            #"{"categories": [{"id": 1, "name": "a"}], "images": [{"id": 1, "file_name": "x.png", "width": 4, "height": 4}], "annotations": [{"id": 5, "image_id": 1, "category_id": 1, "bbox": "#
                + box + "}]}")
        let error = #expect(throws: DatasetsError.self) { try DatasetIO.read(dir.path) }
        #expect(error?.code == code)
        if code != .syntax { #expect(error?.location == "annotations[0].bbox") }
    }

    @Test(
        "a file_name that escapes the dataset folder is refused",
        arguments: ["../../etc/passwd", "/etc/passwd", "a/../../../x.png", "..", "images/../../../x.png"])
    func escapingPath(name: String) {
        let dir = TemporaryDirectory()
        dir.write("annotations.json", #"{"categories": [], "images": [{"id": 1, "file_name": "\#(name)", "width": 4, "height": 4}]}"#)
        let error = #expect(throws: DatasetsError.self) { try DatasetIO.read(dir.path) }
        #expect(error?.code == .unsafePath || error?.code == .invalidValue)
        #expect(error?.location == "images[0].file_name")
    }

    @Test("wrong types, duplicate ids, bad JSON and bad RLE are errors naming the field")
    func schemaErrors() {
        let cases: [(String, String?)] = [
            (#"{"images": {}, "categories": []}"#, "images"),
            (#"{"images": [{"id": "1", "file_name": "a.png", "width": 1, "height": 1}], "categories": []}"#, "images[0].id"),
            (#"{"images": [{"id": 1, "file_name": "a.png", "width": 1.5, "height": 1}], "categories": []}"#, "images[0].width"),
            (#"{"images": [], "categories": [{"id": 1, "name": "a"}, {"id": 1, "name": "b"}]}"#, "categories[1].id"),
            (
                #"{"images": [{"id": 1, "file_name": "a.png", "width": 2, "height": 2}], "categories": [{"id": 1, "name": "a"}], "annotations": [{"image_id": 1, "category_id": 1, "segmentation": {"size": [2, 2], "counts": [1, 2]}}]}"#,
                "annotations[0].segmentation.counts"
            ),
            (
                #"{"images": [{"id": 1, "file_name": "a.png", "width": 2, "height": 2}], "categories": [{"id": 1, "name": "a"}], "annotations": [{"image_id": 1, "category_id": 1, "segmentation": [[1, 2, 3]]}]}"#,
                "annotations[0].segmentation[0]"
            ),
            ("{\"images\": [\n{\"id\": 1,\n]}", ":3"),
            ("[1, 2]", nil),
        ]
        for (json, location) in cases {
            let dir = TemporaryDirectory()
            dir.write("annotations.json", json)
            let error = #expect(throws: DatasetsError.self, "\(json)") { try DatasetIO.read(dir.path) }
            #expect(error?.location == location, "\(json)")
        }
    }

    @Test("a zero-byte annotation file is a clear syntax error")
    func emptyFile() {
        let dir = TemporaryDirectory()
        dir.write("annotations.json", "")
        let error = #expect(throws: DatasetsError.self) { try DatasetIO.read(dir.path) }
        #expect(error?.code == .syntax)
    }

    @Test("writing refuses a folder that is not empty, and leaves it untouched")
    func refusesNonEmpty() throws {
        let dir = TemporaryDirectory()
        let dataset = try makeRichDataset(in: dir)
        dir.write("out/keep.txt", "precious")
        #expect(throws: DatasetsError.self) { try DatasetIO.write(dataset, as: .coco, to: "\(dir.path)/out") }
        #expect(dir.list("out") == ["keep.txt"])
    }

    @Test("output is what pycocotools expects: ids from 1, compressed RLE, area and iscrowd on every annotation")
    func outputShape() throws {
        let dir = TemporaryDirectory()
        try DatasetIO.write(try makeRichDataset(in: dir), as: .coco, to: "\(dir.path)/out")
        let data = try #require(FileManager.default.contents(atPath: "\(dir.path)/out/annotations.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let annotations = try #require(json["annotations"] as? [[String: Any]])
        #expect(annotations.count == 12)
        #expect(annotations.map { $0["id"] as? Int } == (1...12).map { $0 })
        #expect(annotations.allSatisfy { $0["area"] != nil && $0["iscrowd"] != nil && $0["bbox"] != nil })
        let rle = try #require(annotations[1]["segmentation"] as? [String: Any])
        #expect(rle["counts"] is String)
        // The control character in a class name is escaped in the JSON text, never written raw.
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#"cyc\u001b[31mlist"#))
        #expect(!text.unicodeScalars.contains { $0 == "\u{1B}" })
    }
}
