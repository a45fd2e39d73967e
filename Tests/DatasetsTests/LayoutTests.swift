import Datasets
import ImageIO
import StudioCore
import TestSupport
import Testing

@Suite("Format detection")
struct LayoutTests {
    @Test("each layout the field's tools write is recognised")
    func detects() throws {
        let dir = TemporaryDirectory()
        dir.write("yolo/data.yaml", "names: [a]\ntrain: images\n")
        dir.write("fiftyone/labels.json", "{}")
        dir.write("ours/annotations.json", "{}")
        dir.write("shipped/annotations/instances_val2017.json", "{}")
        dir.write("shipped/annotations/instances_train2017.json", "{}")
        dir.write("shipped/annotations/captions_val2017.json", "{}")
        dir.write("voc/Annotations/a.xml", "<annotation/>")
        dir.write("folder/cat/a.png", "")
        #expect(try DatasetLayout.detect("\(dir.path)/yolo") == .yolo)
        #expect(try DatasetLayout.detect("\(dir.path)/fiftyone").format == .coco)
        #expect(try DatasetLayout.detect("\(dir.path)/voc") == .voc)
        #expect(try DatasetLayout.detect("\(dir.path)/folder") == .imageFolder)
        guard case .coco(let ours) = try DatasetLayout.detect("\(dir.path)/ours") else { Issue.record("not COCO"); return }
        #expect(ours.map(\.imageDirectory) == ["\(dir.path)/ours/images"])
        guard case .coco(let shipped) = try DatasetLayout.detect("\(dir.path)/shipped") else { Issue.record("not COCO"); return }
        #expect(shipped.map(\.split) == ["train", "val"])
        #expect(shipped.map(\.imageDirectory) == ["\(dir.path)/shipped/train2017", "\(dir.path)/shipped/val2017"])
    }

    @Test("an empty folder, a file and a missing path are clear errors")
    func unknown() throws {
        let dir = TemporaryDirectory()
        dir.write("empty/.keep", "")
        dir.write("file.txt", "x")
        #expect((#expect(throws: DatasetsError.self) { try DatasetLayout.detect("\(dir.path)/empty") })?.code == .unknownFormat)
        #expect((#expect(throws: DatasetsError.self) { try DatasetLayout.detect("\(dir.path)/file.txt") })?.code == .unreadable)
        #expect((#expect(throws: DatasetsError.self) { try DatasetLayout.detect("\(dir.path)/nope") })?.code == .unreadable)
    }
}
