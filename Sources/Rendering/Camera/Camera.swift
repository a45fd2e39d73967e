internal import Glibc
internal import StudioCore

/// A camera with a lens (`Lens`): pinhole rays by default; radial distortion, a thin lens's
/// depth of field and motion over the shutter when the lens has them. Pixels are numbered from the
/// top-left, y down; positions in metres.
struct Camera: Sendable {
    let position: SIMD3<Float>
    let forward: SIMD3<Float>, right: SIMD3<Float>, up: SIMD3<Float>
    let tanHalf: Float
    let width: Float, height: Float
    let lens: Lens
    /// The image plane one metre ahead: its top-left corner and the steps of one pixel across
    /// and down, so a pinhole ray is two multiply-adds and a normalisation.
    private let corner: SIMD3<Float>, across: SIMD3<Float>, down: SIMD3<Float>
    /// Pixels per unit of normalized image coordinates (the focal length in pixels).
    private let focal: Float
    /// The lens's fold radius in normalized coordinates (infinity without distortion).
    private let fold: Float
    /// The aperture's radius in metres (0: a pinhole).
    private let apertureRadius: Float
    /// Metres the camera travels while the shutter is open.
    private let travel: SIMD3<Float>

    init(_ p: SceneParameters, width: Int, height: Int) {
        let pitch = p.cameraPitch * .pi / 180
        self.init(
            position: SIMD3(0, p.cameraHeight, 0), forward: SIMD3(0, -sinf(pitch), cosf(pitch)), fieldOfView: p.fieldOfView, width: width,
            height: height, lens: p.lens)
    }

    /// The street's camera: where its rig puts it, with the parameters' field of view and lens.
    /// Only a dashcam moves with its car; a pole and a pedestrian's eyes stand still.
    init(_ scene: StreetScene, width: Int, height: Int) {
        var lens = scene.parameters.lens
        if scene.parameters.rig != .dashcam { lens.speed = 0 }
        self.init(
            position: scene.camera.position, forward: scene.camera.forward, fieldOfView: scene.parameters.fieldOfView, width: width,
            height: height, lens: lens)
    }

    /// A camera at `position` looking along `forward` (not straight up or down), level: its
    /// right-hand side stays horizontal. `fieldOfView` is vertical, in degrees (of the pinhole
    /// image, before distortion).
    init(position: SIMD3<Float>, forward look: SIMD3<Float>, fieldOfView: Float, width: Int, height: Int, lens: Lens = Lens()) {
        self.position = position
        forward = look / (look * look).sum().squareRoot()
        // A right-handed world (glTF's, Blender's): right = forward × up(y), normalised; up =
        // right × forward. Looking down +z, +x is on the left.
        let f = forward
        var r = SIMD3<Float>(-f.z, 0, f.x)
        r /= max(1e-6, (r * r).sum().squareRoot())
        right = r
        up = SIMD3(r.y * f.z - r.z * f.y, r.z * f.x - r.x * f.z, r.x * f.y - r.y * f.x)
        tanHalf = tanf(fieldOfView * .pi / 360)
        self.width = Float(width)
        self.height = Float(height)
        self.lens = lens
        let halfWidth = tanHalf * Float(width) / Float(height)
        corner = forward - halfWidth * right + tanHalf * up
        across = right * (2 * halfWidth / Float(width))
        down = up * (-2 * tanHalf / Float(height))
        focal = Float(height) / 2 / tanHalf
        fold = lens.foldRadius
        // Focal length in metres: half the sensor's height over tan(half the field of view).
        let focalMetres = lens.sensorHeight / 1000 / 2 / tanHalf
        apertureRadius = lens.hasAperture ? focalMetres / lens.fNumber / 2 : 0
        let level = SIMD3(forward.x, 0, forward.z)
        let length = (level * level).sum().squareRoot()
        travel = lens.isMoving && length > 0 ? level / length * (lens.speed * lens.shutter) : .zero
    }

    /// The ray through the lens centre at mid-shutter for the image point (`x`, `y`) in pixels:
    /// the pinhole's, bent by the lens's distortion.
    @inline(__always) func ray(x: Float, y: Float) -> (origin: SIMD3<Float>, direction: SIMD3<Float>) {
        guard lens.isDistorting else {
            let d = corner + x * across + y * down
            return (position, d * (1 / (d * d).sum().squareRoot()))
        }
        let u = undistort(x: x, y: y)
        let d = forward + u.x * right - u.y * up
        return (position, d * (1 / (d * d).sum().squareRoot()))
    }

