/// Finds the nearest palette colour fast and exactly: RGB space is cut into 8×8×8 cells, and each
/// cell keeps the few entries that can be nearest to some point inside it (those whose distance
/// to the cell is below the smallest farthest-corner distance of any entry). A query scans only
/// its cell's list — typically a dozen entries instead of 256.
package struct NearestColor {
    private static let cellsPerAxis = 8
    private static let cellSize: Float = 32

    private let reds: [Float]
    private let greens: [Float]
    private let blues: [Float]
    /// Candidate entries, all cells concatenated; cell `c` owns `candidates[starts[c]..<starts[c + 1]]`.
    private let candidates: [Int32]
    private let starts: [Int32]

    package init(_ palette: [SIMD3<Float>]) {
        precondition(!palette.isEmpty, "an empty palette")
        reds = palette.map(\.x)
        greens = palette.map(\.y)
        blues = palette.map(\.z)
        var candidates: [Int32] = []
        var starts: [Int32] = [0]
        let n = Self.cellsPerAxis
        candidates.reserveCapacity(n * n * n * 16)
        var nearDistance = [Float](repeating: 0, count: palette.count)
        let (pr, pg, pb) = (reds, greens, blues)
        // Per channel and cell index: squared distance from each entry to the cell's interval
        // (0 inside) and to its far end. A cell's distances are sums of its three channels'.
        func table(_ values: [Float]) -> (near: [Float], far: [Float]) {
            var near = [Float](repeating: 0, count: n * values.count), far = near
            for c in 0..<n {
                let lo = Float(c) * Self.cellSize, hi = lo + Self.cellSize
                for (i, v) in values.enumerated() {
                    let d = v < lo ? lo - v : (v > hi ? v - hi : 0)
                    near[c * values.count + i] = d * d
                    let f = max(v - lo, hi - v)
                    far[c * values.count + i] = f * f
                }
            }
            return (near, far)
        }
        let (nr, fr) = table(pr), (ng, fg) = table(pg), (nb, fb) = table(pb)
        let m = palette.count
        for cr in 0..<n {
            for cg in 0..<n {
                for cb in 0..<n {
                    var threshold = Float.greatestFiniteMagnitude
                    for i in 0..<m {
                        threshold = min(threshold, fr[cr * m + i] + fg[cg * m + i] + fb[cb * m + i])
                        nearDistance[i] = nr[cr * m + i] + ng[cg * m + i] + nb[cb * m + i]
                    }
                    for i in 0..<m where nearDistance[i] <= threshold { candidates.append(Int32(i)) }
                    starts.append(Int32(candidates.count))
                }
            }
        }
        self.candidates = candidates
        self.starts = starts
    }

    /// Index of the entry nearest to `c` by squared RGB distance.
    package func index(of c: SIMD3<Float>) -> Int { index(r: c.x, g: c.y, b: c.z) }

    /// The same for a colour given by channels; values outside 0…255 are clamped.
    package func index(r: Float, g: Float, b: Float) -> Int {
        let r = max(0, min(255, r)), g = max(0, min(255, g)), b = max(0, min(255, b))
        let n = Self.cellsPerAxis
        let cell = (min(n - 1, Int(r / Self.cellSize)) * n + min(n - 1, Int(g / Self.cellSize))) * n + min(n - 1, Int(b / Self.cellSize))
        return candidates.withUnsafeBufferPointer { candidates in
            reds.withUnsafeBufferPointer { reds in
                greens.withUnsafeBufferPointer { greens in
                    blues.withUnsafeBufferPointer { blues in
                        var best = 0, bestDistance = Float.greatestFiniteMagnitude
                        for k in Int(starts[cell])..<Int(starts[cell + 1]) {
                            let i = Int(candidates[k])
                            let dr = reds[i] - r, dg = greens[i] - g, db = blues[i] - b
                            let d = dr * dr + dg * dg + db * db
                            if d < bestDistance { (best, bestDistance) = (i, d) }
                        }
                        return best
                    }
                }
            }
        }
    }
}
