import Dispatch
import Foundation
import Rendering
import StudioCore

/// The renderer on the sample recipe's settings (320×240, 4 samples per pixel) across the five
/// weathers and three times of day: images per second, and rays per second (primary, shadow and
/// reflection rays) beside Embree alone intersecting the same scenes' camera rays.
func renderBench(images: Int) {
    let renderer = StreetRenderer(width: 320, height: 240, samplesPerPixel: 4)
    let weathers = SceneParameters.Weather.allCases, times = SceneParameters.TimeOfDay.allCases
    func parameters(_ i: Int) -> SceneParameters {
        SceneParameters(timeOfDay: times[i % times.count], weather: weathers[i % weathers.count], pedestrians: 6, cars: 4)
    }
    let start = DispatchTime.now().uptimeNanoseconds
    var rays = 0
    for i in 0..<images { rays += renderer.render(parameters(i), stream: RandomStream(seed: 1).derived(UInt64(i))).rays }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    var aloneRays = 0, aloneSeconds = 0.0
    for i in 0..<images {
        let (r, s) = renderer.embreeAlone(parameters(i), stream: RandomStream(seed: 1).derived(UInt64(i)))
        aloneRays += r
        aloneSeconds += s
    }
    let rate = Double(rays) / seconds, alone = Double(aloneRays) / aloneSeconds
    print("\nRenderer: \(images) street scenes at 320×240, 4 samples per pixel, \(ProcessInfo.processInfo.activeProcessorCount) cores")
    print(
        String(
            format: "  synthstudio renderer  %6.1f images/s  %6.2f M rays/s  (%.1f rays per pixel sample, scene build and labels included)",
            Double(images) / seconds, rate / 1e6, Double(rays) / Double(images * 320 * 240 * 4)))
    print(
        String(
            format: "  Embree alone          %6.2f M rays/s  (rtcIntersect1 on the same scenes' camera rays)  → renderer at %.0f %% of it",
            alone / 1e6, rate / alone * 100))
    print("  Blender Cycles: not compared in this build (not installed by `make bench`)")
}
