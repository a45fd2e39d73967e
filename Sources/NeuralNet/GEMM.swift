internal import COneDNN
internal import StudioCore

#if canImport(Glibc)
    internal import Glibc
#endif

/// Row-major single-precision matrix products through oneDNN's JIT SGEMM (INTEROP.md item 11):
/// `C = alpha · op(A) · op(B) + beta · C` with `op(A)` m×k and `op(B)` k×n.
enum GEMM {
    static func multiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m > 0 && n > 0 && k > 0, "empty product")
        // Split the longer side of C into `parts` fixed blocks, one single-threaded SGEMM each: the
        // blocks do not depend on scheduling, so results are the same run after run.
        let parts = m * n * k >= 1 << 18 ? threads : 1
        nonisolated(unsafe) let (a, b, c) = (a, b, c)
        Parallel.forEach(parts) { part in
            cdnnl_omp_set_num_threads(1)
            if n >= m {
                let (start, end) = (n * part / parts, n * (part + 1) / parts)
                guard end > start else { return }
                let bBlock = transposeB ? b + start * ldb : b + start
                call(transposeA, transposeB, m, end - start, k, alpha, a, lda, bBlock, ldb, beta, c + start, ldc)
            } else {
                let (start, end) = (m * part / parts, m * (part + 1) / parts)
                guard end > start else { return }
                let aBlock = transposeA ? a + start : a + start * lda
                call(transposeA, transposeB, end - start, n, k, alpha, aBlock, lda, b, ldb, beta, c + start * ldc, ldc)
            }
        }
    }

    /// Threads a large product is split over.
    static let threads = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    private static func call(
        _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        let status = cdnnl_sgemm(
            flag(transposeA), flag(transposeB), Int64(m), Int64(n), Int64(k), alpha, a, Int64(lda), b, Int64(ldb), beta,
            c, Int64(ldc))
        precondition(status == dnnl_success, "dnnl_sgemm failed: \(String(cString: cdnnl_status2str(status)))")
    }

    /// `C (m×n) = alpha · op(A) · op(B) + beta · C` on whole arrays, leading dimensions implied.
    static func multiply(
        _ a: [Float], _ b: [Float], transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        beta: Float = 0, into c: inout [Float]
    ) {
        precondition(a.count >= m * k && b.count >= k * n && c.count >= m * n, "matrix sizes do not match")
        guard m > 0, n > 0 else { return }
        if k == 0 {
            for i in 0..<(m * n) { c[i] *= beta }
            return
        }
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    multiply(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                        a: a.baseAddress!, lda: transposeA ? m : k, b: b.baseAddress!, ldb: transposeB ? k : n,
                        beta: beta, c: c.baseAddress!, ldc: n)
                }
            }
        }
    }

    private static func flag(_ transpose: Bool) -> CChar { CChar(UInt8(ascii: transpose ? "T" : "N")) }
}
