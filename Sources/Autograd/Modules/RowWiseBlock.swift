/// A transformer block's forward pass at inference, split over the threads by rows rather than
/// operation by operation.
///
/// Split by operation, each product hands its output columns to the threads separately, and the next
/// product, which needs whole rows, reads half of its input from the other core; a small prefill also
/// pays a hand-off per operation. Split by rows, each thread takes the layer norm and the query, key and
/// value products of its own rows in one go (`Pass.prepareAttention`); then, once the keys and values its
/// queries see are ready, the attention of its rows' queries (every head), the output projection, the
/// layer norm, the MLP and the residual additions (`Pass.finish`), and the rows stay in its cache.
/// `RowWiseStack` runs the passes of consecutive blocks. Each value is computed by the same kernels as in
/// `TransformerBlock.operationStep` (the packed-weight product and the fused attention kernel, whose
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

    /// The buffers of this block's step on `x`, with its intermediates in `scratch`.
    func buffers(for x: Tensor, returnProbabilities: Bool, scratch: Scratch) -> Buffers {
        precondition(x.shape.last == query.inputs, "transformer block of width \(query.inputs) applied to \(x.shape)")
        precondition(scratch.shape == x.shape && scratch.hiddenWidth == widen.outputs,
                     "transformer block: scratch for \(scratch.shape) applied to \(x.shape)")
        return Buffers(x, heads: block.attn.heads, returnProbabilities: returnProbabilities, scratch: scratch)
    }

    /// The intermediates of a step, in one allocation (which a small prefill would otherwise pay for five
    /// or six times a block). A row's intermediates are written and read only by the pass that has the
    /// row through all of a block's stages, so the consecutive blocks of a `RowWiseStack` share one set,
    /// which stays in the caches.
    ///
    /// For a step split into `shares` shares of the rows, each share's rows of each buffer lie 4 KB after
    /// the previous share's, the first share's 4 KB after the memory before the scratch, and the last
    /// share's 4 KB before the next buffer, so that no two shares' rows, nor a share's and another
    /// allocation's, share a page. Packed contiguously, a thread's hardware prefetcher, which runs ahead
    /// of its reads within a page, fetched the first rows of the next thread's share, and the two cores
    /// passed those lines back and forth: nothing in the machine's fast spells, where the cores share a
    /// level 3, but in its slow ones, where they do not, 8 % of a 16-token prefill (and 15 % of a pass of
    /// `scripts/share_pages.c`, which also keeps its outputs a page apart).
    struct Scratch {
        /// Floats between consecutive shares' rows in a buffer: a 4 KB page.
        static let shareGap = 1024
        /// The input shape and MLP width the scratch is for, and how many shares it separates.
        let shape: [Int], hiddenWidth: Int, shares: Int
        /// Where share 0's rows of each buffer are addressed from (row `r` at `r` rows on); share `s`'s
        /// lie `s × shareOffset` floats further on.
        let normalized: UnsafeMutablePointer<Float>, queries: UnsafeMutablePointer<Float>
        let attended: UnsafeMutablePointer<Float>, mixed: UnsafeMutablePointer<Float>
        let hidden: UnsafeMutablePointer<Float>
        /// One block of attention probabilities `[tokens, tokens]` per batch item, which every head reuses
        /// (each thread writes only its own rows), for steps that do not return them.
        let probabilities: UnsafeMutablePointer<Float>
        let shareOffset: Int
        private let workspace: TensorStorage

        /// Scratch for steps on inputs shaped as `x` (`[batch,] tokens, width`) with MLPs `hidden` wide,
        /// split into `shares` shares of the rows.
        init(_ x: Tensor, hidden width: Int, shares: Int) {
            precondition(x.rank == 2 || x.rank == 3, "transformer block: input \(x.shape) must be [batch,] tokens, d")
            precondition(shares >= 1, "transformer block: scratch for \(shares) shares")
            (shape, hiddenWidth, self.shares) = (x.shape, width, shares)
            let gap = shares > 1 ? Self.shareGap : 0
            shareOffset = gap
            let rows = matrixRows(of: x), tokens = x.shape[x.rank - 2]
            let sizes = [x.count, x.count, x.count, x.count, rows * width, rows * tokens].map { $0 + shares * gap }
            let storage = TensorStorage(capacity: gap + sizes.reduce(0, +))
            let starts = sizes.indices.map { storage.base + gap + sizes[..<$0].reduce(0, +) }
            (normalized, queries, attended, mixed) = (starts[0], starts[1], starts[2], starts[3])
            (hidden, probabilities) = (starts[4], starts[5])
            workspace = storage
        }
    }

    /// The tensors one step writes, each with the rows of its input: those it returns (keys, values,
    /// output, and the probabilities when asked for), each with storage of its own, and its scratch.
    struct Buffers {
        let rows: Int
        let keys: Tensor, values: Tensor, result: Tensor
        let scratch: Scratch
        let attention: AttentionLayout
        /// The attention probabilities `[batch, heads, tokens, tokens]` (`[heads, tokens, tokens]` without
        /// a batch axis, as `attention` returns them) when they are returned; otherwise the scratch has them.
        let probabilities: Tensor?

        init(_ x: Tensor, heads: Int, returnProbabilities: Bool, scratch: Scratch) {
            rows = matrixRows(of: x)
            (keys, values, result) = (Tensor.like(x), Tensor.like(x), Tensor.like(x))
            attention = AttentionLayout(query: x, key: keys, value: values, heads: heads, keep: nil)
            self.scratch = scratch
            probabilities = returnProbabilities ? Tensor(uninitializedShape: attention.probabilityShape) : nil
        }

        /// What the step returns, once its pass has run on every row.
        var step: BlockStep { BlockStep(output: result, key: keys, value: values, probabilities: probabilities) }
    }

    /// Runs `body` on ranges of `0..<rows`, one per thread (fewer for few rows), in parallel. With
    /// `laterRowsCostMore` (causal attention: a later query sees more keys) a share that cannot be even
    /// gives its extra row to an earlier thread rather than a later one.
    func forEachRowRange(_ rows: Int, laterRowsCostMore: Bool = false, _ body: (Range<Int>) -> Void) {
        Parallel.forEachRange(rows, minimumShare: Self.minimumRowsPerShare, longerFirst: laterRowsCostMore) { range, _ in
            body(range)
        }
    }

    /// One step's stages on rows, with what they read and write as plain values (`PackedLayer`,
    /// `LayerNorm.RowKernel`, pointers into the buffers): the threads running them change no reference
    /// count (see `PackedMatrix`). Valid while the block, its input and the buffers live: callers keep
    /// them alive (`withExtendedLifetime`) while the threads run.
    struct Pass {
        let rows: Int
        let input: UnsafePointer<Float>
        let normalized: UnsafeMutablePointer<Float>, queries: UnsafeMutablePointer<Float>
        let keys: UnsafeMutablePointer<Float>, values: UnsafeMutablePointer<Float>
        let attended: UnsafeMutablePointer<Float>, mixed: UnsafeMutablePointer<Float>
        let hidden: UnsafeMutablePointer<Float>, result: UnsafeMutablePointer<Float>
        let probabilities: UnsafeMutablePointer<Float>, returnsProbabilities: Bool
        let attention: AttentionLayout
        let norm1: LayerNorm.RowKernel, norm2: LayerNorm.RowKernel
        let queryLayer: PackedLayer, keyLayer: PackedLayer, valueLayer: PackedLayer
        let outputLayer: PackedLayer, widenLayer: PackedLayer, narrowLayer: PackedLayer

        /// The pass of `block` on `x` into `buffers`, with share `share`'s place in the scratch. Every stage
        /// of a row must go through the same share's pass (its intermediates are where that pass put them);
        /// any share's pass may take any rows.
        init(_ block: RowWiseBlock, on x: Tensor, _ buffers: Buffers, share: Int) {
            let modules = block.block
            rows = buffers.rows
            input = UnsafePointer(x.pointer)
            let scratch = buffers.scratch, offset = share * scratch.shareOffset
            precondition(share >= 0 && share < scratch.shares, "transformer block: share \(share) of \(scratch.shares)")
            (normalized, queries, attended, mixed, hidden) = (scratch.normalized + offset, scratch.queries + offset,
                                                              scratch.attended + offset, scratch.mixed + offset,
                                                              scratch.hidden + offset)
            (keys, values, result) = (buffers.keys.pointer, buffers.values.pointer, buffers.result.pointer)
            probabilities = buffers.probabilities?.pointer ?? scratch.probabilities + offset
            returnsProbabilities = buffers.probabilities != nil
            attention = buffers.attention
            (norm1, norm2) = (modules.norm1.rowKernel, modules.norm2.rowKernel)
            queryLayer = PackedLayer(block.query, bias: modules.attn.wq.bias)
            keyLayer = PackedLayer(block.key, bias: modules.attn.wk.bias)
            valueLayer = PackedLayer(block.value, bias: modules.attn.wv.bias)
            outputLayer = PackedLayer(block.output, bias: modules.attn.wo.bias)
            widenLayer = PackedLayer(block.widen, bias: modules.mlp.fc1.bias)
            narrowLayer = PackedLayer(block.narrow, bias: modules.mlp.fc2.bias)
        }

        /// Everything of `rows` before their attention: the layer norm and the query, key and value products.
        func prepareAttention(_ rows: Range<Int>) {
            normalizeInput(rows)
            projectQueriesKeysValues(rows)
        }

        /// Everything of `rows` from their attention on, up to the block's output; the keys and values of
        /// every row their queries see must be ready.
        func finish(_ rows: Range<Int>, causal: Bool) {
            attend(rows, causal: causal)
            projectOutput(rows)
            normalizeMixed(rows)
            widen(rows)
            narrow(rows)
        }

        /// The first layer norm of `rows` of the input.
        func normalizeInput(_ rows: Range<Int>) { normalize(rows, of: input, by: norm1) }

        /// The query, key and value projections of `rows` of the normalised input.
        func projectQueriesKeysValues(_ rows: Range<Int>) {
            product(rows, normalized, queryLayer, into: queries)
            product(rows, normalized, keyLayer, into: keys)
            product(rows, normalized, valueLayer, into: values)
        }

        /// The attention of the queries of `rows`, every head; every row's keys and values must be ready.
        func attend(_ rows: Range<Int>, causal: Bool) {
            let layout = attention
            var row = rows.lowerBound
            while row < rows.upperBound {  // a batch item at a time
                let (b, first) = row.quotientAndRemainder(dividingBy: layout.queries)
                let itemQueries = first..<Swift.min(layout.queries, first + rows.upperBound - row)
                for h in 0..<layout.heads {
                    // Returned probabilities have a block per head; otherwise every head reuses its batch item's.
                    let block = returnsProbabilities ? b * layout.heads + h : b
                    layout.fusedHead(b, h, queries: itemQueries, query: queries, key: keys, value: values, causal: causal,
                                     probabilities: probabilities + block * layout.block, output: attended)
                }
                row += itemQueries.count
            }
        }

        /// The output projection of `rows` of the attention, plus the input (the residual connection).
        func projectOutput(_ rows: Range<Int>) { product(rows, attended, outputLayer, into: mixed, then: .adding(input)) }

        /// The second layer norm of `rows`.
        func normalizeMixed(_ rows: Range<Int>) { normalize(rows, of: mixed, by: norm2) }

        /// The MLP's first product of `rows`, with its GELU.
        func widen(_ rows: Range<Int>) { product(rows, normalized, widenLayer, into: hidden, then: .gelu) }

        /// The MLP's second product of `rows`, plus the attention's residual sum: the block's output.
        func narrow(_ rows: Range<Int>) { product(rows, hidden, narrowLayer, into: result, then: .adding(mixed)) }

        /// `norm` on rows `rows` of `x` (a matrix of the block's width), into the same rows of `normalized`.
        private func normalize(_ rows: Range<Int>, of x: UnsafePointer<Float>, by norm: LayerNorm.RowKernel) {
            norm.normalize(rows.count, of: x + rows.lowerBound * norm.width, into: normalized + rows.lowerBound * norm.width)
        }

        /// `layer` on rows `rows` of `x`, into the same rows of `c`.
        private func product(_ rows: Range<Int>, _ x: UnsafePointer<Float>, _ layer: PackedLayer,
                             into c: UnsafeMutablePointer<Float>, then epilogue: PackedProduct.Epilogue = .none) {
            layer.product(rows: self.rows, x: x, into: c, then: epilogue).run(rows: rows)
        }
    }
}
