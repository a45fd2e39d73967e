import Datasets
import Foundation
import Glibc
import ImageIO
import StudioCore
import TestSupport
import Testing

/// The findings of an attack on the readers with hand-made and mutated files: each test failed
/// (crashed, hung, leaked or refused a good file) before its fix.
@Suite("Hostile and unusual input")
struct HostileInputTests {
    static func image(_ dir: TemporaryDirectory, _ path: String) throws {
        try ImageFile.write(TestImages.pattern(width: 8, height: 6, layout: .gray), to: dir.file(path))
    }

    @Test("VOC through libxml2: non-UTF-8 names, 100,000-deep nesting and entity declarations are clear errors, not crashes")
    func vocXML() throws {
        let dir = TemporaryDirectory()
        try Self.image(dir, "v/JPEGImages/a.png")
        let cases: [([UInt8], String)] = [
            (Array("<".utf8) + [0xFF] + Array("annotation/>".utf8), "not proper UTF-8"),
            (Array("<annotation><?\u{FF}x?></annotation>".utf8).map { $0 == 0xC3 ? 0xFF : $0 }, "not valid XML"),
            (
                Array(
                    ("<annotation>" + String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000) + "</annotation>")
                        .utf8), "depth"
            ),
            (
                Array(
                    #"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;">]><annotation><filename>&y;</filename></annotation>"#
                        .utf8),
                "DOCTYPE"
            ),
            (Array("<annotation><filename>a.jpg</filename>".utf8), "not valid XML"),
        ]
        for (bytes, message) in cases {
            dir.write("v/Annotations/a.xml", bytes)
            let error = #expect(throws: DatasetsError.self) { try DatasetIO.read("\(dir.path)/v") }
            #expect(error?.description.contains(message) == true, "\(String(describing: error))")
            #expect(error?.path.hasSuffix("a.xml") == true)
        }
    }

    @Test("fields longer than their limits are errors naming them, found at once")
    func longFields() throws {
        let dir = TemporaryDirectory()
        func coco(_ name: String, category: String = "x", attribute: String = "v") -> String {
            #"{"images":[{"id":1,"file_name":"\#(name)","width":4,"height":4,"attributes":{"k":"\#(attribute)"}}],"annotations":[],"categories":[{"id":1,"name":"\#(category)"}]}"#
        }
        let start = Date()
        for (text, message) in [
            (coco(String(repeating: "a", count: 5_000_000)), "a file name of 5000000 bytes"),
            (coco("a.png", category: String(repeating: "c", count: 2000)), "a class name of 2000 bytes"),
            (coco("a.png", attribute: String(repeating: "v", count: 70_000)), "a value of 70000 bytes"),
        ] {
            dir.write("c/annotations.json", text)
            let error = #expect(throws: DatasetsError.self) { try DatasetIO.read("\(dir.path)/c") }
            #expect(error?.message.contains(message) == true, "\(String(describing: error))")
            #expect((error?.description.count ?? 0) < 400, "the error does not print the field")
        }
        #expect(Date().timeIntervalSince(start) < 30, "linear, not quadratic")
        dir.write("ws/studio.yaml", "name: " + String(repeating: "n", count: 300) + "\n")
        #expect((#expect(throws: DatasetsError.self) { try Workspace.load("\(dir.path)/ws") })?.message.contains("at most 256") == true)
        dir.write("ws/studio.yaml", [UInt8](repeating: 0x20, count: DatasetLimits.configurationFile + 1))
        #expect((#expect(throws: DatasetsError.self) { try Workspace.load("\(dir.path)/ws") })?.message.contains("limit") == true)
        dir.write("c/annotations.json", coco("a\\u0000b.png"))
        let nul = #expect(throws: DatasetsError.self) { try DatasetIO.read("\(dir.path)/c") }
        #expect(nul?.message.contains("NUL") == true && nul?.message.contains("absolute") == false, "\(String(describing: nul))")
    }

    @Test("an ImageFolder does not follow links out of the dataset unless told to; odd entries are reported")
    func linksAndOddFiles() throws {
        let dir = TemporaryDirectory()
        try Self.image(dir, "holdout/cat/h1.png")
        try Self.image(dir, "holdout/cat/h2.png")
        try Self.image(dir, "train/cat/t1.png")
        try Self.image(dir, "train/dog/d1.png")
        #expect(symlink("\(dir.path)/holdout/cat", "\(dir.path)/train/leaked") == 0)
        #expect(symlink("\(dir.path)/holdout/cat/h1.png", "\(dir.path)/train/cat/linked.png") == 0)
        try Self.image(dir, "train/dog/inside.png")
        #expect(symlink("\(dir.path)/train/dog/inside.png", "\(dir.path)/train/cat/alias.png") == 0)
        #expect(mkfifo("\(dir.path)/train/cat/pipe.png", 0o644) == 0)
        let raw = Array("\(dir.path)/train/dog/b".utf8) + [0xFF] + Array(".png".utf8) + [0]
        let fd = raw.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) } }
        #expect(fd >= 0)
        close(fd)

        let guarded = try DatasetIO.read("\(dir.path)/train", format: .imageFolder)
        #expect(guarded.categories.map(\.name) == ["cat", "dog"], "the linked holdout folder is no class")
        #expect(Set(guarded.samples.map(\.fileName)) == ["t1.png", "alias.png", "d1.png", "inside.png"])
        let messages = guarded.problems.map(\.message)
        #expect(messages.filter { $0.contains("outside the dataset") }.count == 2, "\(messages)")
        #expect(messages.contains { $0.contains("FIFO") } && messages.contains { $0.contains("not valid UTF-8") }, "\(messages)")
        #expect(Validator.validate(guarded, decodeImages: false).filter { $0.kind == .readProblem }.count == 4)

        let followed = try DatasetIO.read("\(dir.path)/train", format: .imageFolder, links: .follow)
        #expect(followed.categories.map(\.name) == ["cat", "dog", "leaked"] && followed.samples.count == 7)
    }

    @Test("YOLO looks for images inside its folder only, as COCO and VOC do")
    func yoloPaths() throws {
        let dir = TemporaryDirectory()
        try Self.image(dir, "y/images/a.png")
        dir.write("y/labels/a.txt", "0 0.5 0.5 0.2 0.2\n")
        dir.write("y/data.yaml", "path: /etc\ntrain: images\nnames: [thing]\n")
        let pointed = try DatasetIO.read("\(dir.path)/y")
        #expect(pointed.samples.count == 1 && pointed.problems.contains { $0.message.contains("not inside the dataset folder") })
        for train in ["../../..", "/etc", "images/../../.."] {
            dir.write("y/data.yaml", "train: \(train)\nnames: [thing]\n")
            let error = #expect(throws: DatasetsError.self) { try DatasetIO.read("\(dir.path)/y") }
            #expect(error?.code == .unsafePath, "\(train): \(String(describing: error))")
        }
    }

    @Test("YOLO files from Windows: CRLF line ends, a byte-order mark, trailing spaces")
    func yoloWindowsFiles() throws {
        let dir = TemporaryDirectory()
        try Self.image(dir, "y/images/train/a.png")
        try Self.image(dir, "y/images/train/b.png")
        dir.write("y/labels/train/a.txt", "\u{FEFF}0 0.5 0.5 0.2 0.2  \r\n1 0.25 0.25 0.1 0.1\t\r\n\r\n")
        dir.write("y/train.txt", "\u{FEFF}images/train/a.png\r\n./images/train/b.png  \r\n")
        dir.write("y/data.yaml", "train: train.txt\r\nnames:\r\n  0: person\r\n  1: car\r\n")
        let dataset = try DatasetIO.read("\(dir.path)/y")
        #expect(dataset.samples.count == 2 && dataset.annotationCount == 2)
        #expect(dataset.categories.map(\.name) == ["person", "car"])
    }

    @Test("duplicate annotation ids and keys repeated in one JSON object are reported")
    func cocoDuplicates() throws {
        let dir = TemporaryDirectory()
        try Self.image(dir, "c/images/a.png")
        dir.write(
            "c/annotations.json",
            #"""
            {"images":[{"id":1,"file_name":"a.png","width":8,"height":6}],
             "annotations":[{"id":7,"image_id":1,"category_id":1,"bbox":[0,0,2,2]},
                            {"id":7,"image_id":1,"category_id":1,"bbox":[1,1,2,2],"bbox":[2,2,2,2]}],
             "categories":[{"id":1,"name":"x"}]}
            """#)
        let dataset = try DatasetIO.read("\(dir.path)/c")
        let messages = dataset.problems.map(\.description)
        #expect(messages.contains { $0.contains("annotation id(s) appear more than once (7)") }, "\(messages)")
        #expect(messages.contains { $0.contains("\"bbox\" appears twice") && $0.contains(":3") }, "\(messages)")
        #expect(!Validator.validate(dataset, decodeImages: false).isEmpty)
    }

    @Test("a COCO file larger than what the streamed pass keeps: every annotation read, lines named right past the released pages")
    func cocoStreamedPages() throws {
        let dir = TemporaryDirectory()
        try Self.image(dir, "c/images/a.png")
        let count = 20_000
        func file(_ line: (Int) -> String) -> String {
            "{\"images\":[{\"id\":1,\"file_name\":\"a.png\",\"width\":8,\"height\":6}],\n\"annotations\":[\n"
                + (0..<count).map(line).joined(separator: ",\n") + "],\n\"categories\":[{\"id\":1,\"name\":\"x\"}]}\n"
        }
        func annotation(_ i: Int) -> String {
            "{\"id\":\(i + 1),\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,\(1 + i % 7),\(1 + i % 5)],\"attributes\":{\"n\":\"\(i)\"}}"
        }
        dir.write("c/annotations.json", file(annotation))
        let dataset = try DatasetIO.read("\(dir.path)/c")
        let annotations = dataset.samples[0].annotations
        #expect(annotations.count == count)
        #expect(annotations.last?.attributes["n"] == "\(count - 1)" && annotations.last?.box?.width == Double(1 + (count - 1) % 7))
        #expect(annotations.map { $0.attributes["n"] ?? "" } == (0..<count).map(String.init), "every annotation, in order")

        // Annotation i sits on line i + 3.
        dir.write("c/annotations.json", file { $0 == 17_000 ? "{\"id\":1,]" : annotation($0) })
        let error = #expect(throws: DatasetsError.self) { try DatasetIO.read("\(dir.path)/c") }
        #expect(error?.description.contains(":17003") == true, "\(String(describing: error))")
        dir.write(
            "c/annotations.json", file { $0 == 18_000 ? "{\"id\":1,\"image_id\":1,\"image_id\":1,\"category_id\":1}" : annotation($0) })
        let repeated = try DatasetIO.read("\(dir.path)/c").problems.map(\.description)
        #expect(repeated.contains { $0.contains("\"image_id\" appears twice") && $0.contains(":18003") }, "\(repeated)")
        #expect(repeated.contains { $0.contains("annotation id(s) appear more than once (1)") }, "\(repeated)")
    }

    @Test("annotations listed before their images and categories are read as if they came after, ids counted once")
    func cocoAnnotationsFirst() throws {
        let dir = TemporaryDirectory()
        try Self.image(dir, "c/images/a.png")
        dir.write(
            "c/annotations.json",
            #"""
            {"annotations":[{"id":1,"image_id":1,"category_id":2,"bbox":[0,0,2,2]},{"id":2,"image_id":1,"category_id":1,"bbox":[1,1,2,2]}],
             "categories":[{"id":1,"name":"x"},{"id":2,"name":"y"}],
             "images":[{"id":1,"file_name":"a.png","width":8,"height":6}]}
            """#)
        let dataset = try DatasetIO.read("\(dir.path)/c")
        #expect(dataset.problems.isEmpty, "\(dataset.problems)")
        #expect(dataset.samples.first?.annotations.map(\.categoryID) == [2, 1])
        dir.write(
            "c/annotations.json",
            #"""
            {"annotations":[{"id":1,"image_id":1,"category_id":3,"bbox":[0,0,2,2]},{"id":2,"image_id":9,"category_id":1,"bbox":[1,1,2,2]}],
             "categories":[{"id":1,"name":"x"}],
             "images":[{"id":1,"file_name":"a.png","width":8,"height":6}]}
            """#)
        let error = #expect(throws: DatasetsError.self) { try DatasetIO.read("\(dir.path)/c") }
        #expect(error?.message.contains("2 annotation(s) refer to unknown ids") == true, "\(String(describing: error))")
        #expect(
            error?.message.contains("annotations[0] has category 3") == true
                && error?.message.contains("annotations[1] points at image 9") == true)
    }
}
