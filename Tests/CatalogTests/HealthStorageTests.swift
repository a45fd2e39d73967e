import Datasets
import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@testable import Catalog

@Suite("Catalog: health")
struct HealthStorageTests {
    /// The catalog tests' workspace, indexed.
    static func indexed() throws -> (TemporaryDirectory, Workspace, Catalog) {
        let dir = try CatalogTests.workspace()
        let workspace = try Workspace.load(dir.path)
        let catalog = try Catalog.open(workspace: dir.path)
        _ = try catalog.refresh(workspace)
        return (dir, workspace, catalog)
    }

    @Test("measures are kept per file: a second run decodes nothing, a changed or new image is measured again, re-indexing keeps them")
    func measuresAreCachedPerFile() throws {
        let (dir, workspace, catalog) = try Self.indexed()
        let entry = workspace.datasets[0]
        var pets = try workspace.load(entry)
        let first = try catalog.measures(of: pets, name: "pets")
        #expect(first.measured == 4)
        let again = try catalog.measures(of: pets, name: "pets")
        #expect(again.measured == 0)
        let plain = Health.measure(pets)
        for (stored, fresh) in zip(again.results, plain) { #expect(try stored.get() == fresh.get(), "stored measures equal fresh ones") }
        // Another image under the same name, and a new one.
        try ImageFile.write(TestImages.pattern(width: 30, height: 30, layout: .gray, seed: 77), to: "\(dir.path)/real/pets/dog/3.png")
        try ImageFile.write(TestImages.pattern(width: 9, height: 9, layout: .gray, seed: 78), to: dir.file("real/pets/emu/9.png"))
        _ = try catalog.refresh(workspace, force: true)
        pets = try workspace.load(entry)
        let changed = try catalog.measures(of: pets, name: "pets")
        #expect(changed.measured == 2)
        let dog = try #require(pets.samples.firstIndex { $0.path == "dog/3.png" })
        #expect(try changed.results[dog].get().width == 30)
    }

    @Test("a run's findings and domain gap are stored whole, replace the last run's, and filter samples")
    func findingsAreStoredAndFilterSamples() throws {
        let (dir, _, catalog) = try Self.indexed()
        defer { withExtendedLifetime(dir) {} }
        #expect(try catalog.healthSummary() == nil)
        let report = HealthReport(
            datasets: [("pets", 4), ("street", 6)],
            issues: [
                HealthIssue(kind: .blurry, dataset: "pets", path: "cat/1.png", detail: "soft"),
                HealthIssue(kind: .nearDuplicate, dataset: "pets", path: "dog/3.png", detail: "3 bits from pets/cat/0.png"),
                HealthIssue(kind: .boxOutside, dataset: "street", path: "images/2.png", detail: "leaves"),
            ], medians: [:])
        let gap = [
            DomainGapCell(rowAxis: "category", columnAxis: "weather", row: "car", column: "snow", auc: 0.91, real: 12, synthetic: 40)
        ]
        try catalog.storeHealth(report, gap: gap, measured: 7, reused: 3)
        let summary = try #require(try catalog.healthSummary())
        #expect(summary.datasets.map(\.name) == ["pets", "street"] && summary.measured == 7 && summary.reused == 3)
        #expect(summary.counts["pets"] == [.blurry: 1, .nearDuplicate: 1] && summary.count([.boxOutside]) == 1)
        #expect(try catalog.domainGap() == gap)
        #expect(try catalog.healthIssues(dataset: "pets", kinds: [.blurry]).map(\.path) == ["cat/1.png"])
        func paths(_ dataset: String, _ kinds: Set<HealthIssue.Kind>, _ conditions: [(axis: CoverageAxis, value: String)] = []) throws
            -> [String]
        {
            try catalog.samples(SampleFilter(datasets: [dataset], conditions: conditions, health: kinds)).map(\.path)
        }
        #expect(try paths("pets", [.blurry, .nearDuplicate]) == ["cat/1.png", "dog/3.png"])
        #expect(try paths("pets", [.blurry], [(.category, "dog")]).isEmpty, "flags and conditions both hold")
        #expect(try paths("street", [.boxOutside]).count == 1)
        #expect(try paths("street", [.blurry]).isEmpty)
        // The next run replaces the last one whole.
        try catalog.storeHealth(HealthReport(datasets: [("pets", 4)], issues: [], medians: [:]), gap: [], measured: 0, reused: 4)
        #expect(try catalog.healthSummary()?.counts.isEmpty == true)
        #expect(try catalog.domainGap().isEmpty && paths("pets", [.blurry]).isEmpty)
    }
}
