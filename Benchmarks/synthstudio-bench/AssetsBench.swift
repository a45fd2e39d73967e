import Dispatch
import Engine
import Foundation
import Rendering
import StudioCore

/// `assets`: whole-process rendering against Blender Cycles — first the street (sample recipe)
/// against Cycles' street of the same kind, then the general renderer on the sample yard (`scene: assets`: OBJ, glTF and GLB assets
/// with textures on a ground plane under an HDR environment, the camera's exposure, white
/// balance, vignetting, noise and aperture), whole process — `synthstudio render` writing PNG,
/// masks, depth, COCO and YOLO — against Blender 3.4 Cycles on the CPU rendering the very same
/// scenes (each image's description handed to `Benchmarks/peers/cycles_assets.py`: same assets
/// and textures, same HDR map, same camera and aperture, same size, samples and bounces). Turns
/// alternate (ours, Cycles, ours, Cycles); our time is the child's wall clock and CPU, Cycles'
/// the renders alone (scene building not counted, to its advantage). At 320×240, 640×480 and
/// 1280×720.
struct AssetsBench {
    let synthstudio: String
    let folder: String
    var recipe = "sample-data/scenes/yard.yaml"

    func run() throws {
        try street()
        print("\nComposed scenes (sample yard: textured OBJ/glTF assets, HDR environment), whole process against Blender Cycles")
        for (width, height, images, turns) in [(320, 240, 8, 2), (640, 480, 4, 2), (1280, 720, 2, 1)] {
            var ours: [Double] = [], cpu: [Double] = [], cycles: [Double] = []
            for turn in 1...turns {
                let (wall, used) = try timedRender(width: width, height: height, images: images, seed: UInt64(turn))
                ours.append(Double(images) / wall)
                cpu.append(used / Double(images))
                if let rate = try cyclesRate(width: width, height: height, images: images, seed: UInt64(turn)) { cycles.append(rate) }
            }
            let mine = ours.reduce(0, +) / Double(ours.count), cpuPer = cpu.reduce(0, +) / Double(cpu.count)
            let line = String(
                format: "  %4d×%-4d synthstudio render %6.2f images/s (%.2f s CPU per image, 16 spp, labels and files included)", width,
                height, mine, cpuPer)
            guard !cycles.isEmpty else {
                print(line + "; Blender Cycles: not installed or no result (apt-get install blender)")
                continue
            }
            let theirs = cycles.reduce(0, +) / Double(cycles.count)
            print(line + String(format: "  Cycles %6.3f images/s → %.1f×", theirs, mine / theirs))
        }
        rays()
        noise()
    }

    /// `assets-look RECIPE [COUNT]`: the recipe's first images (seed 1, 640×480, the recipe's
    /// samples) rendered by `synthstudio render` and by Cycles from the same descriptions, to look
    /// at side by side (a reference for materials such as glass); prints where each went and both
    /// rates.
    func look(images: Int) throws {
        let (wall, _) = try timedRender(width: 640, height: 480, images: images, seed: 1)
        print(String(format: "synthstudio: %.3f images/s → %@/ours-640x480/images", Double(images) / wall, folder))
        guard let rate = try cyclesRate(width: 640, height: 480, images: images, seed: 1) else {
            print("Blender Cycles: not installed or no result (apt-get install blender)")
            return
        }
        print(
            String(
                format: "Cycles: %.3f images/s → %@/cycles-640x480/cycles-K.png; ratio %.1f×", rate, folder, Double(images) / wall / rate))
    }

