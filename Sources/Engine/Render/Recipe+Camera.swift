internal import Rendering
internal import StudioCore

/// The camera parameters every scene takes, street or composed: the lens (distortion, depth of
/// field, shutter and motion) and the sensor (exposure, white balance, vignetting, ISO noise,
/// JPEG quality). Absent, each leaves the renderer as it was: a sharp pinhole, no motion, PNG.
extension Recipe {
    /// Camera parameters, with what each must be.
    static let cameraKnown: [String: String] = [
        "exposure": "stops, −8…8", "white_balance": "kelvin, 2000…12000", "vignetting": "a share 0…1",
        "iso": "50…102400", "noise_reduction": "a share 0…1", "jpeg_quality": "1…100", "distortion_k1": "−0.6…0.6",
        "distortion_k2": "−0.6…0.6",
        "f_number": "0 (a pinhole) or 0.7…64", "focus_distance": "metres, 0.1…10000", "sensor_height": "millimetres, 1…100",
        "shutter": "seconds, 0…1", "camera_speed": "metres per second, 0…100",
    ]

    /// The lens and sensor the drawn `values` describe (defaults where a parameter is absent).
    static func camera(_ values: [String: String]) throws(EngineError) -> (lens: Lens, sensor: Sensor) {
        func number(_ name: String, _ range: ClosedRange<Float>) throws(EngineError) -> Float? {
            guard let text = values[name] else { return nil }
            guard let v = Float(text), v.isFinite, range.contains(v) else {
                throw EngineError(.invalidSpec, "\(name) = \(String(text.prefix(40)).terminalSafe) is out of range (\(cameraKnown[name]!))")
            }
            return v
        }
        var lens = Lens()
        var sensor = Sensor()
        if let v = try number("exposure", -8...8) { sensor.exposure = v }
        if let v = try number("white_balance", Sensor.whiteBalanceRange) { sensor.whiteBalance = v }
        if let v = try number("vignetting", 0...1) { sensor.vignetting = v }
        if let v = try number("iso", Sensor.isoRange) { sensor.iso = v }
        if let v = try number("noise_reduction", 0...1) { sensor.noiseReduction = v }
        if let v = try number("jpeg_quality", 1...100) { sensor.jpegQuality = Int(v.rounded()) }
        if let v = try number("distortion_k1", Lens.distortionLimit) { lens.k1 = v }
        if let v = try number("distortion_k2", Lens.distortionLimit) { lens.k2 = v }
        if let v = try number("f_number", 0...64) {
            guard v == 0 || v >= 0.7 else {
                throw EngineError(.invalidSpec, "f_number = \(v) is out of range (\(cameraKnown["f_number"]!))")
            }
            lens.fNumber = v
        }
        if let v = try number("focus_distance", 0.1...10000) { lens.focusDistance = v }
        if let v = try number("sensor_height", 1...100) { lens.sensorHeight = v }
        if let v = try number("shutter", 0...1) { lens.shutter = v }
        if let v = try number("camera_speed", 0...100) { lens.speed = v }
        return (lens, sensor)
    }
}
