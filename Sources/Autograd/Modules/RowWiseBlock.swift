/// A transformer block's forward pass at inference, split over the threads by rows rather than
/// operation by operation.
///
/// Split by operation, each product hands its output columns to the threads separately, and the next
/// product, which needs whole rows, reads half of its input from the other core; a small prefill also
/// pays a hand-off per operation. Split by rows, each thread takes the layer norm, the products, the
/// GELU and the residual additions of its own rows in one go, and the rows stay in its cache. Only the
/// attention, whose queries see every key, changes hands (split by heads, as always). Each value is
/// computed by the same kernel as in `TransformerBlock.operationStep` (the packed-weight product, whose
/// outputs do not depend on the rows a call covers), so the results are the same bits, on any number of
/// threads.
struct RowWiseBlock {
    let block: TransformerBlock
    let query: PackedWeights, key: PackedWeights, value: PackedWeights, output: PackedWeights
    let widen: PackedWeights, narrow: PackedWeights

    /// Rows below which a share is not worth handing to another thread.
    static let minimumRowsPerShare = 3

    /// Fewest rows split this way. Split by rows, each thread streams all of the block's weights from
    /// memory; with only a few rows to apply them to, that takes longer than the arithmetic, and splitting
    /// each product's weights between the threads is faster (a 1-token prefill: 0.17 against 0.14 ms).
    static let minimumRows = 8

    /// The row-wise pass of `block` for an input of `rows` rows (which decides whether it pays), when it
    /// applies: at least `minimumRows` rows, and the inference kernel (inside `BLAS.latencyBound`, not
    /// recording gradients, every weight a whole storage).
    init?(_ block: TransformerBlock, rows: Int) {
        guard rows >= Self.minimumRows, Parallel.isLatencyBound, !GradientMode.isEnabled,
              let query = PackedWeights.of(block.attn.wq.weight), let key = PackedWeights.of(block.attn.wk.weight),
              let value = PackedWeights.of(block.attn.wv.weight), let output = PackedWeights.of(block.attn.wo.weight),
              let widen = PackedWeights.of(block.mlp.fc1.weight), let narrow = PackedWeights.of(block.mlp.fc2.weight)
        else { return nil }
        // Checked for every block of every prefill, so without building arrays.
        let width = query.inputs
        func check(_ weights: PackedWeights, _ linear: Linear, inputs: Int, outputs: Int) {
            precondition(weights.inputs == inputs && weights.outputs == outputs && (linear.bias?.count ?? outputs) == outputs,
                         "transformer block: a \(weights.outputs)×\(weights.inputs) layer where \(outputs)×\(inputs) is needed")
        }
        check(query, block.attn.wq, inputs: width, outputs: width)
        check(key, block.attn.wk, inputs: width, outputs: width)
        check(value, block.attn.wv, inputs: width, outputs: width)
        check(output, block.attn.wo, inputs: width, outputs: width)
        check(widen, block.mlp.fc1, inputs: width, outputs: widen.outputs)
        check(narrow, block.mlp.fc2, inputs: widen.outputs, outputs: width)
        precondition(block.norm1.weight.count == width && block.norm2.weight.count == width,
                     "transformer block: layer norms of \(block.norm1.weight.count) and \(block.norm2.weight.count) for width \(width)")
        self.block = block
        (self.query, self.key, self.value, self.output, self.widen, self.narrow) = (query, key, value, output, widen, narrow)
    }

    /// `TransformerBlock.step` without a keep mask.
    func step(_ x: Tensor, causal: Bool, returnProbabilities: Bool) -> BlockStep {
        precondition(x.shape.last == query.inputs, "transformer block of width \(query.inputs) applied to \(x.shape)")
        let buffers = Buffers(x, hidden: widen.outputs)
        forEachRowRange(buffers.rows) { rows in
            normalize(rows, of: x, by: block.norm1, into: buffers.normalized)
            projectQueriesKeysValues(rows, buffers)
        }
        let attended = attend(buffers, causal: causal, returnProbabilities: returnProbabilities)
        forEachRowRange(buffers.rows) { rows in
            product(rows, attended.output, output, block.attn.wo, into: buffers.mixed, then: .adding(x.pointer))
            normalize(rows, of: buffers.mixed, by: block.norm2, into: buffers.normalized)
            product(rows, buffers.normalized, widen, block.mlp.fc1, into: buffers.hidden, then: .gelu)
            product(rows, buffers.hidden, narrow, block.mlp.fc2, into: buffers.result, then: .adding(buffers.mixed.pointer))
        }
        return BlockStep(output: buffers.result, key: buffers.keys, value: buffers.values,
                         probabilities: attended.probabilities)
    }

    /// The tensors one step writes, each with the rows of its input.
    struct Buffers {
        let rows: Int
        let normalized: Tensor, queries: Tensor, keys: Tensor, values: Tensor
        let mixed: Tensor, hidden: Tensor, result: Tensor

        init(_ x: Tensor, hidden width: Int) {
            rows = matrixRows(of: x)
            (normalized, queries, keys, values) = (Tensor.like(x), Tensor.like(x), Tensor.like(x), Tensor.like(x))
            (mixed, result) = (Tensor.like(x), Tensor.like(x))
            hidden = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [width])
        }
    }

    /// The query, key and value projections of `rows` of `buffers.normalized`.
    func projectQueriesKeysValues(_ rows: Range<Int>, _ buffers: Buffers) {
        product(rows, buffers.normalized, query, block.attn.wq, into: buffers.queries)
        product(rows, buffers.normalized, key, block.attn.wk, into: buffers.keys)
        product(rows, buffers.normalized, value, block.attn.wv, into: buffers.values)
    }

    /// The block's attention on the projected rows (split by heads).
    func attend(_ buffers: Buffers, causal: Bool, returnProbabilities: Bool) -> AttentionResult {
        attention(query: buffers.queries, key: buffers.keys, value: buffers.values, heads: block.attn.heads,
                  causal: causal, returnProbabilities: returnProbabilities)
    }

    /// Runs `body` on ranges of `0..<rows`, one per thread (fewer for few rows), in parallel.
    func forEachRowRange(_ rows: Int, _ body: (Range<Int>) -> Void) {
        Parallel.forEachRange(rows, minimumShare: Self.minimumRowsPerShare) { range, _ in body(range) }
    }

    /// `norm` on rows `rows` of `x`, into the same rows of `result`.
    func normalize(_ rows: Range<Int>, of x: Tensor, by norm: LayerNorm, into result: Tensor) {
        let width = norm.weight.count
        norm.normalize(rows.count, of: x.pointer + rows.lowerBound * width, into: result.pointer + rows.lowerBound * width)
    }

    /// `linear` (whose packed weights are `weights`) on rows `rows` of `x`, into the same rows of `result`.
    func product(_ rows: Range<Int>, _ x: Tensor, _ weights: PackedWeights, _ linear: Linear, into result: Tensor,
                 then epilogue: PackedProduct.Epilogue = .none) {
        PackedProduct(rows: matrixRows(of: x), x: x.pointer, weights: weights, bias: linear.bias?.pointer,
                      c: result.pointer, epilogue: epilogue).run(rows: rows)
    }
}
