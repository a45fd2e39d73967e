import Datasets
import Foundation
import ImageIO
import StudioCore
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `health` against cleanvision's default checks on the same images, whole processes alternating:
/// images/s (wall and CPU) and which planted problems each finds. The images are crops of the
/// sample street renders at 320 × 240 with problems planted in a known 10 %: blurred, darkened,
/// byte copies, near copies (the same crop shifted a pixel and brightened), grey, noisy. Then the
/// near-duplicate index alone on 100,000 perceptual hashes.
struct HealthBench {
    let synthstudio: String
    let images: Int
    let folder: String
    let rounds: Int

    static let planted: [(kind: String, share: Double)] = [
        ("blurry", 0.02), ("dark", 0.02), ("duplicate", 0.02), ("near-duplicate", 0.02), ("grayscale", 0.01), ("noisy", 0.01),
    ]
    /// Our kind → cleanvision's issue type.
    static let peerKind = [
        "blurry": "blurry", "dark": "dark", "duplicate": "exact_duplicates", "near-duplicate": "near_duplicates",
        "grayscale": "grayscale", "noisy": "-",
    ]

    func run() throws {
        let truth = try ensureData()
        print("\nDataset health on \(images) images of 320×240 (crops of the sample street, 10 % with planted problems), best of \(rounds)")
        let hasPeer = Usage.measure(["/usr/bin/env", "python3", "-c", "import cleanvision"]).status == 0
        if !hasPeer { print("  (cleanvision is not installed: pip install cleanvision)") }
        var ours: [Usage] = []
        var theirs: [Usage] = []
        for _ in 0..<rounds {
            ours.append(Usage.measure(["/bin/sh", "-c", "\(synthstudio) health \(folder)/images --json > \(folder)/ours.json"]))
            if hasPeer {
                theirs.append(
                    Usage.measure([
                        "/usr/bin/env", "python3", "Benchmarks/peers/cleanvision_health.py", "\(folder)/images/all",
                        "\(folder)/theirs.json",
                    ]))
            }
        }
        func best(_ u: [Usage]) -> Usage? { u.min { $0.cpu < $1.cpu } }
        print("  tool                       wall s    CPU s   peak MB   images/s (wall)   images/s per CPU s")
        for (name, usage) in [("synthstudio health", best(ours)), ("cleanvision find_issues", best(theirs))] {
            guard let usage else { continue }
            print(
                "  \(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(String(format: "%7.2f  %7.2f  %8.0f  %16.0f  %19.0f", usage.wall, usage.cpu, usage.peakMB, Double(images) / usage.wall, Double(images) / usage.cpu))"
            )
        }
        if let o = best(ours), let t = best(theirs) {
            print(
                String(format: "  throughput ratio (ours / cleanvision): %.1f× wall, %.1f× per CPU second", t.wall / o.wall, t.cpu / o.cpu))
        }

        let found = try Self.ourIssues("\(folder)/ours.json")
        let peer = hasPeer ? try Self.peerIssues("\(folder)/theirs.json") : [:]
        print("  planted            count   ours   cleanvision   both   flagged beyond the planted: ours / cleanvision")
        for (kind, _) in Self.planted {
            let planted = truth[kind] ?? []
            let mine = found[kind] ?? []
            let their = peer[Self.peerKind[kind] ?? "-"] ?? []
            print(
                "  \(kind.padding(toLength: 17, withPad: " ", startingAt: 0)) \(String(format: "%6d %6d %13d %6d   %6d / %d", planted.count, planted.intersection(mine).count, planted.intersection(their).count, planted.intersection(mine).intersection(their).count, mine.subtracting(planted).count, their.subtracting(planted).count))"
            )
        }
        try nearDuplicateIndex()
    }

