import Catalog
import Datasets
import Engine
import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

/// Units as a worker stages them, and the files of a dataset folder.
enum Units {
    static let key = UnitKey(stem: "test", inputs: [.text("commit tests")])

    /// Unit `i`: a small image, two annotations with a mask and attributes, provenance.
    static func unit(_ i: Int, classes: [String]? = nil) -> (GeneratedUnit, Image) {
        let image = TestImages.pattern(width: 24, height: 16, layout: .rgb, seed: UInt64(100 + i))
        var mask = [UInt8](repeating: 0, count: 24 * 16)
        for y in 2..<9 { for x in (i % 5)..<(i % 5 + 6) { mask[y * 24 + x] = 1 } }
        let rle = RunLengthMask(rowMajor: mask, width: 24, height: 16)
        let names = classes ?? ["pedestrian", i % 3 == 0 ? "car" : "pedestrian_reflection"]
        let unit = GeneratedUnit(
            index: i, name: key.name(i), width: 24, height: 16, attributes: ["weather": i % 2 == 0 ? "snow" : "rain"],
            annotations: [
                (
                    names[0],
                    Annotation(categoryID: 0, box: rle.boundingBox, mask: .rle(rle), attributes: ["weather": i % 2 == 0 ? "snow" : "rain"])
                ),
                (names[1 % names.count], Annotation(categoryID: 0, box: BoundingBox(x: 10, y: 4, width: 8, height: 6))),
            ],
            provenance: #"{"file_name":"\#(key.name(i))","index":\#(i),"seed":7}"#)
        return (unit, image)
    }

    static func stage(_ indices: some Sequence<Int>, in staging: String, classes: [String]? = nil) throws -> [String] {
        try indices.map { i in
            let (unit, image) = Self.unit(i, classes: classes)
            let folder = "\(staging)/\(i)"
            try unit.write(image: image, to: folder)
            return folder
        }
    }

    /// Every visible file of a folder (hidden ones — the lock, the journal, staging — aside).
    static func files(_ root: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: root).sorted()
        where !path.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDirectory), !isDirectory.boolValue {
                out[path] = FileManager.default.contents(atPath: "\(root)/\(path)")
            }
        }
        return out
    }
}

