import Datasets
import StudioCore
import Testing

@Suite("Statistics")
struct StatisticsTests {
    /// pedestrians and cars under sunny/snow, real and synthetic.
    static func datasets() -> [Dataset] {
        let categories = [Category(id: 1, name: "pedestrian"), Category(id: 2, name: "car"), Category(id: 3, name: "bus")]
        func sample(_ weather: String?, _ ids: [Int], annotationWeather: String? = nil) -> Sample {
            Sample(
                path: "x.png", width: 10, height: 10, attributes: weather.map { ["weather": $0] } ?? [:],
                annotations: ids.map { Annotation(categoryID: $0, attributes: annotationWeather.map { ["weather": $0] } ?? [:]) }
            )
        }
        let real = Dataset(
            name: "real", root: "/r", format: .coco, origin: .real, categories: categories,
            samples: [
                sample("sunny", [1, 1, 2]), sample("sunny", [2]), sample("snow", [2]), sample(nil, [1]),
                sample("sunny", [1], annotationWeather: "snow"),  // annotation-level attribute wins
            ])
        var synthetic = Dataset(
            name: "synth", root: "/s", format: .coco, origin: .synthetic, categories: categories,
            samples: [
                sample("snow", [1, 1]), sample("fog", [2]),
            ])
        for i in synthetic.samples.indices { synthetic.samples[i].origin = .synthetic }
        return [real, synthetic]
    }

    @Test("class balance counts annotations and images per class, keeps empty classes")
    func balance() {
        let balance = ClassBalance(Self.datasets()[0])
        #expect(balance.rows.map(\.annotations) == [4, 3, 0])
        #expect(balance.rows.map(\.images) == [3, 3, 0])
        #expect(balance.imbalanceRatio == 4.0 / 3.0)
        #expect(balance.emptyClasses.map(\.name) == ["bus"])
    }

    @Test("coverage splits real and synthetic, shows expected empty columns, computes deficits")
    func coverage() {
        let spec = CoverageSpec(
            rows: .category, columns: .attribute("weather"), expectedValues: ["weather": ["sunny", "cloudy", "snow"]],
            defaultTarget: 2, targets: ["pedestrian/snow": 5, "bus": 0]
        )
        let matrix = CoverageMatrix(Self.datasets(), spec: spec)
        #expect(matrix.rowLabels == ["pedestrian", "car", "bus"])
        #expect(matrix.columnLabels == ["sunny", "cloudy", "snow", "(unset)", "fog"])
        func cell(_ r: String, _ c: String) -> CoverageMatrix.Cell {
            matrix.cells[matrix.rowLabels.firstIndex(of: r)!][matrix.columnLabels.firstIndex(of: c)!]
        }
        #expect(cell("pedestrian", "sunny").real == 2)
        #expect(cell("pedestrian", "snow").real == 1 && cell("pedestrian", "snow").synthetic == 2)
        #expect(cell("pedestrian", "snow").target == 5 && cell("pedestrian", "snow").deficit == 2)
        #expect(cell("car", "fog").synthetic == 1)
        #expect(cell("pedestrian", "(unset)").real == 1)
        #expect(cell("bus", "snow").deficit == 0)
        let gaps = matrix.gaps()
        // Largest deficit first, then fewest annotations.
        #expect(gaps.first.map { "\($0.row)/\($0.column)" } == "pedestrian/snow" || gaps.first?.deficit == 2)
        #expect(gaps.allSatisfy { $0.deficit > 0 })
        #expect(zip(gaps, gaps.dropFirst()).allSatisfy { $0.deficit >= $1.deficit })
        #expect(gaps.contains { $0.row == "pedestrian" && $0.column == "cloudy" && $0.deficit == 2 })
        #expect(matrix.gaps(limit: 1).count == 1)
    }

    @Test("coverage over origin and dataset axes; a single column without cols")
    func otherAxes() {
        let byOrigin = CoverageMatrix(Self.datasets(), spec: CoverageSpec(rows: .category, columns: .origin))
        #expect(byOrigin.columnLabels == ["real", "synthetic"])
        #expect(byOrigin.cells[0].map(\.total) == [4, 2])
        let single = CoverageMatrix(Self.datasets(), spec: CoverageSpec(rows: .dataset, defaultTarget: 8))
        #expect(single.columnLabels == ["all"])
        #expect(single.cells.map { $0[0].total } == [7, 3])
        #expect(single.gaps().map(\.row) == ["synth", "real"])
    }
}