    /// File names flagged per kind in our JSON.
    static func ourIssues(_ path: String) throws -> [String: Set<String>] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        var result: [String: Set<String>] = [:]
        for issue in (object?["issues"] as? [[String: Any]]) ?? [] {
            guard let kind = issue["kind"] as? String, let path = issue["path"] as? String else { continue }
            result[kind, default: []].insert((path as NSString).lastPathComponent)
        }
        return result
    }

    static func peerIssues(_ path: String) throws -> [String: Set<String>] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        return ((object?["issues"] as? [String: [String]]) ?? [:]).mapValues(Set.init)
    }

    /// Writes the images once (kept between runs) and returns which file carries which problem.
    func ensureData() throws -> [String: Set<String>] {
        let truthPath = "\(folder)/truth.json"
        if let data = FileManager.default.contents(atPath: truthPath),
            let saved = try JSONSerialization.jsonObject(with: data) as? [String: [String]]
        {
            return saved.mapValues(Set.init)
        }
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: "\(folder)/images/all", withIntermediateDirectories: true)
        let sourceFolder = "sample-data/synthetic/street/images"
        let sources = try FileManager.default.contentsOfDirectory(atPath: sourceFolder).filter { $0.hasSuffix(".png") }.sorted().map {
            try ImageFile.read("\(sourceFolder)/\($0)")
        }
        let (w, h) = (320, 240)
        let crops: [Crop] = (0..<images).map { i in
            var r = RandomStream(seed: 77).derived(UInt64(i))
            let s = sources[i % sources.count]
            let side = Int(Double(s.width) * (0.5 + 0.5 * r.nextUnit()))
            return (
                source: i % sources.count, x: Int(r.nextUnit() * Double(s.width - side)),
                y: Int(r.nextUnit() * Double(s.height - side * 3 / 4)), side: side, flip: r.nextUnit() < 0.5
            )
        }
        var kinds = [String?](repeating: nil, count: images)
        for i in 1..<images {
            var r = RandomStream(seed: 78).derived(UInt64(i))
            var u = r.nextUnit()
            for (kind, share) in Self.planted {
                if u < share {
                    // A copy of a clean image only, so each planted file has one problem.
                    if kind.hasSuffix("duplicate") && kinds[i - 1] != nil { break }
                    kinds[i] = kind
                    break
                }
                u -= share
            }
        }
        let names = (0..<images).map { String(format: "%06d.png", $0) }
        Parallel.forEach(images) { i in
            let path = "\(folder)/images/all/\(names[i])"
            if kinds[i] == "duplicate" { return }  // copied below, once its original exists
            var c = crops[i]
            var random = RandomStream(seed: 79).derived(UInt64(i))
            if kinds[i] == "near-duplicate" {
                c = crops[i - 1]
                c.x += 1
            }
            var pixels = Self.crop(sources[c.source], c, width: w, height: h)
            switch kinds[i] {
            case "blurry"?: pixels = TestImages.boxBlurred(pixels, width: w, height: h, radius: 3, passes: 2)
            case "dark"?: pixels = pixels.map { $0 / 12 }
            case "near-duplicate"?: pixels = pixels.map { UInt8(min(255, Int($0) + 4)) }
            case "grayscale"?:
                for p in 0..<(w * h) {
                    let (r, gr, b) = (Int(pixels[3 * p]), Int(pixels[3 * p + 1]), Int(pixels[3 * p + 2]))
                    let luma: Int = (r * 299 + gr * 587 + b * 114) / 1000
                    let g = UInt8(luma)
                    (pixels[3 * p], pixels[3 * p + 1], pixels[3 * p + 2]) = (g, g, g)
                }
            case "noisy"?: pixels = pixels.map { UInt8(max(0, min(255, Double($0) + random.nextNormal() * 20))) }
            default: break
            }
            try? ImageFile.write(Image(width: w, height: h, layout: .rgb, pixels: .eight(pixels)), to: path)
        }
        for i in 0..<images where kinds[i] == "duplicate" {
            try FileManager.default.copyItem(atPath: "\(folder)/images/all/\(names[i - 1])", toPath: "\(folder)/images/all/\(names[i])")
        }
        var truth: [String: [String]] = [:]
        for i in 0..<images { if let k = kinds[i] { truth[k, default: []].append(names[i]) } }
        try JSONSerialization.data(withJSONObject: truth).write(to: URL(fileURLWithPath: truthPath))
        return truth.mapValues(Set.init)
    }

    static func crop(_ image: Image, _ c: Crop, width w: Int, height h: Int) -> [UInt8] {
        let rgb = image.rgb8()
        let ch = c.side * 3 / 4
        var out = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            let y0 = c.y + y * ch / h
            let y1 = max(y0 + 1, c.y + (y + 1) * ch / h)
            for x in 0..<w {
                let xs = c.flip ? w - 1 - x : x
                let x0 = c.x + xs * c.side / w
                let x1 = max(x0 + 1, c.x + (xs + 1) * c.side / w)
                var s = (0, 0, 0)
                for sy in y0..<min(y1, image.height) {
                    for sx in x0..<min(x1, image.width) {
                        let p = (sy * image.width + sx) * 3
                        s = (s.0 + Int(rgb[p]), s.1 + Int(rgb[p + 1]), s.2 + Int(rgb[p + 2]))
                    }
                }
                let n = max(1, (min(y1, image.height) - y0) * (min(x1, image.width) - x0))
                let o = (y * w + x) * 3
                (out[o], out[o + 1], out[o + 2]) = (UInt8(s.0 / n), UInt8(s.1 / n), UInt8(s.2 / n))
            }
        }
        return out
    }

    typealias Crop = (source: Int, x: Int, y: Int, side: Int, flip: Bool)

    /// The band index alone on 100,000 hashes: the perceptual hashes of the bench's first 2,000
    /// images, each in 50 versions with 10–20 of its bits flipped (never near copies of each other,
    /// but crowding the index's buckets as similar scenes do).
    func nearDuplicateIndex() throws {
        let dataset = try DatasetIO.read("\(folder)/images")
        let firstSamples = Array(dataset.samples.prefix(2000))
        let measured = Parallel.map(firstSamples.count) { i in
            try? ImageMeasures(ImageFile.read(dataset.imagePath(of: firstSamples[i])))
        }.compactMap { $0 }
        var all: [(part: Int, sample: Int, measures: ImageMeasures)] = []
        var random = RandomStream(seed: 80)
        for copy in 0..<50 {
            for m in measured {
                var v = m
                if copy > 0 {
                    for _ in 0..<(10 + Int(random.nextUnit() * 11)) { v.perceptualHash ^= 1 << UInt64(random.nextUnit() * 64) }
                    v.pixelHash = random.next()
                }
                all.append((0, 0, v))
            }
        }
        let stub = Dataset(name: "hashes", root: "", format: .imageFolder, origin: .real, samples: [Sample(path: "x", width: 1, height: 1)])
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpuBefore = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let start = Date()
        let issues = Health.duplicates(all, parts: [("hashes", stub)])
        let wall = Date().timeIntervalSince(start)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 - cpuBefore
        print(
            String(
                format:
                    "  near-duplicate index on %d hashes: %.2f s wall, %.2f s CPU (%.3f ms per image per core; fastdup publishes 2 ms), %d flagged (the originals' own near copies)",
                all.count, wall, cpu, cpu * 1000 / Double(all.count), issues.count))
    }
}