@Suite("Committing units into a synthetic dataset")
struct CommitTests {
    @Test("units land whole: a COCO and YOLO dataset that reads back with masks, attributes and provenance, valid after every commit")
    func commit() throws {
        let dir = TemporaryDirectory()
        let committer = try DatasetCommitter(root: "\(dir.path)/synthetic/street", layout: .coco)
        let outcome = try committer.commit(try Units.stage(0..<5, in: "\(dir.path)/staging"))
        #expect(outcome.committed.map(\.index) == [0, 1, 2, 3, 4] && outcome.rejected.isEmpty)
        #expect(dir.list("staging").isEmpty)
        // Before compaction our readers see the journal; after it annotations.json holds everything.
        for compacted in [false, true] {
            if compacted { #expect(try committer.compact()) }
            let dataset = try DatasetIO.read("\(dir.path)/synthetic/street")
            #expect(dataset.format == .coco && dataset.origin == .synthetic)
            #expect(dataset.samples.count == 5 && dataset.annotationCount == 10)
            #expect(dataset.categories.map(\.name) == ["pedestrian", "car", "pedestrian_reflection"])
            #expect(dataset.samples.allSatisfy { $0.provenance?.contains("\"seed\":7") == true })
            #expect(Validator.validate(dataset).map(\.kind) == (compacted ? [] : [.pendingJournal]))
            let yolo = try DatasetIO.read("\(dir.path)/synthetic/street", format: .yolo)
            #expect(yolo.annotationCount == 10)
            guard case .rle(let rle)? = dataset.samples[0].annotations[0].mask else { Issue.record("mask lost"); return }
            #expect(rle.boundingBox == dataset.samples[0].annotations[0].box)
        }
        // pycocotools' view: annotations.json alone lists every image.
        let coco =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/synthetic/street/annotations.json")))
            as? [String: Any]
        #expect((coco?["images"] as? [Any])?.count == 5)
    }

    @Test("committing in batches, or after a kill between moving images and recording them, equals one commit")
    func resumeEqualsUninterrupted() throws {
        let whole = TemporaryDirectory()
        do {
            let c = try DatasetCommitter(root: "\(whole.path)/d", layout: .coco)
            try c.commit(try Units.stage(0..<8, in: "\(whole.path)/staging"))
            try c.compact()
        }
        let pieces = TemporaryDirectory()
        do {
            let committer = try DatasetCommitter(root: "\(pieces.path)/d", layout: .coco)
            try committer.commit(try Units.stage(0..<3, in: "\(pieces.path)/staging"))
            try committer.commit(try Units.stage([5], in: "\(pieces.path)/staging"))
        }
        // A kill -9 after unit 3's image was moved but before its journal line was written:
        let orphan = try Units.stage([3], in: "\(pieces.path)/staging")[0]
        #expect(rename("\(orphan)/image.png", "\(pieces.path)/d/images/\(Units.key.name(3))") == 0)
        // … the dataset still reads, with the four committed units, and validate names the orphan.
        let interrupted = try DatasetIO.read("\(pieces.path)/d")
        #expect(interrupted.samples.count == 4)
        #expect(Validator.validate(interrupted).contains { $0.kind == .orphanImage && $0.path.hasSuffix(Units.key.name(3)) })
        // The resume reopens the dataset (as a new process would) and commits what was staged.
        let committer = try DatasetCommitter(root: "\(pieces.path)/d", layout: .coco)
        #expect(committer.contains(Units.key.name(5)) && !committer.contains(Units.key.name(3)))
        try committer.commit([orphan] + (try Units.stage([4, 6, 7], in: "\(pieces.path)/staging")))
        // Committing a unit twice (killed between the journal line and removing its folder) adds nothing.
        let again = try Units.stage([6], in: "\(pieces.path)/staging")
        #expect(try committer.commit(again).committed.map(\.index) == [6])
        try committer.compact()
        #expect(try Units.files("\(pieces.path)/d") == Units.files("\(whole.path)/d"))
    }

    @Test("a damaged unit is set aside with the reason and the others land; a unit that would replace another file is refused")
    func badUnits() throws {
        let dir = TemporaryDirectory()
        let committer = try DatasetCommitter(root: "\(dir.path)/d", layout: .coco)
        var folders = try Units.stage(0..<3, in: "\(dir.path)/staging")
        // No manifest (a half-written unit), a manifest that is not one, an image gone.
        try FileManager.default.removeItem(atPath: "\(folders[0])/unit.json")
        dir.write("staging/1/unit.json", "{\"index\": 1}")
        let lost = try Units.stage([9], in: "\(dir.path)/staging")[0]
        try FileManager.default.removeItem(atPath: "\(lost)/image.png")
        folders.append(lost)
        let outcome = try committer.commit(folders, rejectInto: "\(dir.path)/rejected")
        #expect(outcome.committed.map(\.index) == [2])
        #expect(outcome.rejected.map(\.unit).sorted() == ["0", "1", "9"])
        #expect(outcome.rejected.first { $0.unit == "9" }?.reason.contains("missing") == true)
        #expect(dir.list("rejected") == ["0", "1", "9"] && dir.list("staging").isEmpty)
        // Another file already under unit 4's name, with other bytes: nothing is overwritten.
        try ImageFile.write(TestImages.pattern(width: 4, height: 4, layout: .gray), to: "\(dir.path)/d/images/\(Units.key.name(4))")
        let before = try Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/d/images/\(Units.key.name(4))"))
        let collision = try committer.commit(try Units.stage([4], in: "\(dir.path)/staging"), rejectInto: "\(dir.path)/rejected")
        #expect(collision.committed.isEmpty && collision.rejected.first?.reason.contains("nothing is overwritten") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/d/images/\(Units.key.name(4))")) == before)
    }

    @Test("nothing committed leaves no empty images/ and labels/ that would read as an ImageFolder")
    func nothingCommitted() throws {
        let dir = TemporaryDirectory()
        let committer = try DatasetCommitter(root: "\(dir.path)/gen", layout: .coco)
        dir.write("staging/0/unit.json", "not json")
        #expect(try committer.commit(["\(dir.path)/staging/0"]).rejected.count == 1)
        #expect(dir.list("gen").filter { !$0.hasPrefix(".") }.isEmpty)
    }

    @Test(
        "a generator's class list fixes the YOLO ids: two renders with different classes present list the same names; appending keeps ids")
    func fixedClassList() throws {
        let classes = ["pedestrian", "car", "cyclist", "pedestrian_reflection"]
        let dir = TemporaryDirectory()
        for (name, present) in [("a", ["cyclist", "car"]), ("b", ["pedestrian", "pedestrian_reflection"])] {
            let c = try DatasetCommitter(root: "\(dir.path)/\(name)", layout: .coco, classes: classes)
            try c.commit(try Units.stage(0..<2, in: "\(dir.path)/staging-\(name)", classes: present))
            try c.compact()
        }
        let a = try String(contentsOfFile: "\(dir.path)/a/data.yaml", encoding: .utf8)
        #expect(a == (try String(contentsOfFile: "\(dir.path)/b/data.yaml", encoding: .utf8)))
        #expect(a.contains("0: pedestrian") && a.contains("2: cyclist") && a.contains("3: pedestrian_reflection"))
        // A cyclist is class 2 in a's labels.
        #expect(
            try String(
                contentsOfFile: "\(dir.path)/a/labels/\(Units.key.name(0).replacingOccurrences(of: ".png", with: ".txt"))", encoding: .utf8
            ).hasPrefix("2 "))
        // Appending with a class list in another order (and a new class) keeps the ids given.
        let more = try DatasetCommitter(root: "\(dir.path)/a", layout: .coco, classes: ["bus"] + classes.reversed())
        #expect(more.categories.map(\.name) == classes + ["bus"])
        // … and the next commit lists the new class in data.yaml, where a label may point at it.
        try more.commit(try Units.stage([5], in: "\(dir.path)/staging-a", classes: ["bus", "car"]))
        #expect(try String(contentsOfFile: "\(dir.path)/a/data.yaml", encoding: .utf8).contains("4: bus"))
        #expect(try DatasetIO.read("\(dir.path)/a", format: .yolo).annotationCount == 6)
    }

