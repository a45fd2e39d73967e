internal import Glibc
public import ImageIO

/// Light from every direction: an equirectangular HDR picture around the scene (y up; the
/// picture's centre column looks down −z, its left edge +x… turned by `rotation`), scaled by
/// `strength`. Seen in the background and in reflections, and importance-sampled for lighting:
/// a direction is drawn with probability proportional to the light it brings (luminance × the
/// pixel's solid angle), so a small bright sun costs no more samples than the sky around it.
public struct EnvironmentMap: Sendable {
    let width: Int, height: Int
    let radiance: [SIMD3<Float>]
    /// Turn about the vertical, radians.
    let rotation: Float
    /// Rows' cumulative weight (marginal), then each row's cumulative weight over columns
    /// (conditional), both normalised to end at 1.
    private let rowCDF: [Float]
    private let columnCDF: [Float]
    /// Per pixel, its probability (not density): weight / total.
    private let probability: [Float]

    public init(_ image: HDRImage, rotationDegrees: Float = 0, strength: Float = 1) {
        width = image.width
        height = image.height
        rotation = rotationDegrees * .pi / 180
        var radiance = [SIMD3<Float>](repeating: .zero, count: width * height)
        var weights = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            let sine = sinf((Float(y) + 0.5) / Float(height) * .pi)
            for x in 0..<width {
                let c = image.pixel(x, y) * strength
                radiance[y * width + x] = c
                weights[y * width + x] = max(0, 0.2126 * c.x + 0.7152 * c.y + 0.0722 * c.z) * sine
            }
        }
        // A black map still samples (uniformly over its pixels' areas) rather than dividing by zero.
        if weights.allSatisfy({ $0 <= 0 }) {
            for y in 0..<height {
                for x in 0..<width { weights[y * width + x] = sinf((Float(y) + 0.5) / Float(height) * .pi) }
            }
        }
        self.radiance = radiance
        var columns = [Float](repeating: 0, count: width * height)
        var rows = [Float](repeating: 0, count: height)
        var total: Double = 0
        for y in 0..<height {
            var sum: Double = 0
            for x in 0..<width {
                sum += Double(weights[y * width + x])
                columns[y * width + x] = Float(sum)
            }
            if sum > 0 { for x in 0..<width { columns[y * width + x] /= Float(sum) } }
            total += sum
            rows[y] = Float(total)
        }
        for y in 0..<height { rows[y] /= Float(total) }
        rowCDF = rows
        columnCDF = columns
        probability = weights.map { Float(Double($0) / total) }
    }

    /// A uniform sky of one colour (tests, and a fallback).
    public init(constant color: SIMD3<Float>, width: Int = 64, height: Int = 32) {
        self.init(HDRImage(width: width, height: height, rgb: (0..<(width * height)).flatMap { _ in [color.x, color.y, color.z] }))
    }

    /// The light arriving from direction `d` (unit).
    @inline(__always) public func radiance(_ d: SIMD3<Float>) -> SIMD3<Float> {
        let (x, y) = pixel(d)
        return radiance[y * width + x]
    }

    @inline(__always) private func pixel(_ d: SIMD3<Float>) -> (Int, Int) {
        var u = atan2f(d.x, -d.z) / (2 * .pi) + 0.5 - rotation / (2 * .pi)
        u -= floorf(u)
        let v = acosf(max(-1, min(1, d.y))) / .pi
        return (min(width - 1, Int(u * Float(width))), min(height - 1, Int(v * Float(height))))
    }

    /// A direction drawn in proportion to the light it brings, from two uniform numbers, with its
    /// radiance and its density per steradian.
    public func sample(_ r: SIMD2<Float>) -> (direction: SIMD3<Float>, radiance: SIMD3<Float>, pdf: Float) {
        let y = Self.search(rowCDF, 0, height, r.x)
        let before = y > 0 ? rowCDF[y - 1] : 0
        // The row's share of r.x, reused to place the sample inside the row's height.
        let rowShare = (r.x - before) / max(1e-12, rowCDF[y] - before)
        let x = Self.search(columnCDF, y * width, width, r.y)
        let left = x > 0 ? columnCDF[y * width + x - 1] : 0
        let columnShare = (r.y - left) / max(1e-12, columnCDF[y * width + x] - left)
        let u = (Float(x) + max(0, min(1, columnShare))) / Float(width)
        let v = (Float(y) + max(0, min(1, rowShare))) / Float(height)
        let phi = (u - 0.5 + rotation / (2 * .pi)) * 2 * .pi, theta = v * .pi
        let sine = sinf(theta)
        let direction = SIMD3(sine * sinf(phi), cosf(theta), -sine * cosf(phi))
        let i = y * width + x
        return (direction, radiance[i], density(pixel: i, sine: sine))
    }

    /// The density per steradian with which `sample` draws direction `d`.
    public func pdf(_ d: SIMD3<Float>) -> Float {
        let (x, y) = pixel(d)
        return density(pixel: y * width + x, sine: (1 - min(1, d.y * d.y)).squareRoot())
    }

    @inline(__always) private func density(pixel i: Int, sine: Float) -> Float {
        // A pixel covers (2π / W)(π / H) sin θ steradians.
        guard sine > 1e-6 else { return 0 }
        return probability[i] * Float(width * height) / (2 * .pi * .pi * sine)
    }

    /// The first index in `cdf[start ..< start + count]` whose value exceeds `value` (relative).
    @inline(__always) private static func search(_ cdf: [Float], _ start: Int, _ count: Int, _ value: Float) -> Int {
        var lo = 0, hi = count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cdf[start + mid] > value { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
