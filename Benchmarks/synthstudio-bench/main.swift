// `make bench`: figures printed side by side with the peers, measured in the same run.
// Never a timed test: the machines are noisy, so compare the ratios, not absolute times.
import Datasets
import Dispatch
import Foundation
import GAN
import ImageIO
import StudioCore

let arguments = CommandLine.arguments.dropFirst()
if arguments.first == "render" {
    renderBench(images: arguments.dropFirst().first.flatMap(Int.init) ?? 30)
    exit(0)
}
if arguments.first == "assets" {
    try AssetsBench(synthstudio: arguments.dropFirst().first ?? ".build/release/synthstudio", folder: ".build/bench-data/assets").run()
    exit(0)
}
if arguments.first == "assets-look", let recipe = arguments.dropFirst().first {
    var bench = AssetsBench(synthstudio: ".build/release/synthstudio", folder: ".build/bench-data/look")
    bench.recipe = recipe
    try bench.look(images: arguments.dropFirst(2).first.flatMap(Int.init) ?? 4)
    exit(0)
}
if arguments.first == "assets-rays" {
    AssetsBench(synthstudio: ".build/release/synthstudio", folder: ".build/bench-data/assets").rays()
    exit(0)
}
if arguments.first == "noise" {
    AssetsBench(synthstudio: ".build/release/synthstudio", folder: ".build/bench-data/assets").noise()
    exit(0)
}
if arguments.first == "profile-render" {
    profileRender(images: arguments.dropFirst().first.flatMap(Int.init) ?? 60)
    exit(0)
}
if arguments.first == "health" {
    let images = arguments.dropFirst().first.flatMap(Int.init) ?? 10_000
    try HealthBench(
        synthstudio: arguments.dropFirst(2).first ?? ".build/release/synthstudio", images: images,
        folder: ".build/bench-data/health-\(images)", rounds: 2
    ).run()
    exit(0)
}
if arguments.first == "gan" {
    try ganBench(steps: arguments.dropFirst().first.flatMap(Int.init) ?? 30)
    exit(0)
}
if arguments.first == "gan-step-check" {
    let kind: GANArchitecture.Kind = arguments.dropFirst().first == "dcgan" ? .dcgan : .resnet
    try GANStepCheck(
        architecture: kind, steps: arguments.dropFirst(2).first.flatMap(Int.init) ?? 5,
        modeSeeking: arguments.dropFirst(3).first.flatMap(Float.init) ?? 0, folder: ".build/bench-data/gan-step-check"
    )
    .run()
    exit(0)
}
if arguments.first == "gan-quality" {
    try GANQualityBench(
        synthstudio: arguments.dropFirst(2).first ?? ".build/release/synthstudio",
        seconds: arguments.dropFirst().first.flatMap(Double.init) ?? 300, folder: ".build/bench-data/gan-quality"
    ).run()
    exit(0)
}
if arguments.first == "tui" {
    try tuiBench(images: arguments.dropFirst().first.flatMap(Int.init) ?? 100_000)
    exit(0)
}
if arguments.first == "catalog" {
    let images = arguments.dropFirst().first.flatMap(Int.init) ?? 100_000
    try CatalogBench(images: images, perImage: 10, folder: ".build/bench-data/catalog-\(images)").run()
    exit(0)
}
if arguments.first == "reading" {
    let images = arguments.dropFirst().first.flatMap(Int.init) ?? 100_000
    let folder = ".build/bench-data/catalog-\(images)"
    try CatalogBench(images: images, perImage: 10, folder: folder).ensureData()
    try ReadingBench(synthstudio: arguments.dropFirst(2).first ?? ".build/release/synthstudio", workspace: "\(folder)/workspace", rounds: 3)
        .run()
    exit(0)
}
if arguments.first == "jobs" {
    let units = arguments.dropFirst().first.flatMap(Int.init) ?? 20_000
    try JobsBench(
        binary: arguments.dropFirst(2).first ?? ".build/release/synthstudio", units: units, existing: units,
        folder: ".build/bench-data/jobs-\(units)"
    ).run()
    exit(0)
}
if arguments.first == "graphics" {
    try GraphicsBench(synthstudio: arguments.dropFirst().first ?? ".build/release/synthstudio", scratch: ".build/bench-data/graphics").run()
    exit(0)
}
if arguments.first == "profile-sixel" {
    try profileSixel(arguments.dropFirst().first ?? "Tests/DatasetsTests/Fixtures/coco-photos/val2017/china.jpg")
    if arguments.contains("nearest") { profileNearest() }
    exit(0)
}
// `probe [COUNT]`: header-only probing (the default section).
let imageCount = arguments.dropFirst().first.flatMap(Int.init) ?? 10_000

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func row(_ name: String, _ count: Int, _ time: Double, note: String = "") {
    let rate = Double(count) / time
    let padded = name.padding(toLength: 46, withPad: " ", startingAt: 0)
    print("  \(padded)" + String(format: "%10.0f images/s  %8.3f s  ", rate, time) + note)
}