    /// Noise at equal samples: the sample yard's first two images at 160×120, rendered at 4 and
    /// 16 spp with independent samples and with Owen-scrambled Sobol points (turns alternating),
    /// each image's RMS error in 8-bit levels against the same scene at 512 spp.
    func noise() {
        guard
            let job = try? RenderJob(
                RenderSpec(
                    id: "bench", units: UnitPlan(dataset: "bench", count: 2, seed: 1, shard: try Shard.parse("0/1")), recipe: recipe,
                    pins: [:], size: PixelSize(width: 160, height: 120), samplesPerPixel: nil))
        else { return }
        print("\nNoise of the general renderer at equal samples (sample yard, 160×120, RMS error in 8-bit levels against 512 spp)")
        let scenes = (0..<2).compactMap { try? job.composedScene($0) }
        func image(_ i: Int, _ sampling: Sampling, _ spp: Int, seed: UInt64) -> (rgb: [UInt8], seconds: Double) {
            var renderer = scenes[i].1
            renderer.samplesPerPixel = spp
            renderer.sampling = sampling
            let start = DispatchTime.now().uptimeNanoseconds
            let rgb = renderer.render(scenes[i].0, stream: RandomStream(seed: seed)).rgb
            return (rgb, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let references = scenes.indices.map { image($0, .sobol, 512, seed: 1000).rgb }
        compare(spps: [4, 16], images: scenes.count, reference: { references[$0] }) { i, sampling, spp, seed in
            image(i, sampling, spp, seed: seed)
        }
        // The street: an intersection by day in sun and in rain (a wet road's film), each pixel's
        // samples of their own seed against the same scene at 256 spp.
        print("Noise of the street renderer at equal samples (intersection by day, sun and rain, 320×240, against 256 spp)")
        let streets = [SceneParameters.Weather.sunny, .rain].map { weather in
            var p = SceneParameters(timeOfDay: .day, weather: weather, pedestrians: 8, cars: 5, cyclists: 1)
            p.layout = .intersection
            return p
        }
        func street(_ i: Int, _ sampling: Sampling, _ spp: Int, seed: UInt64) -> (rgb: [UInt8], seconds: Double) {
            var renderer = StreetRenderer(width: 320, height: 240, samplesPerPixel: spp)
            renderer.sampling = sampling
            renderer.pixelSeed = seed
            let start = DispatchTime.now().uptimeNanoseconds
            let rgb = renderer.render(streets[i], stream: RandomStream(seed: 7)).rgb
            return (rgb, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let streetReferences = streets.indices.map { street($0, .sobol, 256, seed: 1000).rgb }
        compare(spps: [4, 8], images: streets.count, reference: { streetReferences[$0] }, render: street)
    }

    /// RMS error in levels of `render` at each of `spps` with independent and with Sobol
    /// sampling (two turns, alternating), each of `images` against its reference; printed.
    func compare(
        spps: [Int], images: Int, reference: (Int) -> [UInt8], render: (Int, Sampling, Int, UInt64) -> (rgb: [UInt8], seconds: Double)
    ) {
        for spp in spps {
            var error: [Sampling: Double] = [:], seconds: [Sampling: Double] = [:]
            for turn in 0..<2 {
                for sampling in turn == 0 ? [Sampling.independent, .sobol] : [.sobol, .independent] {
                    for i in 0..<images {
                        let (rgb, time) = render(i, sampling, spp, UInt64(turn + 1))
                        let squares = zip(rgb, reference(i)).reduce(0.0) { $0 + Double((Int($1.0) - Int($1.1)) * (Int($1.0) - Int($1.1))) }
                        error[sampling, default: 0] += (squares / Double(rgb.count)).squareRoot() / Double(2 * images)
                        seconds[sampling, default: 0] += time
                    }
                }
            }
            let (independent, sobol) = (error[.independent] ?? 0, error[.sobol] ?? 0)
            print(
                String(
                    format:
                        "  %2d spp: independent %.2f levels, Sobol %.2f levels → %.0f %% less error (as many samples as %.1f× independent); time %.2f s against %.2f s",
                    spp, independent, sobol, (1 - sobol / max(independent, 1e-9)) * 100, pow(independent / max(sobol, 1e-9), 2),
                    seconds[.sobol] ?? 0, seconds[.independent] ?? 0))
        }
    }

    /// The street, whole process: `synthstudio render` of the sample recipe's intersection by day
    /// (PNG, masks, depth, COCO and YOLO written; no motion blur or distortion, which the peer
    /// lacks) against Cycles on its street with the same features (people, trees, traffic lights,
    /// noise and brick textures) at the same size and 4 samples per pixel, one turn each,
    /// alternating, at three sizes.
    func street() throws {
        print("\nStreet (sample recipe, intersection by day, 4 spp), whole process against Blender Cycles on a street of the same kind")
        for (width, height, images) in [(320, 240, 16), (640, 480, 8), (1280, 720, 4)] {
            let (wall, cpu) = try timedRender(
                recipe: "sample-data/scenes/street.yaml", width: width, height: height, images: images, seed: 1,
                pins: ["layout=intersection", "time_of_day=day", "shutter=0", "distortion_k1=0"])
            let line = String(
                format: "  %4d×%-4d synthstudio render %6.2f images/s (%.2f s CPU per image, labels and files included)", width, height,
                Double(images) / wall, cpu / Double(images))
            guard let cycles = cyclesImagesPerSecond(images: max(2, images / 4), width: width, height: height, rich: true) else {
                print(line)
                continue
            }
            print(line + String(format: "  Cycles %6.3f images/s → %.1f×", cycles, Double(images) / wall / cycles))
        }
    }

    /// `synthstudio render` of `images` images of `recipe` at the size (with `pins`, as
    /// `--set`) into a fresh folder: wall seconds and the child's CPU seconds.
    func timedRender(recipe: String? = nil, width: Int, height: Int, images: Int, seed: UInt64, pins: [String] = []) throws -> (
        wall: Double, cpu: Double
    ) {
        let recipe = recipe ?? self.recipe
        let out = "\(folder)/ours-\(width)x\(height)"
        try? FileManager.default.removeItem(atPath: out)
        let before = childCPUSeconds(), start = DispatchTime.now().uptimeNanoseconds
        let process = Process()
        process.executableURL = URL(fileURLWithPath: synthstudio)
        process.arguments =
            [
                "render", "--recipe", recipe, "--count", String(images), "--seed", String(seed), "--size", "\(width)x\(height)", "--out",
                out,
            ] + pins.flatMap { ["--set", $0] }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("synthstudio render failed (\(process.terminationStatus))") }
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, childCPUSeconds() - before)
    }

    /// Cycles' images per second on the same images' scenes, or nil when Blender is missing.
    func cyclesRate(width: Int, height: Int, images: Int, seed: UInt64) throws -> Double? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/blender") else { return nil }
        let job = try RenderJob(
            RenderSpec(
                id: "bench", units: UnitPlan(dataset: "bench", count: images, seed: seed, shard: try Shard.parse("0/1")), recipe: recipe,
                pins: [:], size: PixelSize(width: width, height: height), samplesPerPixel: nil))
        let scenes = try (0..<images).compactMap { try job.composedDescription($0) }
        let out = "\(folder)/cycles-\(width)x\(height)"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let path = "\(out)/scenes.json"
        try JSONSerialization.data(withJSONObject: scenes).write(to: URL(fileURLWithPath: path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/blender")
        process.arguments = ["--background", "--factory-startup", "--python", "Benchmarks/peers/cycles_assets.py", "--", path, out]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("CYCLES_RESULT ") }),
            let json = try JSONSerialization.jsonObject(with: Data(line.dropFirst("CYCLES_RESULT ".count).utf8)) as? [String: Any],
            let n = json["images"] as? Int, let seconds = json["seconds"] as? Double, seconds > 0
        else { return nil }
        return Double(n) / seconds
    }

    /// Rays per second of the general renderer (camera, shadow and bounce rays) beside Embree
    /// alone tracing the same scenes' camera rays, one `rtcIntersect1` each; then Embree alone
    /// on the very rays the renders traced (recorded, replayed one call each and as streams):
    /// the share of a render that is tracing, so the most any speed-up of everything else could
    /// give.
    func rays() {
        guard
            let job = try? RenderJob(
                RenderSpec(
                    id: "bench", units: UnitPlan(dataset: "bench", count: 4, seed: 1, shard: try Shard.parse("0/1")), recipe: recipe,
                    pins: [:], size: PixelSize(width: 320, height: 240), samplesPerPixel: nil))
        else { return }
        var traced = 0, seconds = 0.0, alone = 0, aloneSeconds = 0.0
        var replayed = 0, single = 0.0, streamed = 0.0, samples = 0
        for i in 0..<4 {
            guard let (scene, renderer) = try? job.composedScene(i) else { continue }
            let start = DispatchTime.now().uptimeNanoseconds
            traced += renderer.render(scene, stream: RandomStream(seed: 1).derived(UInt64(i))).rays
            seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            samples += renderer.width * renderer.height * renderer.samplesPerPixel
            let (r, s) = renderer.embreeAlone(scene)
            alone += r
            aloneSeconds += s
            let recorded = renderer.renderRecordingRays(scene, stream: RandomStream(seed: 1).derived(UInt64(i))).recorded
            let replay = renderer.embreeReplay(scene, recorded)
            replayed += replay.rays
            single += replay.single
            streamed += replay.streamed
        }
        guard seconds > 0, aloneSeconds > 0, single > 0, streamed > 0 else { return }
        let ours = Double(traced) / seconds, embree = Double(alone) / aloneSeconds
        print(
            String(
                format:
                    "  rays: renderer %.2f M rays/s (all rays, shading included; %.2f rays per sample); Embree alone %.2f M rays/s (camera rays, rtcIntersect1) → %.0f %%",
                ours / 1e6, Double(traced) / Double(max(1, samples)), embree / 1e6, ours / embree * 100))
        let floor = min(single, streamed)
        print(
            String(
                format:
                    "  Embree alone on the renders' own rays: %.2f M rays/s one call each, %.2f M rays/s as streams → tracing is %.0f %% of the render: with everything else free, at most %.1f× faster",
                Double(replayed) / single / 1e6, Double(replayed) / streamed / 1e6, floor / seconds * 100, seconds / floor))
    }
}

/// CPU seconds of this process's finished children (user + system).
func childCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
