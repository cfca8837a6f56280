/// Where a prefill's time goes: the forward pass of the benchmark's block stack, stage by stage.
extension EngineBenchmark {
    /// The stages of one block's forward pass, in the order `stagedForward` first meets them.
    enum BlockStage: Int, CaseIterable {
        case layerNorms, queryKeyValue, attention, outputProjection, mlpFirstProduct, mlpSecondProduct

        var name: String {
            switch self {
            case .layerNorms: "layer norms"
            case .queryKeyValue: "query, key, value"
            case .attention: "attention"
            case .outputProjection: "output projection + residual"
            case .mlpFirstProduct: "MLP first product + GELU"
            case .mlpSecondProduct: "MLP second product + residual"
            }
        }
    }

    /// The names of the stages `prefillStages` reports, in its order.
    public static let blockStages = BlockStage.allCases.map(\.name)

    /// For each token count: the median time (ms) of each of `blockStages` summed over the blocks of the
    /// `prefill` stack, and of the whole stack, all from the same runs (each stage a hand-off of its own).
    public static func prefillStages(_ configuration: BenchmarkConfiguration, tokens: [Int], repeats: Int,
                                     warmup: Int) -> [(tokens: Int, stages: [Double], whole: Double)] {
        precondition(repeats >= 1 && warmup >= 0, "need at least one timed run")
        let (stack, inputs) = prefillStack(configuration, tokens: tokens)
        let clock = ContinuousClock()
        return zip(tokens, inputs).map { n, x in
            var stages = [[Double]](repeating: [], count: blockStages.count), whole = [Double]()
            for run in 0..<(warmup + repeats) {
                var times = [Double](repeating: 0, count: blockStages.count)
                let start = clock.now
                BLAS.latencyBound {
                    withoutGradient { _ = stack.layers.reduce(x) { stagedForward($1, $0, causal: true, times: &times) } }
                }
                guard run >= warmup else { continue }
                whole.append(1e3 * (clock.now - start).seconds)
                for stage in times.indices { stages[stage].append(times[stage]) }
            }
            return (n, stages.map(median), median(whole))
        }
    }

    /// `block(x, causal:).output` at inference, computed the same way but with each stage on its own (split
    /// by rows into even shares, the later ones shorter under a causal mask, where the prefill gives its
    /// threads shares of equal cost through all the blocks at once, `RowWiseStack`; or, below
    /// `RowWiseBlock.minimumRows`, operation by operation as the block then runs), and its time (ms) added to
    /// `times` (indexed as `blockStages`). Run inside `BLAS.latencyBound` without gradients. A row may move
    /// between threads from stage to stage here, so the scratch has one share, without the page between
    /// the threads' rows that the prefill's has: the stage times are of that packed layout.
    static func stagedForward(_ block: TransformerBlock, _ x: Tensor, causal: Bool, times: inout [Double]) -> Tensor {
        let clock = ContinuousClock()
        func timed<T>(_ stage: BlockStage, _ body: () -> T) -> T {
            var result: T? = nil
            times[stage.rawValue] += 1e3 * clock.measure { result = body() }.seconds
            return result!
        }
        guard let rowWise = RowWiseBlock(block, rows: matrixRows(of: x)) else {
            let h = timed(.layerNorms) { block.norm1(x) }
            let (query, key, value) = timed(.queryKeyValue) { block.attn.projections(h) }
            let attended = timed(.attention) {
                attention(query: query, key: key, value: value, heads: block.attn.heads, causal: causal)
            }
            let mixed = timed(.outputProjection) { block.attn.wo(attended.output, adding: x) }
            let normalized = timed(.layerNorms) { block.norm2(mixed) }
            let widened = timed(.mlpFirstProduct) { block.mlp.fc1.gelu(normalized) }
            return timed(.mlpSecondProduct) { block.mlp.fc2(widened, adding: mixed) }
        }
        let buffers = rowWise.buffers(for: x, returnProbabilities: false,
                                      scratch: RowWiseBlock.Scratch(x, hidden: rowWise.widen.outputs, shares: 1))
        func byRows(_ stage: BlockStage, laterRowsCostMore: Bool = false, _ body: (Range<Int>) -> Void) {
            timed(stage) { rowWise.forEachRowRange(buffers.rows, laterRowsCostMore: laterRowsCostMore, body) }
        }
        let pass = RowWiseBlock.Pass(rowWise, on: x, buffers, share: 0)
        withExtendedLifetime(buffers) {
            byRows(.layerNorms) { pass.normalizeInput($0) }
            byRows(.queryKeyValue) { pass.projectQueriesKeysValues($0) }
            byRows(.attention, laterRowsCostMore: causal) { pass.attend($0, causal: causal) }
            byRows(.outputProjection) { pass.projectOutput($0) }
            byRows(.layerNorms) { pass.normalizeMixed($0) }
            byRows(.mlpFirstProduct) { pass.widen($0) }
            byRows(.mlpSecondProduct) { pass.narrow($0) }
        }
        return buffers.result
    }
}
