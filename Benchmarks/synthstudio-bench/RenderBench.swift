import Dispatch
import Foundation
import Rendering
import StudioCore

/// The renderer on the sample recipe's settings (320×240, 4 samples per pixel) across the five
/// weathers and three times of day: images per second, and rays per second (primary, shadow and
/// reflection rays) beside Embree alone intersecting the same scenes' camera rays.
func renderBench(images: Int) {
    let renderer = StreetRenderer(width: 320, height: 240, samplesPerPixel: 4)
    let parameters = benchParameters
    let (rays, seconds) = renderOnly(renderer, images: images, parameters)
    var aloneRays = 0, singleSeconds = 0.0, streamSeconds = 0.0, replayRays = 0, replaySeconds = 0.0
    for i in 0..<images {
        let stream = RandomStream(seed: 1).derived(UInt64(i))
        let (r, single, streamed) = renderer.embreeAlone(parameters(i), stream: stream)
        aloneRays += r
        singleSeconds += single
        streamSeconds += streamed
        let (_, recorded) = renderer.renderRecordingRays(parameters(i), stream: stream)
        let replay = renderer.embreeReplay(parameters(i), stream: stream, recorded)
        replayRays += replay.rays
        replaySeconds += replay.seconds
    }
    let rate = Double(rays) / seconds
    let single = Double(aloneRays) / singleSeconds, streamed = Double(aloneRays) / streamSeconds
    let replayed = Double(replayRays) / replaySeconds
    print("\nRenderer: \(images) street scenes at 320×240, 4 samples per pixel, \(ProcessInfo.processInfo.activeProcessorCount) cores")
    print(
        String(
            format: "  synthstudio renderer  %6.1f images/s  %6.2f M rays/s  (%.1f rays per pixel sample, scene build and labels included)",
            Double(images) / seconds, rate / 1e6, Double(rays) / Double(images * 320 * 240 * 4)))
    print(
        String(
            format:
                "  Embree alone          %6.2f M rays/s  (rtcIntersect1, one call per ray, the same scenes' camera rays)  → renderer at %.0f %% of it",
            single / 1e6, rate / single * 100))
    print(
        String(
            format: "  Embree alone          %6.2f M rays/s  (rtcIntersect1M, each row one coherent stream)  → renderer at %.0f %% of it",
            streamed / 1e6, rate / streamed * 100))
    print(
        String(
            format:
                "  Embree alone          %6.2f M rays/s  (the renderer's own streams replayed: camera, mirror and shadow rays, same batches)  → renderer at %.0f %% of it",
            replayed / 1e6, rate / replayed * 100))
    cyclesPeer(ours: Double(images) / seconds)
    streetBench()
}

/// The street as the sample recipe now renders it — procedural people, cyclists, furniture, every
/// layout — at 640×480, 4 samples per pixel: images per second by layout and by time of day,
/// then two rounds alternating with Blender Cycles on its richer scene at the same size (CPU
/// seconds for ours, since the machine may be shared; Cycles' own render time for it).
func streetBench() {
    let renderer = StreetRenderer(width: 640, height: 480, samplesPerPixel: 4)
    func scene(_ layout: SceneParameters.Layout, _ time: SceneParameters.TimeOfDay, _ i: Int) -> SceneParameters {
        let weathers = SceneParameters.Weather.allCases
        return SceneParameters(
            timeOfDay: time, weather: weathers[i % weathers.count], layout: layout, pedestrians: 8, cars: 5, cyclists: 2)
    }
    func timed(_ scenes: [SceneParameters]) -> (wall: Double, cpu: Double) {
        let cpu0 = processCPUSeconds(), start = DispatchTime.now().uptimeNanoseconds
        for (i, p) in scenes.enumerated() { _ = renderer.render(p, stream: RandomStream(seed: 5).derived(UInt64(i))) }
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, processCPUSeconds() - cpu0)
    }
    print(
        "\nStreet renderer at 640×480, 4 samples per pixel (people, cyclists, furniture), \(ProcessInfo.processInfo.activeProcessorCount) cores"
    )
    for layout in SceneParameters.Layout.allCases {
        let t = timed((0..<6).map { scene(layout, SceneParameters.TimeOfDay.allCases[$0 % 3], $0) })
        let name = ("layout " + layout.rawValue).padding(toLength: 20, withPad: " ", startingAt: 0)
        print(String(format: "  %@ %5.2f images/s  (%.2f s CPU per image)", name, 6 / t.wall, t.cpu / 6))
    }
    for time in SceneParameters.TimeOfDay.allCases {
        let t = timed((0..<6).map { scene(SceneParameters.Layout.allCases[$0 % 4], time, $0) })
        let name = time.rawValue.padding(toLength: 20, withPad: " ", startingAt: 0)
        print(String(format: "  %@ %5.2f images/s  (%.2f s CPU per image)", name, 6 / t.wall, t.cpu / 6))
    }
    for round in 1...2 {
        let t = timed((0..<8).map { scene(.intersection, .day, $0) })
        let ours = 8 / t.wall
        guard let cycles = cyclesImagesPerSecond(images: 3, width: 640, height: 480, rich: true) else { return }
        print(
            String(
                format:
                    "  round %d: synthstudio %5.2f images/s (intersection, day), Blender Cycles (CPU, richer street) %5.3f images/s → %.1f×",
                round, ours, cycles, ours / cycles))
    }
}

