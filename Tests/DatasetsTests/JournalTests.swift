import Datasets
import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@Suite("The journal of appended commits")
struct JournalTests {
    /// `rich` written whole into `whole/`, and the same dataset built in `pieces/` from an empty
    /// annotation file plus journaled commits of one and three samples.
    static func twoWays(_ dir: TemporaryDirectory) throws -> (whole: String, pieces: String, dataset: Dataset) {
        // The same folder name in both places: COCO's info.description is the dataset's name.
        var rich = try makeRichDataset(in: dir)
        rich.name = "street"
        try DatasetIO.write(rich, as: .coco, to: "\(dir.path)/whole/street")
        let written = try DatasetIO.read("\(dir.path)/whole/street")
        let pieces = "\(dir.path)/pieces/street"
        try FileManager.default.createDirectory(atPath: "\(pieces)/images", withIntermediateDirectories: true)
        for sample in written.samples {
            try FileManager.default.copyItem(atPath: written.imagePath(of: sample), toPath: "\(pieces)/\(sample.path)")
        }
        var empty = written
        empty.samples = []
        empty.categories = [written.categories[0]]
        try DatasetJournal.writeWhole(empty, to: pieces)
        // Commits arrive in any order and batches; categories as they become known.
        try DatasetJournal.append([written.samples[2]], newCategories: Array(written.categories[1...]), to: pieces)
        try DatasetJournal.append([written.samples[0], written.samples[3], written.samples[1]], to: pieces)
        return ("\(dir.path)/whole/street", pieces, written)
    }

