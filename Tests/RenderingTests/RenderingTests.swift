import Rendering
import StudioCore
import Testing

@Suite("Street renderer")
struct RenderingTests {
    static let small = StreetRenderer(width: 96, height: 72, samplesPerPixel: 2)

    @Test("the same stream gives the same image and labels; another stream another image")
    func determinism() {
        let p = SceneParameters(weather: .rain, pedestrians: 8, cars: 5)
        let a = Self.small.render(p, stream: RandomStream(seed: 9).derived(3))
        let b = Self.small.render(p, stream: RandomStream(seed: 9).derived(3))
        #expect(a.rgb == b.rgb && a.instances == b.instances && a.depth == b.depth)
        let c = Self.small.render(p, stream: RandomStream(seed: 9).derived(4))
        #expect(a.rgb != c.rgb)
    }

    @Test(
        "every weather and time of day renders a plausible picture", arguments: SceneParameters.Weather.allCases,
        SceneParameters.TimeOfDay.allCases)
    func conditions(weather: SceneParameters.Weather, time: SceneParameters.TimeOfDay) {
        let out = Self.small.render(SceneParameters(timeOfDay: time, weather: weather), stream: RandomStream(seed: 1))
        let mean = Double(out.rgb.reduce(0) { $0 + Int($1) }) / Double(out.rgb.count)
        #expect(mean > (time == .night ? 5 : 40) && mean < 250)
        #expect(Set(out.rgb).count > 20)
        #expect(out.depth.contains { $0 > 0 })
    }

    @Test("labels come from the same rays: visible pixels lie in their amodal box; reflections name a pedestrian")
    func labels() {
        var reflections = 0
        for seed in 0..<6 {
            let p = SceneParameters(pedestrians: 12, cars: 4, glassFacades: 1)
            let out = Self.small.render(p, stream: RandomStream(seed: UInt64(seed)))
            for (id, object) in out.objects {
                let pixels = out.instances.enumerated().filter { $0.element == UInt16(id) }.map(\.offset)
                guard !pixels.isEmpty else { continue }
                #expect(object.visibility > 0 && object.visibility <= 1)
                if let reflected = object.reflects {
                    reflections += 1
                    #expect(object.label == "pedestrian_reflection")
                    #expect(out.objects[reflected]?.label == "pedestrian")
                } else if let box = object.amodal {
                    for p in pixels {
                        let (x, y) = (Double(p % out.width), Double(p / out.width))
                        #expect(
                            x >= box.x - 1 && x <= box.maxX + 1 && y >= box.y - 1 && y <= box.maxY + 1,
                            "\(object.label) pixel outside its amodal box")
                    }
                }
            }
        }
        #expect(reflections > 0)
    }

    @Test("cyclists: as many riders as asked, labelled and seen; none when the count is 0")
    func cyclists() {
        // Riders are thin (tubes of a few centimetres): at 160 × 120 one 30 m away falls between
        // pixel centres.
        let renderer = StreetRenderer(width: 320, height: 240, samplesPerPixel: 1)
        var seen = 0
        for seed in 0..<4 {
            let out = renderer.render(SceneParameters(pedestrians: 2, cars: 3, cyclists: 4), stream: RandomStream(seed: UInt64(seed)))
            let riders = out.objects.filter { $0.value.label == "cyclist" }
            #expect(riders.count == 4)
            seen += riders.keys.filter { id in out.instances.contains(UInt16(id)) }.count
            let none = renderer.render(SceneParameters(pedestrians: 2, cars: 3, cyclists: 0), stream: RandomStream(seed: UInt64(seed)))
            #expect(!none.objects.values.contains { $0.label == "cyclist" })
        }
        #expect(seen >= 8, "most cyclists should be in view")
    }
}
