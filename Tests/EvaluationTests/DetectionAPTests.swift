import Evaluation
import Foundation
import Testing

/// Our AP against pycocotools' `COCOeval` on recorded detections (`scripts/coco_ap_fixture.py`
/// wrote the fixture: 40 images, crowd regions, score ties, an image with 150 detections, a
/// category with detections and no ground truth).
@Suite struct DetectionAPTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/coco-ap").path

    struct Fixture {
        var groundTruth: [GroundTruthBox]
        var detections: [DetectedBox]
        var images: [Int]
        var categories: [Int]
        var expected: [String: Any]
    }

    static func load() throws -> Fixture {
        func json(_ name: String) throws -> Any {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(name)")))
        }
        func box(_ value: Any?) -> (x: Double, y: Double, width: Double, height: Double) {
            let b = (value as? [Double]) ?? [0, 0, 0, 0]
            return (b[0], b[1], b[2], b[3])
        }
        let gt = try #require(try json("gt.json") as? [String: Any])
        let images = try #require(gt["images"] as? [[String: Any]]).compactMap { $0["id"] as? Int }
        let categories = try #require(gt["categories"] as? [[String: Any]]).compactMap { $0["id"] as? Int }
        let truth = try #require(gt["annotations"] as? [[String: Any]]).map {
            GroundTruthBox(
                image: $0["image_id"] as? Int ?? -1, category: $0["category_id"] as? Int ?? -1, box: box($0["bbox"]),
                area: $0["area"] as? Double ?? 0, isCrowd: ($0["iscrowd"] as? Int ?? 0) == 1)
        }
        let detections = try #require(try json("dt.json") as? [[String: Any]]).map {
            DetectedBox(
                image: $0["image_id"] as? Int ?? -1, category: $0["category_id"] as? Int ?? -1, box: box($0["bbox"]),
                score: $0["score"] as? Double ?? 0)
        }
        let expected = try #require(try json("expected.json") as? [String: Any])
        return Fixture(groundTruth: truth, detections: detections, images: images, categories: categories, expected: expected)
    }

    static func expectAgreement(_ scores: DetectionScores, _ expected: [String: Any]) throws {
        let stats = try #require(expected["stats"] as? [Double])
        #expect(scores.stats.count == 12)
        for (ours, theirs) in zip(scores.stats, stats) { #expect(abs(ours - theirs) < 1e-4, "stats \(scores.stats) vs \(stats)") }
        let ap = try #require(expected["per_category_ap"] as? [Double])
        let ap50 = try #require(expected["per_category_ap50"] as? [Double])
        for (ours, theirs) in zip(scores.perCategoryAP, ap) { #expect(abs(ours - theirs) < 1e-4) }
        for (ours, theirs) in zip(scores.perCategoryAP50, ap50) { #expect(abs(ours - theirs) < 1e-4) }
    }

    @Test func agreesWithCOCOevalOnEveryImage() throws {
        let f = try Self.load()
        let scores = DetectionAP.evaluate(groundTruth: f.groundTruth, detections: f.detections, images: f.images, categories: f.categories)
        try Self.expectAgreement(scores, try #require(f.expected["all"] as? [String: Any]))
        // The category with detections and no ground truth is undefined, as in COCO.
        #expect(scores.perCategoryAP.last == -1)
        #expect(scores.stats.allSatisfy { $0 > 0 && $0 < 1 })
    }

    @Test func agreesWithCOCOevalOnASubsetOfImages() throws {
        let f = try Self.load()
        let subset = try #require(f.expected["subset"] as? [String: Any])
        let images = try #require(subset["images"] as? [Int])
        let scores = DetectionAP.evaluate(groundTruth: f.groundTruth, detections: f.detections, images: images, categories: f.categories)
        try Self.expectAgreement(scores, subset)
    }

    @Test func perfectDetectionsScoreOneAndMissesZero() {
        let truth = (0..<5).map { GroundTruthBox(image: $0, category: 1, box: (10, 10, 50, 80), area: 4000) }
        let perfect = truth.map { DetectedBox(image: $0.image, category: 1, box: $0.box, score: 0.9) }
        let scores = DetectionAP.evaluate(groundTruth: truth, detections: perfect, images: Array(0..<5), categories: [1])
        #expect(abs(scores.ap - 1) < 1e-12 && abs(scores.ap50 - 1) < 1e-12)
        #expect(scores.apSmall == -1 && scores.apLarge == -1)
        let shifted = truth.map { DetectedBox(image: $0.image, category: 1, box: ($0.box.x + 60, 10, 50, 80), score: 0.9) }
        let none = DetectionAP.evaluate(groundTruth: truth, detections: shifted, images: Array(0..<5), categories: [1])
        #expect(none.ap == 0 && none.ap50 == 0)
    }

    /// A condition's score leaves out the other objects: finding them is not a false positive,
    /// missing them is not a miss; a detection of nothing still is a false positive.
    @Test func excludedObjectsAreNeitherHitsNorMisses() {
        let a = GroundTruthBox(image: 0, category: 1, box: (0, 0, 40, 40), area: 1600)
        var b = GroundTruthBox(image: 0, category: 1, box: (100, 0, 40, 40), area: 1600)
        b.isExcluded = true
        let found = [
            DetectedBox(image: 0, category: 1, box: (100, 0, 40, 40), score: 0.9),
            DetectedBox(image: 0, category: 1, box: (0, 0, 40, 40), score: 0.8),
        ]
        let scores = DetectionAP.evaluate(groundTruth: [a, b], detections: found, images: [0], categories: [1])
        #expect(abs(scores.ap50 - 1) < 1e-12 && scores.groundTruthCounts == [1])
        let onlyB = DetectionAP.evaluate(groundTruth: [a, b], detections: [found[0]], images: [0], categories: [1])
        #expect(onlyB.ap50 == 0)
        let stray = found + [DetectedBox(image: 0, category: 1, box: (300, 300, 40, 40), score: 0.95)]
        #expect(DetectionAP.evaluate(groundTruth: [a, b], detections: stray, images: [0], categories: [1]).ap50 < 0.6)
    }

    @Test func crowdRegionsAbsorbDetectionsWithoutCountingThem() {
        let truth = [
            GroundTruthBox(image: 0, category: 1, box: (0, 0, 40, 40), area: 1600),
            GroundTruthBox(image: 0, category: 1, box: (100, 100, 200, 100), area: 20000, isCrowd: true),
        ]
        // Three detections inside the crowd region, ranked above the one true detection.
        let detections =
            [DetectedBox(image: 0, category: 1, box: (0, 0, 40, 40), score: 0.5)]
            + (0..<3).map { DetectedBox(image: 0, category: 1, box: (110 + Double($0) * 50, 110, 40, 60), score: 0.9) }
        let scores = DetectionAP.evaluate(groundTruth: truth, detections: detections, images: [0], categories: [1])
        #expect(abs(scores.ap50 - 1) < 1e-12)
        #expect(scores.groundTruthCounts == [1])
    }
}
