import Autograd

/// The causal language model: question-token embeddings, learned positions, pre-norm decoder blocks and
/// an answer head read at the last position. Its input sequence is `[visual tokens; question tokens]`.
public final class LanguageModel: Module {
    public let configuration: TinyVLMConfiguration
    public let tokenEmbedding: Embedding
    public let positions: LearnedPositions
    public let layers: [TransformerBlock]
    public let norm: LayerNorm
    public let head: Linear
    /// Fixed 2D sinusoidal encodings added to the learned positions (not a parameter), if configured.
    let fixedPositions: Tensor?

    init(_ configuration: TinyVLMConfiguration, using source: inout some RandomSource) {
        let c = configuration
        self.configuration = c
        tokenEmbedding = Embedding(count: c.questionVocabulary, width: c.width, using: &source)
        positions = LearnedPositions(positions: c.maxPositions, width: c.width, using: &source)
        layers = (0..<c.layers).map { _ in
            TransformerBlock(width: c.width, heads: c.heads, hidden: c.hidden, using: &source)
        }
        norm = LayerNorm(width: c.width)
        head = Linear(inputs: c.width, outputs: c.answers, using: &source)
        fixedPositions = c.sinusoidalTable(width: c.width, rows: c.maxPositions)
    }

    public func namedParameters() -> [NamedParameter] {
        tokenEmbedding.namedParameters(prefix: "token_embedding") + positions.namedParameters(prefix: "positions")
            + layers.enumerated().flatMap { $1.namedParameters(prefix: "layers.\($0)") }
            + norm.namedParameters(prefix: "norm") + head.namedParameters(prefix: "head")
    }

    /// Position vectors for `ids`: learned rows plus the fixed sinusoidal ones.
    func positionRows(_ ids: [Int]) -> Tensor {
        let learned = positions(ids)
        guard let fixedPositions else { return learned }
        return learned + fixedPositions.gathered(ids, axis: 0)
    }

