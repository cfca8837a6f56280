import CKernels

/// The output of `attention`: the attended values and, when asked for, the attention probabilities.
public struct AttentionResult {
    /// `[batch, queries, d]` (or `[queries, d]`), the heads' outputs side by side.
    public let output: Tensor
    /// `[batch, heads, queries, keys]` (or `[heads, queries, keys]`), outside the graph.
    public let probabilities: Tensor?
}

/// Multi-head scaled dot-product attention on already-projected queries, keys and values, fused: per
/// head, `QKᵀ` and `PV` are `cblas_sgemm` calls addressing the head's column block in place (row stride
/// `d`), so nothing is split, transposed or copied; inference (inside `BLAS.latencyBound`, not recording)
/// without `keep` runs each head through one kernel instead (`prunelab_attention_head`), which also skips
/// the keys the causal mask hides.
///
/// - `query` is `[batch, queries, d]` or `[queries, d]`; `key` and `value` have `keys` rows. `d` must be a
///   multiple of `heads`. Heads (and batch entries) run in parallel on the engine's threads.
/// - `causal`: query `i` sees keys `j ≤ i + keys − queries` (aligned at the end, so a query block that
///   continues a cached prefix works).
/// - `keep`: an optional per-key mask `[batch, keys]` (or `[keys]`) in [0, 1], differentiable, applied as
///   in DynamicViT: with `G_ij = m_j + (1 − m_j)·δ_ij` (a query always sees its own token),
///   `A_ij = exp(a_ij − max_i)·G_ij / (Σ_j exp(a_ij − max_i)·G_ij + ε)`. Without `keep` this is the
///   ordinary softmax (ε = 0). The gradient includes the (ε-sized) path through `max_i`.
/// - `returnProbabilities`: also return `A` (not recorded), e.g. for attention-based pruning scores.
public func attention(
    query: Tensor, key: Tensor, value: Tensor, heads: Int, causal: Bool = false, keep: Tensor? = nil,
    epsilon: Float = 1e-6, returnProbabilities: Bool = false
) -> AttentionResult {
    let layout = AttentionLayout(query: query, key: key, value: value, heads: heads, keep: keep)
    let inputs = [query, key, value] + (keep.map { [$0] } ?? [])
    let recording = Tensor.willRecord(inputs)
    let output = Tensor.like(query)
    let probabilities = returnProbabilities ? Tensor(uninitializedShape: layout.probabilityShape) : nil
    // Per (batch, head): R = exp(a − max)/(Σ G·exp(a − max) + ε), kept for the backward pass when recording.
    let normalized = recording ? Tensor(uninitializedShape: layout.probabilityShape) : nil
    if !recording && keep == nil && Parallel.isLatencyBound {
        fusedHeads(layout, query: query, key: key, value: value, causal: causal, output: output,
                   probabilities: probabilities)
        return AttentionResult(output: output, probabilities: probabilities)
    }
    let epsilon = keep == nil ? 0 : epsilon
    let workers = Swift.min(Parallel.threadCount, layout.batch * heads)
    var scratch = [Float](repeating: 0, count: workers * 2 * layout.block)
    scratch.withUnsafeMutableBufferPointer { scratch in
        Parallel.forEach(layout.batch * heads) { slot, worker in
            let (b, h) = slot.quotientAndRemainder(dividingBy: heads)
            let spareLogits = scratch.baseAddress! + worker * 2 * layout.block
            let spareProbabilities = spareLogits + layout.block
            let keepRow = keep.map { $0.pointer + b * layout.keys }
            let r = normalized.map { $0.pointer + slot * layout.block } ?? spareLogits
            serialSgemm(transposeA: false, transposeB: true, m: layout.queries, n: layout.keys, k: layout.headWidth,
                        alpha: layout.scale, a: layout.query(query, b, h), lda: layout.width,
                        b: layout.key(key, b, h), ldb: layout.width, c: r, ldc: layout.keys)
            for i in 0..<layout.queries {
                normalizeRow(r + i * layout.keys, layout: layout, query: i, causal: causal, keep: keepRow,
                             epsilon: epsilon)
            }
            var p = r
            if let keepRow {
                p = probabilities.map { $0.pointer + slot * layout.block } ?? spareProbabilities
                gate(r, into: p, layout: layout, keep: keepRow)
            } else if let probabilities {
                p = probabilities.pointer + slot * layout.block
                p.update(from: r, count: layout.block)
            }
            serialSgemm(transposeA: false, transposeB: false, m: layout.queries, n: layout.headWidth, k: layout.keys,
                        a: p, lda: layout.keys, b: layout.value(value, b, h), ldb: layout.width,
                        c: layout.query(output, b, h), ldc: layout.width)
        }
    }
    guard let normalized else { return AttentionResult(output: output, probabilities: probabilities) }
    let result = Tensor.operation("attention", output: output, inputs: inputs) { g in
        attentionBackward(g, query: query, key: key, value: value, keep: keep, normalized: normalized,
                          layout: layout, causal: causal)
    }
    return AttentionResult(output: result, probabilities: probabilities)
}

