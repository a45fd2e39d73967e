import Datasets
import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@Suite("YOLO")
struct YOLOTests {
    @Test("write → read keeps images, splits, classes and boxes (to six decimals of normalized size)")
    func roundTrip() throws {
        let dir = TemporaryDirectory()
        let original = try makeRichDataset(in: dir)
        let out = "\(dir.path)/out"
        let notes = try DatasetIO.write(original, as: .yolo, to: out)
        #expect(notes.isEmpty)
        let read = try DatasetIO.read(out)
        #expect(read.format == .yolo)
        #expect(read.categories.map(\.name) == original.categories.map(\.name))
        #expect(read.categories.map(\.id) == [0, 1, 2])
        let byName = read.byFileName
        for sample in original.samples {
            let copy = try #require(byName[sample.fileName])
            #expect(copy.path == "images/\(sample.split!)/\(sample.fileName)")
            #expect(copy.split == sample.split)
            #expect(copy.width == sample.width && copy.height == sample.height)
            #expect(copy.annotations.count == sample.annotations.count)
            for (a, b) in zip(sample.annotations, copy.annotations) {
                #expect(original.name(of: a) == read.name(of: b))
                let (x, y) = (try #require(a.box), try #require(b.box))
                let tolerance = 1e-6 * Double(max(sample.width, sample.height))
                #expect(abs(x.x - y.x) <= tolerance && abs(x.y - y.y) <= tolerance)
                #expect(abs(x.width - y.width) <= tolerance && abs(x.height - y.height) <= tolerance)
            }
        }
        let yaml = try #require(FileManager.default.contents(atPath: "\(out)/data.yaml")).asText
        #expect(yaml.contains("train: images/train") && yaml.contains("val: images/val"))
        #expect(yaml.contains("nc: 3"))
    }

    @Test("Ultralytics' layout with names as a mapping, segments, background images and a .txt image list")
    func ultralyticsLayout() throws {
        let dir = TemporaryDirectory()
        for name in ["images/train/a.png", "images/train/b.png", "images/val/c.png"] {
            try ImageFile.write(TestImages.pattern(width: 100, height: 50, layout: .rgb), to: dir.file(name))
        }
        dir.write("labels/train/a.txt", "0 0.5 0.5 0.2 0.4\n1 0.1 0.1 0.3 0.1 0.3 0.3 0.1 0.3\n\n")
        // b.png has no label file: a background image.
        dir.write("labels/val/c.txt", "1 0.25 0.5 0.5 1.0\n")
        dir.write("val.txt", "./images/val/c.png\n")
        dir.write(
            "data.yaml", "path: /somewhere/else/on/another/machine\ntrain: images/train\nval: val.txt\nnames:\n  0: person\n  1: bicycle\n")
        let dataset = try DatasetIO.read(dir.path)
        #expect(dataset.samples.map(\.path) == ["images/train/a.png", "images/train/b.png", "images/val/c.png"])
        #expect(dataset.samples.map(\.split) == ["train", "train", "val"])
        let a = dataset.samples[0].annotations
        #expect(a[0].box == BoundingBox(x: 40, y: 15, width: 20, height: 20))
        guard case .polygons(let polygons)? = a[1].mask else { Issue.record("segment not read"); return }
        #expect(polygons == [[10, 5, 30, 5, 30, 15, 10, 15]])
        #expect(a[1].box == BoundingBox(x: 10, y: 5, width: 20, height: 10))
        #expect(dataset.samples[1].annotations.isEmpty)
        #expect(dataset.samples[2].annotations[0].box == BoundingBox(x: 0, y: 0, width: 50, height: 50))
        #expect(ClassBalance(dataset).rows.map(\.annotations) == [1, 2])
    }

    @Test("a label line with four numbers is an error naming file and line")
    func fourNumbers() throws {
        let dir = try Self.minimal(labels: "0 0.5 0.5 0.1 0.1\n0 0.5 0.5 0.1\n")
        let error = #expect(throws: DatasetsError.self) { try DatasetIO.read(dir.path) }
        #expect(error?.path == "\(dir.path)/labels/train/a.txt")
        #expect(error?.location == ":2")
        #expect(error?.message.contains("found 4") == true)
    }

    @Test(
        "bad label lines are errors",
        arguments: [
            "2 0.5 0.5 0.1 0.1",  // class index out of range (two names)
            "-1 0.5 0.5 0.1 0.1",
            "x 0.5 0.5 0.1 0.1",
            "0 0.5 0.5 -0.1 0.1",
            "0 0.5 0.5 nan 0.1",
            "0 0.5 0.5 0.1 0.1 0.9",  // six values: neither a box nor a polygon
        ])
    func badLine(line: String) throws {
        let dir = try Self.minimal(labels: line + "\n")
        let error = #expect(throws: DatasetsError.self) { try DatasetIO.read(dir.path) }
        #expect(error?.location == ":1")
    }

    @Test("class index out of range names the range")
    func classOutOfRange() throws {
        let dir = try Self.minimal(labels: "5 0.5 0.5 0.1 0.1\n")
        let error = #expect(throws: DatasetsError.self) { try DatasetIO.read(dir.path) }
        #expect(error?.message.contains("outside the 2 names") == true)
    }

    @Test("data.yaml problems: missing names, nc disagreeing, a gap in indices, no splits")
    func badYAML() throws {
        for yaml in [
            "train: images/train\n", "train: images/train\nnc: 3\nnames: [a, b]\n", "train: images/train\nnames: {0: a, 2: b}\n",
            "names: [a]\n", "names: [a\n",
        ] {
            let dir = try Self.minimal(labels: "", yaml: yaml)
            let error = #expect(throws: DatasetsError.self, "\(yaml)") { try DatasetIO.read(dir.path) }
            #expect(error?.path.hasSuffix("data.yaml") == true, "\(yaml)")
            #expect(error?.location?.hasPrefix(":") == true, "\(yaml)")
        }
    }

    static func minimal(labels: String, yaml: String = "train: images/train\nnames: [cat, dog]\n") throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        try ImageFile.write(TestImages.pattern(width: 8, height: 8, layout: .gray), to: dir.file("images/train/a.png"))
        dir.write("labels/train/a.txt", labels)
        dir.write("data.yaml", yaml)
        return dir
    }
}

extension Data {
    var asText: String { String(decoding: self, as: UTF8.self) }
}
