/// Everything drawn for one image: the recipe's distributions, sampled, plus pinned values.
public struct SceneParameters: Sendable, Hashable {
    public enum TimeOfDay: String, Sendable, Hashable, CaseIterable { case day, dusk, night }
    public enum Weather: String, Sendable, Hashable, CaseIterable { case sunny, cloudy, hazy, rain, snow }
    /// The street's shape: straight, bending, a four-way intersection with crosswalks and
    /// traffic lights, a T-junction, or a paved plaza (no traffic, people everywhere).
    public enum Layout: String, Sendable, Hashable, CaseIterable {
        case straight, curved, intersection
        case tJunction = "t_junction"
        case plaza
    }
    /// Where the camera is: a car's dashcam in the lane, a CCTV camera on a pole 3–8 m up looking
    /// down, or a person's eyes on the sidewalk.
    public enum Rig: String, Sendable, Hashable, CaseIterable {
        case dashcam, cctv
        case eyeLevel = "eye_level"
    }

    public var timeOfDay: TimeOfDay
    public var weather: Weather
    public var layout: Layout
    public var rig: Rig
    /// Metres above the road.
    public var cameraHeight: Float
    /// Degrees below the horizon.
    public var cameraPitch: Float
    /// Vertical field of view, degrees.
    public var fieldOfView: Float
    public var pedestrians: Int
    public var cars: Int
    /// Riders on bicycles by the kerb.
    public var cyclists: Int
    /// Traffic lanes, 2…4 (3.3 m each beyond the first two's 10 m).
    public var lanes: Int = 2
    /// Share of building facades that are shop glass (reflective).
    public var glassFacades: Float
    /// Degrees; azimuth 0 = sun ahead, 90 = from the right.
    public var sunAzimuth: Float
    public var sunElevation: Float
    /// The camera's optics: distortion, depth of field, shutter and motion.
    public var lens = Lens()
    /// What the camera makes of the light: exposure, white balance, vignetting, noise, JPEG.
    public var sensor = Sensor()

    public init(
        timeOfDay: TimeOfDay = .day, weather: Weather = .sunny, layout: Layout = .straight, rig: Rig = .dashcam, cameraHeight: Float = 1.6,
        cameraPitch: Float = 4, fieldOfView: Float = 55,
        pedestrians: Int = 6, cars: Int = 4, cyclists: Int = 2, glassFacades: Float = 0.5, sunAzimuth: Float = 60, sunElevation: Float = 40
    ) {
        self.timeOfDay = timeOfDay
        self.weather = weather
        self.layout = layout
        self.rig = rig
        self.cameraHeight = cameraHeight
        self.cameraPitch = cameraPitch
        self.fieldOfView = fieldOfView
        self.pedestrians = pedestrians
        self.cars = cars
        self.cyclists = cyclists
        self.glassFacades = glassFacades
        self.sunAzimuth = sunAzimuth
        self.sunElevation = sunElevation
    }

    /// The values as image attributes (`weather`, `lighting`, `time_of_day`, …; the lens's and
    /// the sensor's where they are not the defaults).
    public var attributes: [String: String] {
        let scene = [
            "weather": weather.rawValue, "time_of_day": timeOfDay.rawValue, "layout": layout.rawValue, "rig": rig.rawValue,
            "lighting": timeOfDay == .night ? "night" : (timeOfDay == .dusk ? "dusk" : "day"),
            "camera_height": String(format1(cameraHeight)), "camera_pitch": String(format1(cameraPitch)),
            "fov": String(format1(fieldOfView)), "lanes": String(lanes),
        ]
        return scene.merging(lens.attributes) { a, _ in a }.merging(sensor.attributes) { a, _ in a }
    }

    private func format1(_ v: Float) -> String { String(Float(Int((v * 10).rounded())) / 10) }
}