    static func files(_ root: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: root) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDirectory), !isDirectory.boolValue {
                out[path] = FileManager.default.contents(atPath: "\(root)/\(path)")
            }
        }
        return out
    }

    @Test("readers see the journal's commits at once; compacting gives the bytes of writing the dataset whole")
    func compaction() throws {
        let dir = TemporaryDirectory()
        let (whole, pieces, written) = try Self.twoWays(dir)
        let before = try DatasetIO.read(pieces)
        #expect(before.origin == .synthetic)
        #expect(Set(before.samples) == Set(written.samples))
        #expect(before.categories.sorted { $0.id < $1.id } == written.categories)
        #expect(DatasetJournal.isPending(pieces))
        #expect(try DatasetJournal.compact(pieces, format: .coco))
        #expect(!DatasetJournal.isPending(pieces))
        #expect(try Self.files(pieces) == Self.files(whole))
        #expect(try !DatasetJournal.compact(pieces, format: .coco), "nothing left to fold in")
    }

    @Test("a commit killed mid-append leaves a torn line: readers skip it, the next append cuts it")
    func tornTail() throws {
        let dir = TemporaryDirectory()
        let (_, pieces, written) = try Self.twoWays(dir)
        let journal = DatasetJournal.path(pieces)
        let text = try String(contentsOfFile: journal, encoding: .utf8)
        // The last commit's line, cut halfway (no newline).
        let lines = text.split(separator: "\n")
        let torn = lines.dropLast().joined(separator: "\n") + "\n" + lines.last!.prefix(40)
        try torn.write(toFile: journal, atomically: false, encoding: .utf8)
        #expect(try DatasetIO.read(pieces).samples.count == 3)
        try DatasetJournal.append([written.samples[1]], to: pieces)
        #expect(try DatasetIO.read(pieces).samples.count == 4)
        #expect(
            try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").allSatisfy {
                $0.hasPrefix("{") && $0.hasSuffix("}")
            })
    }

    @Test("a compaction killed before it removed the journal is not counted twice")
    func killedCompaction() throws {
        let dir = TemporaryDirectory()
        let (_, pieces, written) = try Self.twoWays(dir)
        let journal = try Data(contentsOf: URL(fileURLWithPath: DatasetJournal.path(pieces)))
        try DatasetJournal.compact(pieces, format: .coco)
        try journal.write(to: URL(fileURLWithPath: DatasetJournal.path(pieces)))
        #expect(try DatasetIO.read(pieces).samples.count == written.samples.count)
    }

    @Test(
        "a damaged journal line is an error naming the file and line",
        arguments: [
            (#"{"path":"../../etc/passwd","width":1,"height":1,"annotations":[]}"#, "inside the dataset folder"),
            (#"{"path":"images/a.png","width":-4,"height":1,"annotations":[]}"#, "negative"),
            (#"{"path":"images/a.png","width":4,"height":1}"#, "annotations"),
            (#"{"categories":[{"id":1,"name":"truck"}]}"#, "in the journal but"),
            ("not json", "not valid JSON"),
        ])
    func damaged(line: String, message: String) throws {
        let dir = TemporaryDirectory()
        let (_, pieces, _) = try Self.twoWays(dir)
        let handle = try #require(FileHandle(forWritingAtPath: DatasetJournal.path(pieces)))
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
        try handle.close()
        let error = #expect(throws: DatasetsError.self) { try DatasetIO.read(pieces) }
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
        #expect(error?.description.contains(".journal.jsonl") == true)
    }

    @Test("an ImageFolder's journal carries provenance; validate reports orphans and a pending journal as what they are")
    func imageFolderAndValidation() throws {
        let dir = TemporaryDirectory()
        try ImageFile.write(TestImages.pattern(width: 8, height: 8, layout: .gray), to: dir.file("gan/7/a.png"))
        var sample = Sample(path: "7/a.png", width: 8, height: 8, provenance: #"{"file_name":"7/a.png","seed":"3"}"#)
        sample.annotations = [Annotation(categoryID: 0)]
        try DatasetJournal.append([sample], to: "\(dir.path)/gan")
        let gan = try DatasetIO.read("\(dir.path)/gan", format: .imageFolder)
        #expect(gan.origin == .synthetic && gan.samples.first?.provenance?.contains("\"seed\":\"3\"") == true)
        #expect(Validator.validate(gan).map(\.kind) == [.pendingJournal])
        try DatasetJournal.compact("\(dir.path)/gan", format: .imageFolder)
        #expect(try DatasetIO.read("\(dir.path)/gan").samples.first?.provenance != nil)

        let (_, pieces, _) = try Self.twoWays(dir)
        try ImageFile.write(TestImages.pattern(width: 8, height: 8, layout: .gray), to: "\(pieces)/images/orphan.png")
        let issues = Validator.validate(try DatasetIO.read(pieces))
        #expect(issues.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.orphanImage, .pendingJournal])
        #expect(issues.allSatisfy { $0.kind != .orphanImage || $0.path.hasSuffix("images/orphan.png") })
        #expect(!ValidationIssue.Kind.orphanImage.isWarning && ValidationIssue.Kind.pendingJournal.isWarning)
    }

    /// `gan sample --classes 0,3`: class 0's job journals the run's ten classes by its own ids,
    /// then class 3's folder appears and renumbers the folders; the dataset still reads.
    @Test("an ImageFolder's journal names classes, its ids are not the folders' order")
    func imageFolderClassesAddedLater() throws {
        let dir = TemporaryDirectory()
        let root = "\(dir.path)/gan"
        for path in ["0/a.png", "3/b.png"] {
            try ImageFile.write(TestImages.pattern(width: 8, height: 8, layout: .gray), to: dir.file("gan/\(path)"))
        }
        var sample = Sample(path: "0/a.png", width: 8, height: 8, provenance: #"{"file_name":"0/a.png"}"#)
        sample.annotations = [Annotation(categoryID: 1)]
        let runClasses = (0..<10).map { Category(id: $0 + 1, name: String($0)) }
        try DatasetJournal.append([sample], newCategories: runClasses, to: root)
        let read = try DatasetIO.read(root, format: .imageFolder)
        #expect(read.samples.count == 2 && read.samples.first { $0.path == "0/a.png" }?.provenance != nil)
        #expect(read.categories.map(\.name).sorted() == runClasses.map(\.name).sorted(), "the run's classes, each once")
        #expect(Set(read.categories.map(\.id)).count == 10)
        #expect(read.categories.first { $0.name == "3" }?.id == 1, "the folders keep their own numbering")
    }

    @Test("images/ and labels/ without a labels file are not mistaken for an ImageFolder with two classes")
    func foldersWithoutLabels() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir.path)/d/images", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(dir.path)/d/labels", withIntermediateDirectories: true)
        let error = #expect(throws: DatasetsError.self) { try DatasetIO.read("\(dir.path)/d") }
        #expect(error?.description.contains("no annotations.json") == true)
    }
}
