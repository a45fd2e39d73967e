import Datasets
import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@Suite("Dataset health")
struct HealthTests {
    static let street = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../sample-data/synthetic/street").standardized.path

    static func rgb(_ image: Image) -> [UInt8] { image.rgb8() }

    static func image(_ pixels: [UInt8], _ w: Int, _ h: Int) -> Image { Image(width: w, height: h, layout: .rgb, pixels: .eight(pixels)) }

    /// A copy of the sample street with problems planted: an image copied under another name, one
    /// blurred, one noisy, one nearly black, a box pushed out of its image.
    @Test func findsWhatWasPlantedInACopyOfTheSampleStreet() throws {
        let dir = TemporaryDirectory("health")
        let root = dir.file("street")
        try FileManager.default.copyItem(atPath: Self.street, toPath: root)
        let url = URL(fileURLWithPath: "\(root)/annotations.json")
        var coco = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var images = try #require(coco["images"] as? [[String: Any]])
        var annotations = try #require(coco["annotations"] as? [[String: Any]])
        func file(_ i: Int) -> String { images[i]["file_name"] as! String }
        func path(_ i: Int) -> String { "\(root)/images/\(file(i))" }

        try FileManager.default.copyItem(atPath: path(3), toPath: "\(root)/images/copy-of-3.png")
        var copy = images[3]
        copy["id"] = 100_000
        copy["file_name"] = "copy-of-3.png"
        images.append(copy)
        let sharp = try ImageFile.read(path(5))
        try ImageFile.write(
            Self.image(
                TestImages.boxBlurred(Self.rgb(sharp), width: sharp.width, height: sharp.height, radius: 4, passes: 3), sharp.width,
                sharp.height),
            to: path(5))
        var random = RandomStream(seed: 9)
        let noisy = try ImageFile.read(path(9))
        try ImageFile.write(
            Self.image(
                Self.rgb(noisy).map { UInt8(max(0, min(255, Double($0) + random.nextNormal() * 30))) }, noisy.width, noisy.height),
            to: path(9))
        let dark = try ImageFile.read(path(11))
        try ImageFile.write(Self.image(Self.rgb(dark).map { $0 / 20 }, dark.width, dark.height), to: path(11))
        let seventh = try #require(images[7]["id"] as? Int)
        let index = try #require(annotations.firstIndex { $0["image_id"] as? Int == seventh })
        annotations[index]["bbox"] = [620.0, 100.0, 60.0, 40.0]
        coco["images"] = images
        coco["annotations"] = annotations
        try JSONSerialization.data(withJSONObject: coco).write(to: url)

        let dataset = try DatasetIO.read(root)
        let report = Health.report([("street", dataset, Health.measure(dataset))])
        func flagged(_ kind: HealthIssue.Kind) -> Set<String> {
            Set(report.issues.filter { $0.kind == kind }.map { ($0.path as NSString).lastPathComponent })
        }
        #expect(flagged(.duplicate) == ["copy-of-3.png"])
        #expect(report.issues.first { $0.kind == .duplicate }?.detail.contains(file(3)) == true)
        #expect(flagged(.blurry) == [file(5)])
        #expect(flagged(.noisy) == [file(9)])
        #expect(flagged(.dark) == [file(11)])
        #expect(flagged(.boxOutside) == [file(7)])
        #expect(flagged(.nearDuplicate).isEmpty, "\(report.issues.filter { $0.kind == .nearDuplicate })")
        #expect(flagged(.unreadable).isEmpty && flagged(.grayscale).isEmpty)
    }

