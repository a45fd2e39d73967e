import Datasets
import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@Suite("ImageFolder")
struct ImageFolderTests {
    @Test("write → read keeps classes, images and splits")
    func roundTrip() throws {
        let dir = TemporaryDirectory()
        var samples: [Sample] = []
        let categories = [Category(id: 0, name: "cat"), Category(id: 1, name: "dog"), Category(id: 2, name: "emu")]
        for i in 0..<6 {
            let path = "src/\(i).png"
            try ImageFile.write(TestImages.pattern(width: 6, height: 4, layout: .rgb, seed: UInt64(i)), to: dir.file(path))
            samples.append(
                Sample(path: path, width: 6, height: 4, split: i < 4 ? "train" : "val", annotations: [Annotation(categoryID: i % 3)]))
        }
        let original = Dataset(name: "pets", root: dir.path, format: .imageFolder, origin: .real, categories: categories, samples: samples)
        try DatasetIO.write(original, as: .imageFolder, to: "\(dir.path)/out")
        let read = try DatasetIO.read("\(dir.path)/out")
        #expect(read.format == .imageFolder)
        #expect(read.categories == categories)
        #expect(read.samples.count == 6)
        for sample in original.samples {
            let copy = try #require(read.byFileName[sample.fileName])
            #expect(copy.split == sample.split)
            #expect(copy.annotations == sample.annotations)
            #expect(copy.path == "\(sample.split!)/\(categories[sample.annotations[0].categoryID].name)/\(sample.fileName)")
        }
    }

    @Test("boxes are cropped into class folders")
    func crops() throws {
        let dir = TemporaryDirectory()
        let dataset = try makeRichDataset(in: dir)
        let notes = try DatasetIO.write(dataset, as: .imageFolder, to: "\(dir.path)/out")
        #expect(notes.contains { $0.contains("12 box(es)") })
        let read = try DatasetIO.read("\(dir.path)/out")
        #expect(read.samples.count == 12)
        let pedestrians = read.samples.filter { read.name(of: $0.annotations[0]) == "pedestrian" }
        #expect(pedestrians.count == 4)
        // Box x 1.5…11.5, y 2.25…14.75 rounds outward to 11 × 13 pixels.
        #expect(pedestrians.allSatisfy { $0.width == 11 && $0.height == 13 })
    }

    @Test("a loop of symbolic links is skipped and reported, not followed forever")
    func symlinkLoop() throws {
        let dir = TemporaryDirectory()
        try ImageFile.write(TestImages.pattern(width: 4, height: 4, layout: .gray), to: dir.file("cat/a.png"))
        try FileManager.default.createSymbolicLink(atPath: "\(dir.path)/cat/loop", withDestinationPath: "\(dir.path)/cat")
        try FileManager.default.createSymbolicLink(atPath: "\(dir.path)/cat/self", withDestinationPath: "\(dir.path)/cat/self")
        let dataset = try DatasetIO.read(dir.path)
        #expect(dataset.samples.map(\.path) == ["cat/a.png"])
        #expect(dataset.problems.count == 2)
        #expect(dataset.problems.contains { $0.message.contains("already visited") })
        #expect(Validator.validate(dataset).filter { $0.kind == .readProblem }.count == 2)
    }

    @Test("file and class names with control characters are kept, and escaped when printed")
    func controlCharacters() throws {
        let dir = TemporaryDirectory()
        let className = "evil\u{1B}]0;pwned\u{07}"
        let fileName = "x\u{1B}[2J.png"
        try ImageFile.write(TestImages.pattern(width: 4, height: 4, layout: .gray), to: dir.file("\(className)/\(fileName)"))
        let dataset = try DatasetIO.read(dir.path)
        #expect(dataset.categories.map(\.name) == [className])
        #expect(dataset.samples.first?.fileName == fileName)
        let safe = dataset.categories[0].name.terminalSafe
        #expect(!safe.unicodeScalars.contains { $0.value < 0x20 })
        #expect(safe == "evil\\e]0;pwned\\x07")
        let error = DatasetsError(.unreadable, path: "\(dir.path)/\(className)/\(fileName)", "bad")
        #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test("split folders are recognised; hidden files and non-images are ignored")
    func splitsAndNoise() throws {
        let dir = TemporaryDirectory()
        for path in ["train/a/1.png", "train/b/2.jpg.png", "valid/a/3.png", "test/b/4.png"] {
            try ImageFile.write(TestImages.pattern(width: 3, height: 3, layout: .gray), to: dir.file(path))
        }
        dir.write("train/a/notes.txt", "not an image")
        dir.write("train/a/.hidden.png", "hidden")
        let dataset = try DatasetIO.read(dir.path)
        #expect(dataset.samples.map(\.split) == ["test", "train", "train", "val"])
        #expect(dataset.categories.map(\.name) == ["a", "b"])
    }

    @Test("a truncated or zero-byte image is read with size 0 and reported by validate")
    func brokenImages() throws {
        let dir = TemporaryDirectory()
        let png = try ImageFile.encode(TestImages.pattern(width: 16, height: 16, layout: .rgb), as: .png)
        dir.write("cat/cut.png", Array(png.prefix(png.count - 40)))
        dir.write("cat/empty.png", [])
        let dataset = try DatasetIO.read(dir.path)
        #expect(dataset.samples.count == 2)
        #expect(dataset.problems.count == 1)  // empty.png has no header; cut.png's header is intact
        let issues = Validator.validate(dataset)
        #expect(
            issues.filter { $0.kind == .unreadableImage }.map { FileIO.lastComponent(of: $0.path) }.sorted() == ["cut.png", "empty.png"])
    }
}