/// Latency-bound inference without a keep mask (a prefill): each head through `prunelab_attention_head`, which
/// reads the head's queries, keys and values in place and computes only the keys a query sees. At a few
/// dozen tokens a GEMM spends more on packing its operands and setting up each call than on the arithmetic.
private func fusedHeads(
    _ layout: AttentionLayout, query: Tensor, key: Tensor, value: Tensor, causal: Bool, output: Tensor,
    probabilities: Tensor?
) {
    let slots = layout.batch * layout.heads
    // Each worker's probabilities, when they are not returned.
    let scratch = probabilities == nil
        ? Tensor(uninitializedShape: [Swift.min(Parallel.threadCount, slots) * layout.block]) : nil
    Parallel.forEach(slots) { slot, worker in
        let (b, h) = slot.quotientAndRemainder(dividingBy: layout.heads)
        let rows = probabilities.map { $0.pointer + slot * layout.block } ?? scratch!.pointer + worker * layout.block
        layout.fusedHead(b, h, queries: 0..<layout.queries, query: query.pointer, key: key.pointer, value: value.pointer,
                         causal: causal, probabilities: rows, output: output.pointer)
    }
}

/// Extents and per-head addressing shared by the forward and backward passes.
struct AttentionLayout {
    let batch: Int, queries: Int, keys: Int, width: Int, heads: Int, headWidth: Int
    let scale: Float
    /// Whether the tensors have a batch axis (stored rather than the probability shape, so that the layout
    /// holds no array and threads can copy it without reference counting).
    let batched: Bool
    var block: Int { queries * keys }
    var probabilityShape: [Int] { (batched ? [batch] : []) + [heads, queries, keys] }

    init(query: Tensor, key: Tensor, value: Tensor, heads: Int, keep: Tensor?) {
        precondition(query.rank == 2 || query.rank == 3, "attention: query \(query.shape) must be [batch,] tokens, d")
        precondition(key.shape == value.shape && key.rank == query.rank, "attention: key \(key.shape), value \(value.shape)")
        batched = query.rank == 3
        batch = batched ? query.shape[0] : 1
        queries = query.shape[query.rank - 2]
        keys = key.shape[key.rank - 2]
        width = query.shape[query.rank - 1]
        precondition(key.shape.last == width && (!batched || key.shape[0] == batch), "attention: key \(key.shape) for query \(query.shape)")
        precondition(heads > 0 && width % heads == 0, "attention: width \(width) not divisible by \(heads) heads")
        self.heads = heads
        headWidth = width / heads
        scale = 1 / Float(headWidth).squareRoot()
        if let keep {
            precondition(keep.shape == (batched ? [batch, keys] : [keys]), "attention: keep \(keep.shape) for \(keys) keys")
        }
    }

    /// Keys visible to query `i`: all of them, or under the causal mask the first `i + keys − queries + 1`.
    func visibleKeys(query i: Int, causal: Bool) -> Int {
        causal ? Swift.min(keys, Swift.max(0, i + keys - queries + 1)) : keys
    }