    /// A prefill's input rows, `concat([visual, tokenEmbedding(question)]) + positionRows(positionIDs)`: the
    /// same values, written in one pass without the five intermediate tensors. Not recorded: for the
    /// prefill, which runs without gradients.
    func promptRows(visual: Tensor, question: [Int], positionIDs: [Int]) -> Tensor {
        precondition(!GradientMode.isRecording, "promptRows records no gradients; run the prefill inside withoutGradient")
        let width = configuration.width, visualCount = visual.shape[0]
        precondition(visual.shape == [visualCount, width] && positionIDs.count == visualCount + question.count,
                     "prompt: visual \(visual.shape), \(question.count) question tokens, \(positionIDs.count) positions")
        precondition(question.allSatisfy { (0..<tokenEmbedding.weight.shape[0]).contains($0) }, "question token out of range")
        precondition(positionIDs.allSatisfy { (0..<positions.weight.shape[0]).contains($0) }, "position id out of range")
        // Without the sinusoidal table, its place is taken by the learned one and left out of the sum.
        let fixed = fixedPositions ?? positions.weight, withFixed = fixedPositions != nil
        return Tensor(shape: [positionIDs.count, width]) { rows in
            visual.withUnsafeBufferPointer { visual in
                tokenEmbedding.weight.withUnsafeBufferPointer { embedding in
                    positions.weight.withUnsafeBufferPointer { learned in
                        fixed.withUnsafeBufferPointer { fixed in
                            for (row, id) in positionIDs.enumerated() {
                                let token = row < visualCount ? visual.baseAddress! + row * width
                                    : embedding.baseAddress! + question[row - visualCount] * width
                                let target = rows.baseAddress! + row * width, position = id * width
                                for c in 0..<width { target[c] = learned[position + c] }
                                if withFixed { for c in 0..<width { target[c] = target[c] + fixed[position + c] } }
                                for c in 0..<width { target[c] = token[c] + target[c] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Position id of question token `j`: after every visual position, whatever was pruned.
    func questionPosition(_ j: Int) -> Int { configuration.visualTokens + j }

    // MARK: Batched forward (training and batch evaluation)

    /// Answer logits `[batch, answers]` for a batch of equally many visual tokens per item.
    ///
    /// - `visual`: `[batch, K, width]` projected visual tokens; `visualPositions[b]` their position ids.
    /// - `questions[b]`: token ids, right-padded to a common length; `questionLengths[b]` the real length.
    ///   Padding sits after the last real token, which the causal mask hides from it.
    /// - `keep`: an optional soft or hard keep mask `[batch, K]` on the visual tokens, applied in every
    ///   layer's attention as DynamicViT does (a masked token stays in the sequence but is not attended to).
    public func answerLogits(visual: Tensor, visualPositions: [[Int]], questions: [[Int]],
                             questionLengths: [Int], keep: Tensor? = nil) -> Tensor {
        let batch = visual.shape[0], kept = visual.shape[1], width = configuration.width
        let questionLength = questions[0].count
        precondition(questions.allSatisfy { $0.count == questionLength }, "questions must be padded to one length")
        precondition(questionLength <= configuration.maxQuestionTokens, "question longer than the position table")
        let visualIn = visual + positionRows(visualPositions.flatMap { $0 }).reshaped([batch, kept, width])
        let text = tokenEmbedding(questions.flatMap { $0 }).reshaped([batch, questionLength, width])
            + positionRows((0..<questionLength).map(questionPosition))
        var x = concat([visualIn, text], axis: 1)
        let mask = keep.map { concat([$0, Tensor(repeating: 1, shape: [batch, questionLength])], axis: 1) }
        for layer in layers { x = layer(x, causal: true, keep: mask).output }
        let sequence = kept + questionLength
        let last = questionLengths.enumerated().map { b, length in b * sequence + kept + length - 1 }
        let finals = norm(x.reshaped([batch * sequence, width]).gathered(last, axis: 0))
        return head(finals)
    }

    /// `answerLogits` that also returns, for each layer in `pointerLayers`, the log attention
    /// probabilities `[batch, sequence]` of head `pointerHead` from each item's last question token over
    /// the keys it can see (training-only grounding supervision; same computation as the real attention
    /// head, recomputed differentiably). The key index of visual token `i` is `i`.
    public func answerLogitsWithPointers(visual: Tensor, visualPositions: [[Int]], questions: [[Int]],
                                         questionLengths: [Int], pointerLayers: Set<Int>, pointerHeads: [Int],
                                         textPointer: (layer: Int, head: Int)? = nil)
        -> (logits: Tensor, pointers: [[Tensor]], text: Tensor?) {
        let batch = visual.shape[0], kept = visual.shape[1], width = configuration.width
        let questionLength = questions[0].count
        let visualIn = visual + positionRows(visualPositions.flatMap { $0 }).reshaped([batch, kept, width])
        let text = tokenEmbedding(questions.flatMap { $0 }).reshaped([batch, questionLength, width])
            + positionRows((0..<questionLength).map(questionPosition))
        var x = concat([visualIn, text], axis: 1)
        let sequence = kept + questionLength
        let last = questionLengths.enumerated().map { b, length in b * sequence + kept + length - 1 }
        let headWidth = width / configuration.heads
        var visible = [Float](repeating: 0, count: batch * sequence)
        for (b, length) in questionLengths.enumerated() { for j in 0..<(kept + length) { visible[b * sequence + j] = 1 } }
        let mask = Tensor(shape: [batch, 1, sequence], values: visible)
        var pointers: [[Tensor]] = []
        var textPointerResult: Tensor? = nil
        for (index, layer) in layers.enumerated() {
            if let textPointer, textPointer.layer == index {
                let h = layer.norm1(x)
                let columns = (textPointer.head * headWidth)..<((textPointer.head + 1) * headWidth)
                let query = layer.attn.wq(h.reshaped([batch * sequence, width]).gathered(last, axis: 0))
                    .sliced(axis: 1, columns).reshaped([batch, 1, headWidth])
                let key = layer.attn.wk(h).sliced(axis: 2, columns)
                let scores = matmul(query, key, transposeB: true) * (1 / Float(headWidth).squareRoot())
                textPointerResult = logSoftmax(scores, mask: .boolean(mask)).reshaped([batch, sequence])
            }
            if pointerLayers.contains(index) {
                let h = layer.norm1(x)
                let queries = layer.attn.wq(h.reshaped([batch * sequence, width]).gathered(last, axis: 0))
                let keys = layer.attn.wk(h)
                pointers.append(pointerHeads.map { pointerHead in
                    let columns = (pointerHead * headWidth)..<((pointerHead + 1) * headWidth)
                    let query = queries.sliced(axis: 1, columns).reshaped([batch, 1, headWidth])
                    let key = keys.sliced(axis: 2, columns)
                    let scores = matmul(query, key, transposeB: true) * (1 / Float(headWidth).squareRoot())
                    return logSoftmax(scores, mask: .boolean(mask)).reshaped([batch, sequence])
                })
            }
            x = layer(x, causal: true).output
        }
        let finals = norm(x.reshaped([batch * sequence, width]).gathered(last, axis: 0))
        return (head(finals), pointers, textPointerResult)
    }

    // MARK: Prefill (batch 1, KV cache)

    /// Pruning inside the language model (FastV-style): after `layer` has run on the full sequence, `select`
    /// sees that layer's attention probabilities `[heads, S, S]` and returns the visual tokens to keep
    /// (indices into the current visual tokens, ascending); later layers see only those.
    public struct InLayerPruning {
        public let layer: Int
        public let select: (LayerState) throws -> [Int]

        public init(layer: Int, select: @escaping (LayerState) throws -> [Int]) {
            self.layer = layer
            self.select = select
        }
    }

    /// What an in-LLM pruner sees after its layer: attention probabilities `[heads, S, S]`, the layer's
    /// values `[S, width]`, and how many of the S tokens are visual (they come first).
    public struct LayerState {
        public let attention: Tensor
        public let values: Tensor
        public let visualCount: Int
        public let heads: Int
    }

    /// Result of a prefill: answer logits at the last position, the KV cache, and the attention of the
    /// layer that was asked for.
    public struct PrefillResult {
        public let logits: [Float]
        public let cache: KVCache
        public let attention: Tensor?
        /// Visual tokens kept after in-LLM pruning (indices into the input visual tokens), if any.
        public let keptAfterLayer: [Int]?
    }

    /// Runs the prompt `[visual; question]` through every layer, keeping keys and values.
    /// `visual` is `[K, width]` with position ids `visualPositions`. Run it inside `withoutGradient`.
    /// Batch-1 and latency-bound, so its products are split finer over the threads (`BLAS.latencyBound`).
    public func prefill(visual: Tensor, visualPositions: [Int], question: [Int], attentionLayer: Int? = nil,
                        pruning: InLayerPruning? = nil) throws -> PrefillResult {
        try BLAS.latencyBound {
            try prefillLayers(visual: visual, visualPositions: visualPositions, question: question,
                              attentionLayer: attentionLayer, pruning: pruning)
        }
    }

    private func prefillLayers(visual: Tensor, visualPositions: [Int], question: [Int], attentionLayer: Int?,
                               pruning: InLayerPruning?) throws -> PrefillResult {
        precondition(question.count <= configuration.maxQuestionTokens, "question longer than the position table")
        if let pruning, !(0..<(layers.count - 1)).contains(pruning.layer) {
            throw TinyVLMError.invalidPruningLayer(pruning.layer, layers: layers.count)
        }
        var positionIDs = visualPositions + (0..<question.count).map(questionPosition)
        var x = promptRows(visual: visual, question: question, positionIDs: positionIDs)
        var visualCount = visualPositions.count
        var cache = KVCache()
        var requestedAttention: Tensor? = nil
        var kept: [Int]? = nil
        // The layers up to in-LLM pruning's (which needs that layer's whole output), then the rest, each run
        // in one go (`TransformerBlock.steps`: one hand-off to the threads for all of them).
        let runs = pruning.map { [0..<($0.layer + 1), ($0.layer + 1)..<layers.count] } ?? [layers.indices]
        for run in runs {
            let steps = TransformerBlock.steps(layers[run], x, causal: true) {
                run.lowerBound + $0 == attentionLayer || run.lowerBound + $0 == pruning?.layer
            }
            for (index, step) in zip(run, steps) {
                cache.keys.append(step.key)
                cache.values.append(step.value)
                cache.positions.append(positionIDs)
                if index == attentionLayer { requestedAttention = step.probabilities }
            }
            guard let step = steps.last else { continue }  // a model without layers
            x = step.output
            if let pruning, run.upperBound == pruning.layer + 1 {
                let selection = try pruning.select(LayerState(attention: step.probabilities!, values: step.value,
                                                              visualCount: visualCount, heads: layers[pruning.layer].attn.heads))
                let rows = selection + (visualCount..<positionIDs.count)
                x = x.gathered(rows, axis: 0)
                positionIDs = rows.map { positionIDs[$0] }
                visualCount = selection.count
                kept = selection
            }
        }
        let logits = head(norm(x.sliced(axis: 0, (x.shape[0] - 1)..<x.shape[0])))
        return PrefillResult(logits: logits.values, cache: cache, attention: requestedAttention, keptAfterLayer: kept)
    }
}
