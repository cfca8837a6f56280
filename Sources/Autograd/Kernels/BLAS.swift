import CBLAS
import CKernels

/// The engine's threading, which covers its OpenBLAS calls.
public enum BLAS {
    /// The number of threads the engine computes with (default: the number of processors).
    public static var threadCount: Int { Parallel.threadCount }

    /// Floats per vector on the kernels' widest path here: 16 where the CPU has AVX-512 (GELU only, chosen
    /// at run time; the other kernels stay at 8), 8 in an AVX2 build, 1 in a portable or debug one.
    /// Timings depend on it; results do not.
    public static var widestVectorLanes: Int { Int(prunelab_gelu_widest_lanes()) }

    /// Sets the number of threads (at least 1). Results do not depend on it.
    public static func setThreadCount(_ count: Int) { Parallel.threadCount = count }

    /// Runs `body` with small products split finer over the threads, for batch-1 inference whose latency
    /// matters (the prefill). Results differ from the default split in the last bits, and still never
    /// depend on the thread count.
    public static func latencyBound<T>(_ body: () throws -> T) rethrows -> T {
        try Parallel.$isLatencyBound.withValue(true, operation: body)
    }

    /// Runs `body` with the engine single-threaded, for callers that already run independent work on
    /// several threads (items of an evaluation): nested hand-offs would only oversubscribe the cores.
    /// Process-wide: while any caller is inside, every engine call in the process runs serially.
    /// Results are the same either way.
    public static func serially<T>(_ body: () throws -> T) rethrows -> T {
        Parallel.serialRegions.add(1, ordering: .relaxed)
        defer { Parallel.serialRegions.subtract(1, ordering: .relaxed) }
        return try body()
    }
}

/// Products are not split into pieces of fewer floating-point operations than this: by default (the
/// split the shipped weights were trained with), and inside `BLAS.latencyBound`, where the small
/// products of a batch-1 prefill are worth spreading over the threads.
private let minimumPieceFLOPs = (standard: 1 << 21, latencyBound: 1 << 18)
/// Operands of more floats than this are costly to pack once per piece.
private let largeOperand = 1 << 20

/// Row-major `C = alpha · op(A) · op(B) + beta · C` on raw pointers, where `op` transposes when asked.
/// `A` is `m×k` after `op`, `B` is `k×n` after `op`; leading dimensions are the row strides as stored,
/// which is how per-head column blocks of a `[tokens, d]` matrix are addressed without copies.
///
/// Large products are split into up to 8 blocks of rows or columns of `C` (multiples of 16, chosen from
/// the shape and `BLAS.latencyBound` alone, never from the thread count) computed in parallel by
/// single-threaded `cblas_sgemm` calls. OpenBLAS's rounding depends on the split, so changing these
/// rules changes results in the last bits.
func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    SgemmPieces(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc).runAll()
}

/// One product split as `sgemm` splits it: `count` pieces, each a single-threaded call on a block of
/// rows or columns of `C`. Several independent products can run their pieces in one hand-off to the
/// threads (`runTogether`), with the same results as one after the other.
struct SgemmPieces {
    let transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float
    let a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int
    let beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    /// Whether pieces are blocks of rows (else of columns) of `C`, and how many rows or columns each has.
    let splitRows: Bool, step: Int
    let count: Int

    init(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
         beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        (self.transposeA, self.transposeB, self.m, self.n, self.k, self.alpha) = (transposeA, transposeB, m, n, k, alpha)
        (self.a, self.lda, self.b, self.ldb, self.beta, self.c, self.ldc) = (a, lda, b, ldb, beta, c, ldc)
        let flops = 2 * m * n * k
        splitRows = m >= n
        let span = splitRows ? m : n
        let minimumPiece = Parallel.isLatencyBound ? minimumPieceFLOPs.latencyBound : minimumPieceFLOPs.standard
        let pieces = Swift.min(8, flops / minimumPiece, span / 16)
        // Every piece repacks the whole other operand; when that is large, keep pieces at ≥ 512 rows/columns.
        let minimumExtent = k * (splitRows ? n : m) > largeOperand ? 512 : 16
        step = pieces > 1 ? Swift.max((span / pieces + 15) / 16 * 16, minimumExtent) : Swift.max(span, 1)
        count = pieces > 1 ? (span + step - 1) / step : 1
    }

    /// Computes piece `piece` of `0..<count`.
    func run(_ piece: Int) {
        guard count > 1 else {
            return serialSgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                               a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
        let start = piece * step, extent = Swift.min(step, (splitRows ? m : n) - start)
        if splitRows {
            serialSgemm(transposeA: transposeA, transposeB: transposeB, m: extent, n: n, k: k, alpha: alpha,
                        a: a + (transposeA ? start : start * lda), lda: lda, b: b, ldb: ldb,
                        beta: beta, c: c + start * ldc, ldc: ldc)
        } else {
            serialSgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: extent, k: k, alpha: alpha,
                        a: a, lda: lda, b: b + (transposeB ? start * ldb : start), ldb: ldb,
                        beta: beta, c: c + start, ldc: ldc)
        }
    }

    /// Runs every piece, in one hand-off to the threads when there are several.
    func runAll() {
        guard count > 1 else { return run(0) }
        Parallel.forEach(count) { piece, _ in run(piece) }
    }

    /// Runs every piece of every product in one hand-off to the threads.
    static func runTogether(_ products: [SgemmPieces]) {
        let total = products.reduce(0) { $0 + $1.count }
        guard total > 1 else { return products.first?.run(0) ?? () }
        Parallel.forEach(total) { index, _ in
            var product = 0, piece = index
            while piece >= products[product].count {
                piece -= products[product].count
                product += 1
            }
            products[product].run(piece)
        }
    }
}

/// One single-threaded `cblas_sgemm` call (see `sgemm`), for callers that parallelise at a higher level.
@inline(__always)
func serialSgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    Parallel.configured
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
        for row in 0..<m { for col in 0..<n { c[row * ldc + col] = beta == 0 ? 0 : c[row * ldc + col] * beta } }
        return
    }
    cblas_sgemm(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}