    /// A sample's ray: through the point `aperture` (of the unit square) on the lens, focused on
    /// the plane `lens.focusDistance` ahead, from where the camera is at `time` (0…1 across the
    /// shutter). The lens centre at mid-shutter gives `ray(x:y:)`.
    @inline(__always) func ray(x: Float, y: Float, aperture: SIMD2<Float>, time: Float) -> (origin: SIMD3<Float>, direction: SIMD3<Float>) {
        var (origin, direction) = ray(x: x, y: y)
        if apertureRadius > 0 {
            let focus = origin + direction * (lens.focusDistance / max(1e-4, (direction * forward).sum()))
            let disc = Lens.disc(aperture) * apertureRadius
            origin += right * disc.x + up * disc.y
            let d = focus - origin
            direction = d * (1 / (d * d).sum().squareRoot())
        }
        if lens.isMoving { origin += travel * (time - 0.5) }
        return (origin, direction)
    }

    /// Normalized pinhole coordinates (x right, y down) of the image point (`x`, `y`).
    @inline(__always) private func undistort(x: Float, y: Float) -> SIMD2<Float> {
        let p = SIMD2(x - width / 2, y - height / 2) / focal
        let rd = (p * p).sum().squareRoot()
        guard rd > 0 else { return p }
        return p * (lens.undistorted(radius: rd, fold: fold) / rd)
    }

    func forwardCosine(_ d: SIMD3<Float>) -> Float { (d * forward).sum() }

    /// The cosine between the lens axis and the ray through pixel (`x`, `y`)'s centre.
    func centreCosine(x: Int, y: Int) -> Float { forwardCosine(ray(x: Float(x) + 0.5, y: Float(y) + 0.5).direction) }

    /// Where a point in front of the camera appears in the image (pixels, y down), through the
    /// lens's distortion. A point past the lens's fold lands far outside the image.
    func imagePoint(_ point: SIMD3<Float>) -> SIMD2<Float> {
        let rel = point - position
        let depth = (rel * forward).sum()
        guard lens.isDistorting else {
            let u = (rel * right).sum() / depth / (tanHalf * width / height)
            let v = (rel * up).sum() / depth / tanHalf
            return SIMD2((u + 1) / 2 * width, (1 - v) / 2 * height)
        }
        let p = SIMD2((rel * right).sum(), -(rel * up).sum()) / depth
        let r = (p * p).sum().squareRoot()
        let scale: Float = r < fold ? lens.distorted(radius: r) / max(r, 1e-12) : 1e4 / max(r, 1e-12)
        let q = r > 0 ? p * scale : p
        return SIMD2(width / 2, height / 2) + q * focal
    }

    /// Distance along the view axis.
    func depth(_ point: SIMD3<Float>) -> Float { ((point - position) * forward).sum() }

    /// The points whose images bound a 3D box's image: its corners, and with distortion points
    /// along its twelve edges too (a straight edge's image bows, so its extreme may lie between
    /// corners).
    private func outline(_ bounds: (min: SIMD3<Float>, max: SIMD3<Float>)) -> [SIMD3<Float>] {
        func corner(_ i: Int) -> SIMD3<Float> {
            SIMD3(
                i & 1 == 0 ? bounds.min.x : bounds.max.x, i & 2 == 0 ? bounds.min.y : bounds.max.y, i & 4 == 0 ? bounds.min.z : bounds.max.z
            )
        }
        let corners = (0..<8).map(corner)
        guard lens.isDistorting else { return corners }
        var points = corners
        for i in 0..<8 {
            for bit in [1, 2, 4] where i & bit == 0 {
                let (a, b) = (corners[i], corners[i | bit])
                for k in 1..<8 { points.append(a + (b - a) * (Float(k) / 8)) }
            }
        }
        return points
    }

    /// The extent of a 3D box's image (unclipped); nil when part of it is within 0.1 m of the
    /// camera's plane or behind it.
    private func extent(_ bounds: (min: SIMD3<Float>, max: SIMD3<Float>)) -> (x0: Float, y0: Float, x1: Float, y1: Float)? {
        var x0 = Float.greatestFiniteMagnitude, y0 = x0, x1 = -x0, y1 = -x0
        for point in outline(bounds) {
            guard depth(point) > 0.1 else { return nil }
            let p = imagePoint(point)
            x0 = min(x0, p.x); x1 = max(x1, p.x); y0 = min(y0, p.y); y1 = max(y1, p.y)
        }
        return (x0, y0, x1, y1)
    }

