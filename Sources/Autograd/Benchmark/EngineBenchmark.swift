import CBLAS

/// Model dimensions for the engine benchmarks (defaults: the built-in model's provisional sizes).
public struct BenchmarkConfiguration: Sendable {
    public var width = 128, heads = 4, hidden = 512, layers = 4, tokens = 160, batch = 1
    public init() {}

    /// Floating-point operations of one block's causal forward pass over `tokens` tokens, at inference
    /// (`causalPairsOnly`) or in training (see `TransformerBlock.forwardFLOPs`).
    public func blockForwardFLOPs(tokens n: Int, causalPairsOnly: Bool) -> Double {
        TransformerBlock.forwardFLOPs(tokens: n, width: width, hidden: hidden, causalPairsOnly: causalPairsOnly)
    }
}

/// One timed configuration: the median time and the rate it implies.
public struct BenchmarkTiming: Sendable {
    public let tokens: Int
    public let medianMilliseconds: Double
    /// Floating-point operations of one timed run, from the architecture.
    public let flops: Double

    public init(tokens: Int, medianMilliseconds: Double, flops: Double) {
        self.tokens = tokens
        self.medianMilliseconds = medianMilliseconds
        self.flops = flops
    }

    public var gigaflopsPerSecond: Double { flops / medianMilliseconds / 1e6 }
}

/// The engine's benchmarks: prefill through a block stack, one training step, and a large sgemm.
/// Weights and inputs come from `SplitMix64` with a fixed seed, so every run computes the same thing.
public enum EngineBenchmark {
    /// No-gradient causal forward passes through `configuration.layers` blocks, for each token count,
    /// split as a prefill is (`BLAS.latencyBound`).
    public static func prefill(
        _ configuration: BenchmarkConfiguration, tokens: [Int], repeats: Int, warmup: Int
    ) -> [BenchmarkTiming] {
        let (stack, inputs) = prefillStack(configuration, tokens: tokens)
        // Interleaved, so that ratios between token counts are not skewed by the machine's drift.
        let medians = medianMilliseconds(interleaving: inputs.map { x in
            { BLAS.latencyBound { withoutGradient { _ = stack(x, causal: true) } } }
        }, repeats: repeats, warmup: warmup)
        return zip(tokens, medians).map { n, ms in
            BenchmarkTiming(tokens: n, medianMilliseconds: ms,
                            flops: Double(configuration.layers) * configuration.blockForwardFLOPs(tokens: n, causalPairsOnly: true))
        }
    }

    /// The block stack the prefill benchmarks time and one input `[n, width]` per token count, drawn from
    /// a fixed seed so that every run computes the same thing.
    static func prefillStack(_ configuration: BenchmarkConfiguration, tokens: [Int]) -> (TransformerStack, [Tensor]) {
        var source = SplitMix64(seed: 1)
        let stack = TransformerStack(layers: configuration.layers, width: configuration.width,
                                     heads: configuration.heads, hidden: configuration.hidden, using: &source)
        return (stack, tokens.map { n in Tensor(randomNormal: [n, configuration.width], using: &source) })
    }

    /// One training step of a single pre-norm block on `[batch, tokens, width]`: forward (causal), a
    /// mean-squared-error loss against a fixed target, backward, and an AdamW update. The rate counts
    /// 3× the forward FLOPs (backward ≈ twice the forward).
    public static func trainStep(_ configuration: BenchmarkConfiguration, repeats: Int, warmup: Int) -> BenchmarkTiming {
        var source = SplitMix64(seed: 2)
        let block = TransformerBlock(width: configuration.width, heads: configuration.heads,
                                     hidden: configuration.hidden, using: &source)
        let shape = [configuration.batch, configuration.tokens, configuration.width]
        let x = Tensor(randomNormal: shape, using: &source), target = Tensor(randomNormal: shape, using: &source)
        let optimizer = AdamW(parameters: block.namedParameters(), learningRate: 1e-4)
        let ms = medianMilliseconds(repeats: repeats, warmup: warmup) {
            optimizer.zeroGradients()
            let difference = block(x, causal: true).output - target
            (difference * difference).mean().backward()
            optimizer.step()
        }
        let flops = 3 * Double(configuration.batch) * configuration.blockForwardFLOPs(tokens: configuration.tokens, causalPairsOnly: false)
        return BenchmarkTiming(tokens: configuration.tokens, medianMilliseconds: ms, flops: flops)
    }

    /// GFLOP/s of a `size`³ product through `matmul` and through a direct `cblas_sgemm` call on the same
    /// operands, OpenBLAS then running its own threading with the engine's thread count.
    public static func sgemm(size: Int, repeats: Int, warmup: Int) -> (engine: Double, direct: Double) {
        var source = SplitMix64(seed: 3)
        let a = Tensor(randomNormal: [size, size], using: &source), b = Tensor(randomNormal: [size, size], using: &source)
        let c = Tensor(zeros: [size, size])
        let flops = 2 * Double(size) * Double(size) * Double(size)
        let engine = medianMilliseconds(repeats: repeats, warmup: warmup) { withoutGradient { _ = matmul(a, b) } }
        openblas_set_num_threads(Int32(BLAS.threadCount))
        defer { openblas_set_num_threads(1) }
        let direct = medianMilliseconds(repeats: repeats, warmup: warmup) {
            let n = Int32(size)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a.pointer, n, b.pointer, n, 0, c.pointer, n)
        }
        return (flops / engine / 1e6, flops / direct / 1e6)
    }
}