/// CPU seconds this process has used (user + system).
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// The bench's street scenes: every weather and time of day in turn, 6 pedestrians and 4 cars.
func benchParameters(_ i: Int) -> SceneParameters {
    let weathers = SceneParameters.Weather.allCases, times = SceneParameters.TimeOfDay.allCases
    return SceneParameters(timeOfDay: times[i % times.count], weather: weathers[i % weathers.count], pedestrians: 6, cars: 4)
}

/// Renders the bench's scenes and nothing else: the rays traced and the seconds taken.
func renderOnly(_ renderer: StreetRenderer, images: Int, _ parameters: (Int) -> SceneParameters = benchParameters) -> (
    rays: Int, seconds: Double
) {
    let start = DispatchTime.now().uptimeNanoseconds
    var rays = 0
    for i in 0..<images { rays += renderer.render(parameters(i), stream: RandomStream(seed: 1).derived(UInt64(i))).rays }
    return (rays, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

/// `profile-render [N]`: the renderer alone on the bench's scenes, for `perf record`: images and
/// rays per second overall, then for each time of day.
func profileRender(images: Int) {
    let renderer = StreetRenderer(width: 320, height: 240, samplesPerPixel: 4)
    let (rays, seconds) = renderOnly(renderer, images: images)
    print(String(format: "%.1f images/s, %.2f M rays/s", Double(images) / seconds, Double(rays) / seconds / 1e6))
    for time in SceneParameters.TimeOfDay.allCases {
        let (rays, seconds) = renderOnly(renderer, images: images / 3) { i in
            var p = benchParameters(i)
            p.timeOfDay = time
            return p
        }
        print(
            String(
                format: "  %@: %.1f images/s, %.2f rays per sample", "\(time)", Double(images / 3) / seconds,
                Double(rays) / Double(images / 3 * 320 * 240 * 4)))
    }
}

/// Blender 3.4 Cycles on the CPU rendering a similar street (Benchmarks/peers/cycles_street.py)
/// at the same size and samples per pixel, timed inside Blender (start-up excluded).
func cyclesPeer(ours: Double) {
    guard let cycles = cyclesImagesPerSecond(images: 6, width: 320, height: 240, rich: false) else { return }
    print(
        String(
            format:
                "  Blender Cycles (CPU)  %6.1f images/s  (same size and spp, one scene re-rendered, BVH reused)  → synthstudio %.1f× its images/s",
            cycles, ours / cycles))
}

/// Cycles' images per second on the peer script's street (`rich`: with people, trees, a cross
/// street and traffic lights), or nil (saying so) when Blender is missing or gives no result.
func cyclesImagesPerSecond(images: Int, width: Int, height: Int, rich: Bool) -> Double? {
    let rate = cyclesRun(images: images, width: width, height: height, rich: rich)
    if rate == nil { print("  Blender Cycles: not installed or no result (apt-get install blender)") }
    return rate
}

private func cyclesRun(images: Int, width: Int, height: Int, rich: Bool) -> Double? {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/blender") else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/blender")
    process.arguments =
        [
            "--background", "--factory-startup", "--python", "Benchmarks/peers/cycles_street.py", "--", String(images),
            NSTemporaryDirectory(),
            String(width), String(height),
        ] + (rich ? ["rich"] : [])
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("CYCLES_RESULT ") }),
        let json = try? JSONSerialization.jsonObject(with: Data(line.dropFirst("CYCLES_RESULT ".count).utf8)) as? [String: Any],
        let n = json["images"] as? Int, let s = json["seconds"] as? Double, s > 0
    else { return nil }
    return Double(n) / s
}