    @Test("commits recorded in the catalog directly give the index a full refresh gives, which then finds the dataset unchanged")
    func catalogStaysCurrent() throws {
        let dir = TemporaryDirectory()
        dir.write(
            "studio.yaml",
            "datasets:\n  - name: street\n    path: synthetic/street\n    origin: synthetic\n    format: coco\ncoverage:\n  rows: category\n  cols: weather\n  target: 4\n"
        )
        let ws = try Workspace.load(dir.path)
        let catalog = try Catalog.open(workspace: dir.path)
        let committer = try DatasetCommitter(
            root: "\(dir.path)/synthetic/street", layout: .coco, classes: ["pedestrian", "car", "cyclist"],
            catalog: DatasetCommitter.CatalogBinding(catalog: catalog, workspace: ws, dataset: "street"))
        try committer.commit(try Units.stage(0..<3, in: "\(dir.path)/staging"))
        try committer.commit(try Units.stage(3..<7, in: "\(dir.path)/staging"))
        try committer.compact()
        #expect(try catalog.refresh(ws).entries.map(\.action) == [.unchanged])
        let files = try DatasetIO.read("\(dir.path)/synthetic/street", name: "street")
        #expect(try catalog.classBalance(dataset: "street") == ClassBalance(files))
        #expect(try catalog.coverage(ws.coverage) == CoverageMatrix([files], spec: ws.coverage))
    }
}
