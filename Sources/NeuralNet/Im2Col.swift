internal import StudioCore

/// The geometry of a 2-D convolution over a batch: an image of `channels × height × width` seen
/// through a `kernel × kernel` window moved by `stride` with `padding`, giving a grid of
/// `outputHeight × outputWidth` positions.
///
/// Columns are laid out for one GEMM over the whole batch: row `(c·k + ky)·k + kx`, column
/// `(n·outputHeight + oy)·outputWidth + ox`.
struct ConvolutionGeometry: Equatable, Sendable {
    var batch: Int
    var channels: Int
    var height: Int
    var width: Int
    var kernel: Int
    var stride: Int
    var padding: Int

    var outputHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    var outputWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    var rows: Int { channels * kernel * kernel }
    var columns: Int { batch * outputHeight * outputWidth }

    /// Unfolds `image` (NCHW) into the `rows × columns` column matrix.
    func unfold(_ image: [Float]) -> [Float] {
        precondition(image.count == batch * channels * height * width, "image size does not match the geometry")
        var columnsMatrix = [Float](repeating: 0, count: rows * columns)
        let (oh, ow, plane) = (outputHeight, outputWidth, outputHeight * outputWidth)
        image.withUnsafeBufferPointer { src in
            columnsMatrix.withUnsafeMutableBufferPointer { dst in
                nonisolated(unsafe) let src = src
                nonisolated(unsafe) let dst = dst
                Parallel.forEach(rows) { row in
                    let c = row / (kernel * kernel)
                    let ky = (row / kernel) % kernel
                    let kx = row % kernel
                    for n in 0..<batch {
                        let image = (n * channels + c) * height * width
                        var out = row * columns + n * plane
                        for oy in 0..<oh {
                            let y = oy * stride - padding + ky
                            guard y >= 0, y < height else {
                                out += ow
                                continue
                            }
                            let line = image + y * width
                            for ox in 0..<ow {
                                let x = ox * stride - padding + kx
                                if x >= 0, x < width { dst[out] = src[line + x] }
                                out += 1
                            }
                        }
                    }
                }
            }
        }
        return columnsMatrix
    }

    /// Folds a column matrix back into an NCHW image, summing where windows overlap (the adjoint
    /// of `unfold`). Channels are summed in parallel, each in a fixed order, so the result does
    /// not depend on the number of threads.
    func fold(_ columnsMatrix: [Float]) -> [Float] {
        precondition(columnsMatrix.count == rows * columns, "column matrix size does not match the geometry")
        var image = [Float](repeating: 0, count: batch * channels * height * width)
        let (oh, ow, plane) = (outputHeight, outputWidth, outputHeight * outputWidth)
        columnsMatrix.withUnsafeBufferPointer { src in
            image.withUnsafeMutableBufferPointer { dst in
                nonisolated(unsafe) let src = src
                nonisolated(unsafe) let dst = dst
                Parallel.forEach(channels) { c in
                    for ky in 0..<kernel {
                        for kx in 0..<kernel {
                            let row = (c * kernel + ky) * kernel + kx
                            for n in 0..<batch {
                                let image = (n * channels + c) * height * width
                                var from = row * columns + n * plane
                                for oy in 0..<oh {
                                    let y = oy * stride - padding + ky
                                    guard y >= 0, y < height else {
                                        from += ow
                                        continue
                                    }
                                    let line = image + y * width
                                    for ox in 0..<ow {
                                        let x = ox * stride - padding + kx
                                        if x >= 0, x < width { dst[line + x] += src[from] }
                                        from += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return image
    }
}

/// NCHW ⇄ CNHW: GEMMs over a whole batch want channels outermost.
enum Layout {
    /// Swaps the first two dimensions of a `a × b × plane` array.
    static func swapOuter(_ values: [Float], _ a: Int, _ b: Int, plane: Int) -> [Float] {
        var result = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { dst in
                for i in 0..<a {
                    for j in 0..<b {
                        let from = (i * b + j) * plane
                        let to = (j * a + i) * plane
                        for p in 0..<plane { dst[to + p] = src[from + p] }
                    }
                }
            }
        }
        return result
    }
}
