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

    /// The grid positions `o` whose tap `k` lands inside `0..<size`: `o·stride − padding + k`.
    private func validRange(_ k: Int, size: Int, grid: Int) -> Range<Int> {
        // o ≥ ceil((padding − k) / stride) and o ≤ floor((size − 1 + padding − k) / stride).
        let lowNumerator = padding - k
        let low = lowNumerator <= 0 ? 0 : (lowNumerator + stride - 1) / stride
        let highNumerator = size - 1 + padding - k
        let high = highNumerator < 0 ? -1 : min(grid - 1, highNumerator / stride)
        return low <= high ? low..<(high + 1) : 0..<0
    }

    /// Unfolds `image` (NCHW) into the `rows × columns` column matrix. Rows are filled in
    /// parallel; taps outside the image stay zero.
    func unfold(_ image: [Float]) -> [Float] {
        precondition(image.count == batch * channels * height * width, "image size does not match the geometry")
        var columnsMatrix = [Float](repeating: 0, count: rows * columns)
        let (oh, ow, plane) = (outputHeight, outputWidth, outputHeight * outputWidth)
        image.withUnsafeBufferPointer { src in
            columnsMatrix.withUnsafeMutableBufferPointer { dst in
                nonisolated(unsafe) let src = src.baseAddress!
                nonisolated(unsafe) let dst = dst.baseAddress!
                Parallel.forEach(rows) { row in
                    let c = row / (kernel * kernel)
                    let ky = (row / kernel) % kernel
                    let kx = row % kernel
                    let ys = validRange(ky, size: height, grid: oh)
                    let xs = validRange(kx, size: width, grid: ow)
                    for n in 0..<batch {
                        let image = src + (n * channels + c) * height * width
                        let out = dst + row * columns + n * plane
                        for oy in ys {
                            let line = image + (oy * stride - padding + ky) * width - padding + kx
                            let target = out + oy * ow
                            for ox in xs { target[ox] = line[ox * stride] }
                        }
                    }
                }
            }
        }
        return columnsMatrix
    }

    /// Folds a column matrix back into an NCHW image, summing where windows overlap (the adjoint
    /// of `unfold`). Each (image, channel) plane is summed by one thread in a fixed order, so the
    /// result does not depend on the number of threads.
    func fold(_ columnsMatrix: [Float]) -> [Float] {
        precondition(columnsMatrix.count == rows * columns, "column matrix size does not match the geometry")
        var image = [Float](repeating: 0, count: batch * channels * height * width)
        let (oh, ow, plane) = (outputHeight, outputWidth, outputHeight * outputWidth)
        columnsMatrix.withUnsafeBufferPointer { src in
            image.withUnsafeMutableBufferPointer { dst in
                nonisolated(unsafe) let src = src.baseAddress!
                nonisolated(unsafe) let dst = dst.baseAddress!
                Parallel.forEach(batch * channels) { item in
                    let (n, c) = (item / channels, item % channels)
                    let target = dst + item * height * width
                    for ky in 0..<kernel {
                        let ys = validRange(ky, size: height, grid: oh)
                        for kx in 0..<kernel {
                            let xs = validRange(kx, size: width, grid: ow)
                            let row = (c * kernel + ky) * kernel + kx
                            let from = src + row * columns + n * plane
                            for oy in ys {
                                let line = target + (oy * stride - padding + ky) * width - padding + kx
                                let source = from + oy * ow
                                for ox in xs { line[ox * stride] += source[ox] }
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