    @Test func hashesSurviveResizingAndTellImagesApart() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(Self.street)/images").sorted()
        let a = try ImageFile.read("\(Self.street)/images/\(names[0])")
        let b = try ImageFile.read("\(Self.street)/images/\(names[1])")
        // a at half size (2 × 2 averages).
        let p = Self.rgb(a)
        var half = [UInt8](repeating: 0, count: (a.width / 2) * (a.height / 2) * 3)
        for y in 0..<(a.height / 2) {
            for x in 0..<(a.width / 2) {
                for c in 0..<3 {
                    let s = [(0, 0), (1, 0), (0, 1), (1, 1)].reduce(0) { $0 + Int(p[((2 * y + $1.1) * a.width + 2 * x + $1.0) * 3 + c]) }
                    half[(y * (a.width / 2) + x) * 3 + c] = UInt8(s / 4)
                }
            }
        }
        let (ma, mb, mh) = (ImageMeasures(a), ImageMeasures(b), ImageMeasures(Self.image(half, a.width / 2, a.height / 2)))
        #expect((ma.perceptualHash ^ mh.perceptualHash).nonzeroBitCount <= 2)
        #expect((ma.perceptualHash ^ mb.perceptualHash).nonzeroBitCount > 12)
        #expect(ma.pixelHash != mh.pixelHash)
    }

    @Test func measuresNoiseSharpnessAndGrey() {
        // A smooth ramp with Gaussian noise of σ = 10 in each channel: luma's noise is
        // 10 · √(0.299² + 0.587² + 0.114²) = 6.68 (numpy computes 6.68 for this estimator too);
        // without noise, near 0.
        var random = RandomStream(seed: 4)
        let (w, h) = (200, 150)
        var clean = [UInt8](repeating: 0, count: w * h * 3)
        var noisy = clean
        for y in 0..<h {
            for x in 0..<w {
                let v = 60.0 + Double(x) / 2
                for c in 0..<3 {
                    clean[(y * w + x) * 3 + c] = UInt8(v)
                    noisy[(y * w + x) * 3 + c] = UInt8(max(0, min(255, v + random.nextNormal() * 10)))
                }
            }
        }
        let n = ImageMeasures(Self.image(noisy, w, h))
        #expect(abs(n.noise - 6.68) < 0.7, "\(n.noise)")
        let c = ImageMeasures(Self.image(clean, w, h))
        #expect(c.noise < 1 && c.isGrayscaleInColor && c.colourfulness < 1)
        #expect(!n.isGrayscaleInColor || n.colourfulness > 1)
        #expect(n.sharpness > c.sharpness * 10)
    }

    @Test func labelIssuesAndUnreadableImages() throws {
        let dir = TemporaryDirectory("health-labels")
        let png = try ImageFile.encode(TestImages.pattern(width: 64, height: 48, layout: .rgb), as: .png)
        dir.write("d/images/a.png", png)
        dir.write("d/images/b.png", Array(png.prefix(40)))
        dir.write("d/images/c.png", png)
        dir.write(
            "d/annotations.json",
            #"""
            {"images": [{"id": 1, "file_name": "a.png", "width": 64, "height": 48}, {"id": 2, "file_name": "b.png", "width": 64, "height": 48},
                        {"id": 3, "file_name": "c.png", "width": 64, "height": 48}],
             "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20]},
                             {"id": 2, "image_id": 1, "category_id": 1, "bbox": [10.5, 10, 20, 20]},
                             {"id": 3, "image_id": 1, "category_id": 1, "bbox": [40, 5, 1, 30]},
                             {"id": 4, "image_id": 2, "category_id": 2, "bbox": [1, 1, 5, 5]}],
             "categories": [{"id": 1, "name": "thing"}, {"id": 2, "name": "rare"}]}
            """#)
        let dataset = try DatasetIO.read(dir.file("d"))
        let report = Health.report([("d", dataset, Health.measure(dataset))])
        let kinds = Set(report.issues.map(\.kind))
        #expect(kinds.isSuperset(of: [.boxDuplicate, .boxTiny, .unlabelled, .rareClass, .unreadable, .duplicate]), "\(report.issues)")
        #expect(report.issues.first { $0.kind == .unreadable }?.path.hasSuffix("b.png") == true)
        #expect(report.issues.first { $0.kind == .unlabelled }?.path.hasSuffix("c.png") == true)
    }
}
