/// Matrix product over the last two axes, `op(a) · op(b)`, with optional transposes that are passed to
/// `cblas_sgemm` rather than materialised.
///
/// Shapes: `a` is `[..., m, k]` (`[..., k, m]` with `transposeA`) and `b` is `[..., k, n]` (`[..., n, k]`
/// with `transposeB`). Leading (batch) axes must be equal, or `b` may be a plain matrix shared by every
/// batch entry (then `transposeA` must be false and the batch runs as one large product).
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    precondition(a.rank >= 2 && b.rank >= 2, "matmul needs matrices, got \(a.shape) and \(b.shape)")
    if a.rank > 2 && b.rank == 2 {
        precondition(!transposeA, "matmul: a shared matrix b cannot be combined with transposeA")
        let k = a.shape[a.rank - 1]
        let flat = matmul(a.reshaped([-1, k]), b, transposeB: transposeB)
        return flat.reshaped(Array(a.shape.dropLast()) + [flat.shape[1]])
    }
    precondition(a.shape.dropLast(2) == b.shape.dropLast(2), "matmul batch axes differ: \(a.shape) and \(b.shape)")
    let result = batchedProduct(a, b, transposeA, transposeB)
    return Tensor.operation("matmul", output: result, inputs: [a, b]) { g in
        let da = !a.requiresGrad ? nil
            : transposeA ? batchedProduct(b, g, transposeB, true) : batchedProduct(g, b, false, !transposeB)
        let db = !b.requiresGrad ? nil
            : transposeB ? batchedProduct(g, a, true, transposeA) : batchedProduct(a, g, !transposeA, false)
        return [da, db]
    }
}

/// `op(a) · op(b)` for each batch entry, not recorded; one `cblas_sgemm` call per entry.
private func batchedProduct(_ a: Tensor, _ b: Tensor, _ transposeA: Bool, _ transposeB: Bool) -> Tensor {
    let (ra, ca) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
    let (rb, cb) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
    let (m, k) = transposeA ? (ca, ra) : (ra, ca)
    let (kb, n) = transposeB ? (cb, rb) : (rb, cb)
    precondition(k == kb, "matmul inner extents differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
    let batch = a.shape.dropLast(2).reduce(1, *)
    let result = Tensor(uninitializedShape: Array(a.shape.dropLast(2)) + [m, n])
    for entry in 0..<batch {
        sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
              a: a.pointer + entry * ra * ca, lda: ca, b: b.pointer + entry * rb * cb, ldb: cb,
              c: result.pointer + entry * m * n, ldc: n)
    }
    return result
}