    /// The key index that is query `i`'s own token (for the DynamicViT self term).
    func ownKey(query i: Int) -> Int { i + keys - queries }

    /// Where head `h` of batch item `b` starts in a query-shaped (or output) tensor, and in a key-shaped one.
    func queryOffset(_ b: Int, _ h: Int) -> Int { b * queries * width + h * headWidth }
    func keyOffset(_ b: Int, _ h: Int) -> Int { b * keys * width + h * headWidth }

    func query(_ t: Tensor, _ b: Int, _ h: Int) -> UnsafeMutablePointer<Float> { t.pointer + queryOffset(b, h) }
    func key(_ t: Tensor, _ b: Int, _ h: Int) -> UnsafeMutablePointer<Float> { t.pointer + keyOffset(b, h) }
    func value(_ t: Tensor, _ b: Int, _ h: Int) -> UnsafeMutablePointer<Float> { key(t, b, h) }

    /// Queries `rows` of batch item `b` in head `h` through the fused inference kernel: their probabilities
    /// into `probabilities` (the head's `[queries, keys]` block, other rows untouched) and their outputs
    /// into `output` (`query`, `key`, `value` and `output` point to their tensors' first elements). A query's
    /// values do not depend on the other queries in `rows`.
    func fusedHead(_ b: Int, _ h: Int, queries rows: Range<Int>, query: UnsafePointer<Float>, key: UnsafePointer<Float>,
                   value: UnsafePointer<Float>, causal: Bool, probabilities: UnsafeMutablePointer<Float>,
                   output: UnsafeMutablePointer<Float>) {
        let (queryHead, keyHead) = (queryOffset(b, h), keyOffset(b, h))
        prunelab_attention_head(Int32(queries), Int32(keys), Int32(rows.lowerBound), Int32(rows.count),
                                Int32(headWidth), causal ? 1 : 0, scale, query + queryHead, width, key + keyHead, width,
                                value + keyHead, width, probabilities, output + queryHead, width)
    }
}

/// Turns one row of scaled logits into `R_j = exp(a_j − max)/(Σ G_j·exp(a_j − max) + ε)` in place, with 0
/// for keys the query cannot see.
@inline(__always)
private func normalizeRow(
    _ row: UnsafeMutablePointer<Float>, layout: AttentionLayout, query i: Int, causal: Bool,
    keep: UnsafeMutablePointer<Float>?, epsilon: Float
) {
    let visible = layout.visibleKeys(query: i, causal: causal)
    (row + visible).update(repeating: 0, count: layout.keys - visible)
    guard visible > 0 else { return }
    let maximum = VectorMath.max(row, visible)
    for j in 0..<visible { row[j] = VectorMath.exp(row[j] - maximum) }
    var total = VectorMath.sum(row, visible)
    if let keep {
        total = VectorMath.dot(row, keep, visible)
        let own = layout.ownKey(query: i)
        if own >= 0 && own < visible { total += row[own] * (1 - keep[own]) }
    }
    let reciprocal = 1 / (total + epsilon)
    for j in 0..<visible { row[j] *= reciprocal }
}

/// `P_ij = R_ij · G_ij` for one head, where `G_ij = keep_j`, or 1 on a query's own key.
private func gate(
    _ r: UnsafeMutablePointer<Float>, into p: UnsafeMutablePointer<Float>, layout: AttentionLayout,
    keep: UnsafeMutablePointer<Float>
) {
    for i in 0..<layout.queries {
        let source = r + i * layout.keys, target = p + i * layout.keys
        for j in 0..<layout.keys { target[j] = source[j] * keep[j] }
        let own = layout.ownKey(query: i)
        if own >= 0 && own < layout.keys { target[own] = source[own] }
    }
}