/// Runs a peer command; returns its stdout, or nil (with the reason printed) when it is missing.
func peer(_ executable: String, _ args: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + args
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
}

// MARK: - Data: 10,000 small PNGs, generated once and reused.

let folder = FileManager.default.currentDirectoryPath + "/.build/bench-data/probe-\(imageCount)"
if !FileManager.default.fileExists(atPath: "\(folder)/.complete") {
    try? FileManager.default.removeItem(atPath: folder)
    try FileIO.createDirectory("\(folder)/images")
    print("generating \(imageCount) PNGs in \(folder) …")
    var rng = RandomStream(seed: 1)
    for i in 0..<imageCount {
        let width = 48 + Int(rng.next() % 80), height = 32 + Int(rng.next() % 64)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for p in stride(from: 0, to: pixels.count, by: 3) {
            pixels[p] = UInt8(truncatingIfNeeded: p &* 7 &+ i)
            pixels[p + 1] = UInt8(truncatingIfNeeded: rng.next())
            pixels[p + 2] = UInt8(truncatingIfNeeded: p / 3)
        }
        try ImageFile.write(
            Image(width: width, height: height, layout: .rgb, pixels: .eight(pixels)), to: String(format: "%@/images/%05d.png", folder, i))
    }
    _ = FileManager.default.createFile(atPath: "\(folder)/.complete", contents: nil)
}
let paths = (try FileIO.list("\(folder)/images")).map { "\(folder)/images/\($0.name)" }
precondition(paths.count == imageCount, "expected \(imageCount) images in \(folder)")

print(
    "\nHeader-only probing of \(imageCount) PNGs (width, height, channels), warm page cache, \(ProcessInfo.processInfo.activeProcessorCount) cores"
)

// Warm the page cache so every contender reads from memory.
for path in paths { _ = try? FileIO.readPrefix(path, count: 64) }

var checksum = 0
let sequential = try seconds {
    for path in paths { checksum &+= try ImageFile.probe(path).width }
}
row("synthstudio ImageFile.probe, 1 thread", imageCount, sequential)

let sums = UnsafeMutableBufferPointer<Int>.allocate(capacity: paths.count)
sums.initialize(repeating: 0)
let parallel = seconds {
    nonisolated(unsafe) let out = sums
    DispatchQueue.concurrentPerform(iterations: paths.count) { i in
        out[i] = (try? ImageFile.probe(paths[i]).width) ?? -1
    }
}
precondition(sums.reduce(0, &+) == checksum, "parallel probe disagrees with sequential")
sums.deallocate()
row("synthstudio ImageFile.probe, all cores", imageCount, parallel)

let decode = try seconds {
    for path in paths.prefix(2000) { checksum &+= try ImageFile.read(path).width }
}
row("synthstudio full decode (reference), 1 thread", 2000, decode, note: "(first 2,000)")

if let text = peer("python3", ["Benchmarks/peers/probe_pillow.py", "\(folder)/images"]),
    let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
    let time = json["seconds"] as? Double
{
    row(
        "Pillow Image.open().size, 1 thread", imageCount, time,
        note: String(format: "→ synthstudio is %.1f× faster on 1 thread", time / sequential))
} else {
    print("  Pillow: not available (pip install pillow)")
}

let identifyTime = seconds { _ = peer("identify", ["-ping", "-format", "%w %h\n", "\(folder)/images/*.png"]) }
if peer("identify", ["-version"]) != nil {
    row(
        "ImageMagick identify -ping, 1 process", imageCount, identifyTime,
        note: String(format: "→ synthstudio is %.1f× faster on 1 thread", identifyTime / sequential))
} else {
    print("  ImageMagick identify: not available (apt-get install imagemagick)")
}

// MARK: - Reading the folder as a dataset (listing + probing every image).

let classFolder = FileManager.default.currentDirectoryPath + "/.build/bench-data/probe-\(imageCount)-as-folder"
if !FileManager.default.fileExists(atPath: classFolder) {
    try FileIO.createDirectory(classFolder)
    try FileManager.default.createSymbolicLink(atPath: "\(classFolder)/thing", withDestinationPath: "\(folder)/images")
}
var datasetImages = 0
let datasetTime = try seconds { datasetImages = try DatasetIO.read(classFolder).samples.count }
row("synthstudio DatasetIO.read (ImageFolder)", datasetImages, datasetTime, note: "(list + probe + model)")
