import Datasets
import StudioCore
import TestSupport
import Testing

@Suite("Pascal VOC")
struct VOCTests {
    @Test("VOC's devkit layout: 1-based inclusive boxes, attributes, splits")
    func devkitLayout() throws {
        let dataset = try DatasetIO.read("\(fixtures)/voc-mini")
        #expect(dataset.format == .voc)
        #expect(dataset.categories.map(\.name) == ["boat", "building", "flower"])
        #expect(dataset.samples.map(\.path) == ["JPEGImages/000001.jpg", "JPEGImages/000002.jpg"])
        #expect(dataset.samples.map(\.split) == ["train", "val"])
        let building = dataset.samples[0].annotations[0]
        #expect(dataset.name(of: building) == "building")
        #expect(building.box == BoundingBox(x: 30, y: 14, width: 155, height: 200))
        #expect(building.attributes == ["pose": "Frontal", "truncated": "0", "difficult": "0"])
        #expect(dataset.samples[0].annotations[1].attributes["difficult"] == "1")
        #expect(dataset.samples[0].annotations[1].attributes["pose"] == nil)
        #expect(Validator.validate(dataset).isEmpty)
    }

    @Test("VOC converts to COCO with the same boxes")
    func toCOCO() throws {
        let dir = TemporaryDirectory()
        let voc = try DatasetIO.read("\(fixtures)/voc-mini")
        try DatasetIO.write(voc, as: .coco, to: "\(dir.path)/coco")
        let coco = try DatasetIO.read("\(dir.path)/coco")
        #expect(coco.samples.flatMap { $0.annotations.compactMap(\.box) } == voc.samples.flatMap { $0.annotations.compactMap(\.box) })
    }

    @Test(
        "broken XML and a filename escaping the folder are errors naming the file",
        arguments: [
            ("<annotation><filename>a.jpg</filename><object><name>x</name>", "syntax"),
            ("<annotation><filename>../../../etc/passwd</filename></annotation>", "unsafePath"),
            ("<notvoc/>", "schema"),
            (
                "<annotation><filename>a.jpg</filename><object><name>x</name><bndbox><xmin>5</xmin><ymin>1</ymin><xmax>2</xmax><ymax>4</ymax></bndbox></object></annotation>",
                "invalidValue"
            ),
            ("<annotation><filename>a.jpg</filename><object><name>x</name><bndbox><xmin>a</xmin></bndbox></object></annotation>", "schema"),
        ])
    func broken(xml: String, code: String) {
        let dir = TemporaryDirectory()
        dir.write("Annotations/a.xml", xml)
        let error = #expect(throws: DatasetsError.self) { try DatasetIO.read(dir.path) }
        #expect(error?.code.rawValue == code)
        #expect(error?.path == "\(dir.path)/Annotations/a.xml")
    }
}
