import Dispatch
import Foundation
import Rendering
import StudioCore

/// The renderer on the sample recipe's settings (320×240, 4 samples per pixel): images per second
/// and primary rays per second, across the five weathers and three times of day.
func renderBench(images: Int) {
    let renderer = StreetRenderer(width: 320, height: 240, samplesPerPixel: 4)
    let weathers = SceneParameters.Weather.allCases, times = SceneParameters.TimeOfDay.allCases
    let start = DispatchTime.now().uptimeNanoseconds
    var rays = 0
    for i in 0..<images {
        let p = SceneParameters(timeOfDay: times[i % times.count], weather: weathers[i % weathers.count], pedestrians: 6, cars: 4)
        let out = renderer.render(p, stream: RandomStream(seed: 1).derived(UInt64(i)))
        rays += StreetRenderer.rays(of: out, samplesPerPixel: 4)
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print("\nRenderer: \(images) street scenes at 320×240, 4 samples per pixel, \(ProcessInfo.processInfo.activeProcessorCount) cores")
    print(
        String(
            format: "  %.1f images/s   %.2f M primary rays/s   (%.2f s; shadow and reflection rays not counted)", Double(images) / seconds,
            Double(rays) / seconds / 1e6, seconds))
    print("  Blender Cycles comparison: not run (see the issue 4 note)")
}
