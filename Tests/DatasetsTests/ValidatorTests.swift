import Datasets
import ImageIO
import StudioCore
import TestSupport
import Testing

@Suite("Validation")
struct ValidatorTests {
    @Test("missing files, size mismatches, boxes outside the image, unknown categories and empty classes are found")
    func findsProblems() throws {
        let dir = TemporaryDirectory()
        try ImageFile.write(TestImages.pattern(width: 10, height: 10, layout: .gray), to: dir.file("images/a.png"))
        try ImageFile.write(TestImages.pattern(width: 12, height: 10, layout: .gray), to: dir.file("images/b.png"))
        let dataset = Dataset(
            name: "d", root: dir.path, format: .coco, origin: .real,
            categories: [Category(id: 1, name: "a"), Category(id: 2, name: "empty")],
            samples: [
                Sample(
                    path: "images/a.png", width: 10, height: 10,
                    annotations: [
                        Annotation(categoryID: 1, box: BoundingBox(x: 5, y: 5, width: 10, height: 2)),
                        Annotation(categoryID: 9, box: BoundingBox(x: 0, y: 0, width: 0, height: 2)),
                    ]),
                Sample(path: "images/b.png", width: 10, height: 10),
                Sample(path: "images/gone.png", width: 10, height: 10),
            ])
        let issues = Validator.validate(dataset)
        let kinds = Set(issues.map(\.kind))
        #expect(kinds == [.boxOutsideImage, .unknownCategory, .emptyBox, .sizeMismatch, .missingFile, .emptyClass])
        #expect(issues.first { $0.kind == .sizeMismatch }?.detail.contains("12×10") == true)
        #expect(issues.first { $0.kind == .missingFile }?.path.hasSuffix("gone.png") == true)
    }

    @Test("headers-only validation misses a truncated file that a full decode finds")
    func headersOnly() throws {
        let dir = TemporaryDirectory()
        let png = try ImageFile.encode(TestImages.pattern(width: 32, height: 32, layout: .rgb), as: .png)
        dir.write("c/a.png", Array(png.prefix(png.count / 2)))
        let dataset = try DatasetIO.read(dir.path)
        #expect(Validator.validate(dataset, decodeImages: false).isEmpty)
        #expect(Validator.validate(dataset).map(\.kind) == [.unreadableImage])
    }
}
