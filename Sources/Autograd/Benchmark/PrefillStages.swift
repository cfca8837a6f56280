/// Where a prefill's time goes: the forward pass of the benchmark's block stack, stage by stage.
extension EngineBenchmark {
    /// The stages of one block's forward pass, in the order `stagedForward` runs them.
    public static let blockStages = ["layer norms", "query, key, value", "attention", "output projection",
                                     "residual adds", "MLP first product + GELU", "MLP second product"]

    /// For each token count: the median time (ms) of each of `blockStages` summed over the blocks of the
    /// `prefill` stack, and of the whole stack, all from the same runs (split as a prefill is).
    public static func prefillStages(_ configuration: BenchmarkConfiguration, tokens: [Int], repeats: Int,
                                     warmup: Int) -> [(tokens: Int, stages: [Double], whole: Double)] {
        precondition(repeats >= 1 && warmup >= 0, "need at least one timed run")
        var source = SplitMix64(seed: 1)
        let stack = TransformerStack(layers: configuration.layers, width: configuration.width,
                                     heads: configuration.heads, hidden: configuration.hidden, using: &source)
        let clock = ContinuousClock()
        return tokens.map { n in
            let x = Tensor(randomNormal: [n, configuration.width], using: &source)
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

    /// `block(x, causal:).output`, computed the same way, with each stage's time (ms) added to `times`
    /// (indexed as `blockStages`).
    static func stagedForward(_ block: TransformerBlock, _ x: Tensor, causal: Bool, times: inout [Double]) -> Tensor {
        let clock = ContinuousClock()
        func timed<T>(_ stage: Int, _ body: () -> T) -> T {
            var result: T? = nil
            times[stage] += 1e3 * clock.measure { result = body() }.seconds
            return result!
        }
        let h = timed(0) { block.norm1(x) }
        let (query, key, value) = timed(1) { block.attn.projections(h) }
        let attended = timed(2) { attention(query: query, key: key, value: value, heads: block.attn.heads, causal: causal) }
        let projected = timed(3) { block.attn.wo(attended.output) }
        let mixed = timed(4) { x + projected }
        let normalized = timed(0) { block.norm2(mixed) }
        let widened = timed(5) { linearGELU(normalized, weight: block.mlp.fc1.weight, bias: block.mlp.fc1.bias) }
        let narrowed = timed(6) { block.mlp.fc2(widened) }
        return timed(4) { mixed + narrowed }
    }
}