/// Gradients of `attention` for query, key, value and keep, head by head with strided `cblas_sgemm`.
///
/// With `c_i = Σ_j dP_ij·P_ij`: `da_ij = P_ij(dP_ij − c_i)`, plus `−c_i·(1 − Σ_j P_ij)` on the row's
/// arg-max (the path through `max_i`, zero without a keep mask); `dG_ij = R_ij(dP_ij − c_i)` flows into
/// `keep_j` for `j ≠ own(i)`.
private func attentionBackward(
    _ g: Tensor, query: Tensor, key: Tensor, value: Tensor, keep: Tensor?, normalized: Tensor,
    layout: AttentionLayout, causal: Bool
) -> [Tensor?] {
    let dQuery = Tensor.like(query), dKey = Tensor.like(key), dValue = Tensor.like(value)
    let slots = layout.batch * layout.heads
    // Per-head contributions to dkeep, summed in head order afterwards so the result is thread-independent.
    let keepPartials = keep.map { _ in Tensor(zeros: [slots, layout.keys]) }
    let workers = Swift.min(Parallel.threadCount, slots)
    var buffers = [Float](repeating: 0, count: workers * 2 * layout.block)
    buffers.withUnsafeMutableBufferPointer { buffers in
        Parallel.forEach(slots) { slot, worker in
            let (b, h) = slot.quotientAndRemainder(dividingBy: layout.heads)
            let gated = buffers.baseAddress! + worker * 2 * layout.block, dp = gated + layout.block
            let r = normalized.pointer + slot * layout.block
            var p = r
            if let keep {
                p = gated
                gate(r, into: p, layout: layout, keep: keep.pointer + b * layout.keys)
            }
            let upstream = layout.query(g, b, h)
            serialSgemm(transposeA: false, transposeB: true, m: layout.queries, n: layout.keys, k: layout.headWidth,
                        a: upstream, lda: layout.width, b: layout.value(value, b, h), ldb: layout.width,
                        c: dp, ldc: layout.keys)
            serialSgemm(transposeA: true, transposeB: false, m: layout.keys, n: layout.headWidth, k: layout.queries,
                        a: p, lda: layout.keys, b: upstream, ldb: layout.width,
                        c: layout.value(dValue, b, h), ldc: layout.width)
            for i in 0..<layout.queries {
                let visible = layout.visibleKeys(query: i, causal: causal)
                let pRow = p + i * layout.keys, dpRow = dp + i * layout.keys, rRow = r + i * layout.keys
                let c = VectorMath.dot(dpRow, pRow, visible)
                if let keepPartials {
                    let own = layout.ownKey(query: i), dk = keepPartials.pointer + slot * layout.keys
                    for j in 0..<visible where j != own { dk[j] += rRow[j] * (dpRow[j] - c) }
                }
                for j in 0..<visible { dpRow[j] = pRow[j] * (dpRow[j] - c) }
                if keep != nil && visible > 0 {
                    var argmax = 0
                    for j in 1..<visible where rRow[j] > rRow[argmax] { argmax = j }
                    dpRow[argmax] -= c * (1 - VectorMath.sum(pRow, visible))
                }
                (dpRow + visible).update(repeating: 0, count: layout.keys - visible)
            }
            serialSgemm(transposeA: false, transposeB: false, m: layout.queries, n: layout.headWidth, k: layout.keys,
                        alpha: layout.scale, a: dp, lda: layout.keys, b: layout.key(key, b, h), ldb: layout.width,
                        c: layout.query(dQuery, b, h), ldc: layout.width)
            serialSgemm(transposeA: true, transposeB: false, m: layout.keys, n: layout.headWidth, k: layout.queries,
                        alpha: layout.scale, a: dp, lda: layout.keys, b: layout.query(query, b, h), ldb: layout.width,
                        c: layout.key(dKey, b, h), ldc: layout.width)
        }
    }
    let dKeep = keepPartials.map { $0.reshaped([layout.batch, layout.heads, layout.keys]).sum(axis: 1).reshaped(keep!.shape) }
    return [dQuery, dKey, dValue] + (keep.map { _ in [dKeep] } ?? [])
}