    /// The share of a 3D box's projected 2D box outside the image (0 when it is all inside; 1
    /// when it is behind the camera or out of view).
    func truncation(_ bounds: (min: SIMD3<Float>, max: SIMD3<Float>)) -> Double {
        guard let (x0, y0, x1, y1) = extent(bounds) else { return 1 }
        let whole = Double(x1 - x0) * Double(y1 - y0)
        let inside = Double(max(0, min(width, x1) - max(0, x0))) * Double(max(0, min(height, y1) - max(0, y0)))
        return whole > 0 ? max(0, min(1, 1 - inside / whole)) : 0
    }

    /// The 2D box of a 3D box's image (clipped to the image); nil when behind the camera.
    func project(_ bounds: (min: SIMD3<Float>, max: SIMD3<Float>)) -> BoundingBox? {
        guard let (x0, y0, x1, y1) = extent(bounds) else { return nil }
        let cx0 = max(0, x0), cy0 = max(0, y0), cx1 = min(width, x1), cy1 = min(height, y1)
        guard cx1 > cx0, cy1 > cy0 else { return nil }
        return BoundingBox(minX: Double(cx0), minY: Double(cy0), maxX: Double(cx1), maxY: Double(cy1))
    }
}

extension Camera {
    /// The pixels of `box` whose centre ray meets `mesh` (in front of the camera) when nothing
    /// else is there: its triangles projected and filled, a pixel counted once however many
    /// cover it. (A pixel centre inside a projected triangle is a centre ray that hits it; the
    /// projection is the camera's own, so this equals tracing one ray per pixel against the mesh
    /// alone, edges aside, at a fraction of the cost.)
    func silhouette(of mesh: Mesh, in box: BoundingBox) -> Int {
        coverage(of: mesh, in: box).mask.reduce(0) { $0 + ($1 ? 1 : 0) }
    }

    /// The pixels of `box` (clipped to the image) whose centre ray meets `mesh`, row-major over
    /// the box's whole pixels: the mask behind `silhouette(of:in:)`.
    func coverage(of mesh: Mesh, in box: BoundingBox) -> (mask: [Bool], width: Int) {
        let x0 = Int(box.x), y0 = Int(box.y)
        let x1 = min(Int(width), Int(box.maxX.rounded(.up))), y1 = min(Int(height), Int(box.maxY.rounded(.up)))
        guard x1 > x0, y1 > y0 else { return ([], 0) }
        var covered = [Bool](repeating: false, count: (x1 - x0) * (y1 - y0))
        let corners = mesh.vertices.map(imagePoint)
        func cross(_ u: SIMD2<Float>, _ v: SIMD2<Float>) -> Float { u.x * v.y - u.y * v.x }
        for triangle in mesh.triangles {
            let a = corners[Int(triangle.x)], b = corners[Int(triangle.y)], c = corners[Int(triangle.z)]
            let area = cross(b - a, c - a)
            guard area != 0 else { continue }
            let side: Float = area > 0 ? 1 : -1
            let lower = pointwiseMin(a, pointwiseMin(b, c)), upper = pointwiseMax(a, pointwiseMax(b, c))
            // The pixels whose centre (x + ½, y + ½) can lie inside.
            let px0 = max(x0, Int((lower.x - 0.5).rounded(.up))), px1 = min(x1 - 1, Int((upper.x - 0.5).rounded(.down)))
            let py0 = max(y0, Int((lower.y - 0.5).rounded(.up))), py1 = min(y1 - 1, Int((upper.y - 0.5).rounded(.down)))
            guard px0 <= px1, py0 <= py1 else { continue }
            for py in py0...py1 {
                for px in px0...px1 {
                    let p = SIMD2(Float(px) + 0.5, Float(py) + 0.5)
                    guard cross(b - a, p - a) * side >= 0, cross(c - b, p - b) * side >= 0, cross(a - c, p - c) * side >= 0 else {
                        continue
                    }
                    covered[(py - y0) * (x1 - x0) + (px - x0)] = true
                }
            }
        }
        return (covered, x1 - x0)
    }
}
