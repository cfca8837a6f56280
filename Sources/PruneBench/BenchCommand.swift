import ArgumentParser
import Autograd
import Foundation
import TinyVLM

/// `prune-bench bench`: times the tensor engine on the built-in model's shapes.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the tensor engine: no-gradient prefill, pruner overhead, one training step, a large sgemm.",
        subcommands: [PrefillBench.self, PrunerBench.self, TrainStepBench.self, SgemmBench.self])
}

/// Options every benchmark shares: threading, repetition, output, and the model's dimensions.
struct BenchOptions: ParsableArguments {
    @Option(help: "Engine threads (default: all processors). Results do not depend on it.")
    var threads: Int?
    @Option(help: "Timed runs; the median is reported.")
    var repeats = 30
    @Option(help: "Untimed runs before timing.")
    var warmup = 5
    @Flag(help: "Print one JSON object on stdout; human-readable output goes to stderr.")
    var json = false
    @Option(name: .customLong("d-model"), help: "Model width.")
    var dModel = 128
    @Option(help: "Attention heads.")
    var heads = 4
    @Option(name: .customLong("d-ff"), help: "MLP hidden width.")
    var dFF = 512

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1 (got \(repeats))") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative (got \(warmup))") }
        guard dModel >= 1, heads >= 1, dFF >= 1 else { throw ValidationError("--d-model, --heads and --d-ff must be at least 1") }
        guard dModel % heads == 0 else { throw ValidationError("--d-model \(dModel) is not divisible by --heads \(heads)") }
    }

    /// Applies the thread count and returns the configuration for these dimensions.
    func prepare() -> BenchmarkConfiguration {
        if let threads { BLAS.setThreadCount(threads) }
        var configuration = BenchmarkConfiguration()
        configuration.width = dModel
        configuration.heads = heads
        configuration.hidden = dFF
        return configuration
    }

    /// Prints `report` as JSON on stdout with `--json` (and `human` on stderr), else `human` on stdout.
    func emit(_ report: some Encodable, human: String) throws { try printReport(report, human: human, json: json) }
}

/// Prints `report` as JSON on stdout when `json` (and `human` on stderr), else `human` on stdout.
func printReport(_ report: some Encodable, human: String, json: Bool) throws {
    guard json else {
        print(human)
        return
    }
    FileHandle.standardError.write(Data((human + "\n").utf8))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(report), as: UTF8.self))
}

/// `bench prefill`: the built-in model's language-model prefill (batch 1, KV cache built) for given
/// visual-token counts, or with `--synthetic` a plain stack of blocks (the shape PyTorch is compared on).
struct PrefillBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prefill",
        abstract: "Median time of the built-in model's prefill (or, with --synthetic, of a stack of blocks).")

    @OptionGroup var options: BenchOptions
    @Option(help: "Comma-separated token counts: visual tokens kept for the model (default 16,32,48,144), sequence lengths with --synthetic (default 16,32,64,128,160).")
    var tokens: String?
    @Flag(help: "Time a stack of plain transformer blocks with --d-model/--heads/--d-ff instead of the model.")
    var synthetic = false
    @Option(help: "Transformer blocks in the --synthetic stack.")
    var layers = 4
    @Flag(help: "With --synthetic: also time each stage of a block (layer norms, products, attention, adds), summed over the blocks.")
    var stages = false

    private var tokenList: String { tokens ?? (synthetic ? "16,32,64,128,160" : "16,32,48,144") }

    /// The parsed `--tokens` list.
    var tokenCounts: [Int] { tokenList.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        let fields = tokenList.split(separator: ",", omittingEmptySubsequences: false)
        for field in fields {
            let text = field.trimmingCharacters(in: .whitespaces)
            guard let count = Int(text) else { throw ValidationError("--tokens: '\(text)' is not a whole number") }
            guard count >= 1 else { throw ValidationError("--tokens: every count must be at least 1 (got \(count))") }
        }
        guard layers >= 1 else { throw ValidationError("--layers must be at least 1 (got \(layers))") }
        if stages && !synthetic { throw ValidationError("--stages times the --synthetic stack; add --synthetic") }
        if !synthetic, let tooMany = tokenCounts.first(where: { $0 > TinyVLMConfiguration.standard.visualTokens }) {
            throw ValidationError("--tokens: the model has \(TinyVLMConfiguration.standard.visualTokens) visual tokens (got \(tooMany))")
        }
    }

    func run() throws {
        guard !synthetic else { return try runSynthetic() }
        _ = options.prepare()
        let model = try BenchmarkModel.load()
        let c = model.configuration
        // The unpruned prefill is always timed: every speedup is relative to it.
        let counts = tokenCounts.contains(c.visualTokens) ? tokenCounts : tokenCounts + [c.visualTokens]
        // What in-LLM pruning pays to see one layer's attention (attention-norm's default layer; in-LLM
        // pruning needs a layer after it, so a one-layer model has nothing to report).
        let layer = min(2, c.layers - 2)
        let measured = try ModelBenchmark.prefill(model, visualTokens: counts, exposingAttentionOf: layer >= 0 ? layer : nil,
                                                  repeats: options.repeats, warmup: options.warmup)
        let full = measured.timings.first { $0.tokens == c.visualTokens }!
        let results = measured.timings.indices.map { index -> PrefillReport.Result in
            let t = measured.timings[index], allocations = measured.allocations[index]
            let speedup = measured.speedups[index], flopsSpeedup = full.flops / t.flops
            return .init(tokens: t.tokens, median_ms: t.medianMilliseconds, gflops: t.gigaflopsPerSecond, flops: t.flops,
                         speedup: speedup, flops_speedup: flopsSpeedup, speedup_efficiency: speedup / flopsSpeedup,
                         buffers: allocations.buffers, fresh_bytes: allocations.freshBytes)
        }
        let exposure = measured.exposingAttention.map { layer, exposing, extra, share in
            PrefillReport.AttentionExposure(layer: layer, median_ms: exposing, extra_ms: extra, share: share)
        }
        let report = PrefillReport(
            config: .init(d_model: c.width, layers: c.layers, heads: c.heads, d_ff: c.hidden),
            threads: BLAS.threadCount, repeats: options.repeats, warmup: options.warmup, results: results,
            attention_exposure: exposure, peak_rss_bytes: peakResidentBytes())
        let lines = results.map {
            String(format: "  visual tokens %4d  %8.3f ms  %6.1f GFLOP/s  %6.1f MFLOP  speedup %5.2f×  FLOP speedup %5.2f×  ratio %4.2f  %4d buffers, %d new bytes",
                   $0.tokens, $0.median_ms, $0.gflops, $0.flops! / 1e6, $0.speedup!, $0.flops_speedup!, $0.speedup_efficiency!,
                   $0.buffers!, $0.fresh_bytes!)
        } + (exposure.map { [String(format: "  returning layer %d's attention: %.3f ms (%+.3f ms, %+.1f%%)", $0.layer,
                                       $0.median_ms, $0.extra_ms, 100 * $0.share)] } ?? [])
        try options.emit(report, human: (["built-in model prefill (batch 1, KV cache), \(c.layers) layers, d=\(c.width), \(BLAS.threadCount) threads (median of \(options.repeats); buffers and new bytes per steady-state prefill)"] + lines).joined(separator: "\n"))
    }

    private func runSynthetic() throws {
        var configuration = options.prepare()
        configuration.layers = layers
        guard !stages else { return try runStages(configuration) }
        let timings = EngineBenchmark.prefill(configuration, tokens: tokenCounts, repeats: options.repeats, warmup: options.warmup)
        let report = PrefillReport(
            config: .init(d_model: configuration.width, layers: layers, heads: configuration.heads, d_ff: configuration.hidden),
            threads: BLAS.threadCount, repeats: options.repeats, warmup: options.warmup,
            results: timings.map { .init(tokens: $0.tokens, median_ms: $0.medianMilliseconds, gflops: $0.gigaflopsPerSecond,
                                         flops: $0.flops, speedup: nil, flops_speedup: nil, speedup_efficiency: nil,
                                         buffers: nil, fresh_bytes: nil) },
            attention_exposure: nil, peak_rss_bytes: peakResidentBytes())
        let lines = timings.map { String(format: "  tokens %5d  %9.3f ms  %7.1f GFLOP/s", $0.tokens, $0.medianMilliseconds, $0.gigaflopsPerSecond) }
        try options.emit(report, human: (["prefill, \(layers) layers, d=\(configuration.width), \(configuration.heads) heads, d_ff=\(configuration.hidden), \(BLAS.threadCount) threads (median of \(options.repeats))"] + lines).joined(separator: "\n"))
    }
}

extension PrefillBench {
    /// `--synthetic --stages`: each stage's median time, summed over the blocks, beside the whole stack's.
    private func runStages(_ configuration: BenchmarkConfiguration) throws {
        let measured = EngineBenchmark.prefillStages(configuration, tokens: tokenCounts, repeats: options.repeats,
                                                     warmup: options.warmup)
        let report = PrefillStagesReport(
            config: .init(d_model: configuration.width, layers: layers, heads: configuration.heads, d_ff: configuration.hidden),
            threads: BLAS.threadCount, repeats: options.repeats, warmup: options.warmup,
            results: measured.map { .init(tokens: $0.tokens, median_ms: $0.whole,
                                          stages_ms: Dictionary(uniqueKeysWithValues: zip(EngineBenchmark.blockStages, $0.stages))) })
        let lines = measured.flatMap { tokens, stages, whole in
            [String(format: "  tokens %5d  whole stack %9.3f ms", tokens, whole)]
                + zip(EngineBenchmark.blockStages, stages).map { String(format: "    %@ %8.3f ms (%4.1f%%)",
                                                                        $0.padding(toLength: 26, withPad: " ", startingAt: 0), $1, 100 * $1 / whole) }
        }
        try options.emit(report, human: (["prefill stages, \(layers) layers, d=\(configuration.width), \(configuration.heads) heads, d_ff=\(configuration.hidden), \(BLAS.threadCount) threads (medians of \(options.repeats); stages summed over the blocks)"] + lines).joined(separator: "\n"))
    }
}

/// `bench prefill --synthetic --stages --json` output.
struct PrefillStagesReport: Encodable {
    struct Result: Encodable {
        let tokens: Int, median_ms: Double
        let stages_ms: [String: Double]
    }
    let config: PrefillReport.Config
    let threads, repeats, warmup: Int
    let results: [Result]
}

/// `bench train-step`: one training step of the built-in model, or with `--synthetic` forward, backward
/// and AdamW on one pre-norm block.
struct TrainStepBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step",
        abstract: "Median time of one training step of the built-in model (or, with --synthetic, of one block).")

    @OptionGroup var options: BenchOptions
    @Option(help: "Sequence length (--synthetic only).")
    var tokens = 160
    @Option(help: "Sequences per step (default: 32 for the model, 1 with --synthetic).")
    var batch: Int?
    @Flag(help: "Time one plain transformer block with --d-model/--heads/--d-ff instead of the model.")
    var synthetic = false

    func validate() throws {
        guard tokens >= 1 else { throw ValidationError("--tokens must be at least 1 (got \(tokens))") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1 (got \(batch))") }
    }

    func run() throws {
        guard synthetic else { return try runModel() }
        let batch = self.batch ?? 1
        var configuration = options.prepare()
        configuration.tokens = tokens
        configuration.batch = batch
        let timing = EngineBenchmark.trainStep(configuration, repeats: options.repeats, warmup: options.warmup)
        let report = TrainStepReport(
            config: .init(d_model: configuration.width, heads: configuration.heads, d_ff: configuration.hidden, tokens: tokens, batch: batch),
            threads: BLAS.threadCount, repeats: options.repeats, warmup: options.warmup,
            median_ms: timing.medianMilliseconds, gflops: timing.gigaflopsPerSecond)
        try options.emit(report, human: String(
            format: "train step, d=%d, %d heads, d_ff=%d, %d×%d tokens, %d threads: %.3f ms (%.1f GFLOP/s, median of %d)",
            configuration.width, configuration.heads, configuration.hidden, batch, tokens, BLAS.threadCount,
            timing.medianMilliseconds, timing.gigaflopsPerSecond, options.repeats))
    }
}

extension TrainStepBench {
    private func runModel() throws {
        _ = options.prepare()
        let model = try BenchmarkModel.load()
        let c = model.configuration, batch = self.batch ?? 32
        let ms = ModelBenchmark.trainStep(model, batchSize: batch, repeats: options.repeats, warmup: options.warmup)
        let report = TrainStepReport(
            config: .init(d_model: c.width, heads: c.heads, d_ff: c.hidden, tokens: c.visualTokens, batch: batch),
            threads: BLAS.threadCount, repeats: options.repeats, warmup: options.warmup, median_ms: ms, gflops: nil)
        try options.emit(report, human: String(
            format: "built-in model training step, batch %d × %d visual tokens + question, %d threads: %.1f ms (median of %d)",
            batch, c.visualTokens, BLAS.threadCount, ms, options.repeats))
    }
}

/// The model the benchmarks time: the built-in weights when they are present, else a freshly
/// initialised model of the same architecture (the timing does not depend on the weights).
enum BenchmarkModel {
    static func load() throws -> TinyVLM {
        BuiltInModel.isAvailable ? try BuiltInModel.load() : TinyVLM(.standard, seed: 0)
    }
}

/// `bench sgemm`: a large square product through the engine against a direct OpenBLAS call.
struct SgemmBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgemm", abstract: "GFLOP/s of a square matmul through the engine and through cblas_sgemm directly.")

    @OptionGroup var options: BenchOptions
    @Option(help: "Matrix size n (an n×n by n×n product).")
    var size = 2048

    func validate() throws {
        guard size >= 1 else { throw ValidationError("--size must be at least 1 (got \(size))") }
    }

    func run() throws {
        _ = options.prepare()
        let (engine, direct) = EngineBenchmark.sgemm(size: size, repeats: options.repeats, warmup: options.warmup)
        let report = SgemmReport(size: size, threads: BLAS.threadCount, engine_gflops: engine, direct_gflops: direct, ratio: engine / direct)
        try options.emit(report, human: String(
            format: "sgemm %d³, %d threads: engine %.1f GFLOP/s, direct cblas_sgemm %.1f GFLOP/s (%.1f%%)",
            size, BLAS.threadCount, engine, direct, 100 * engine / direct))
    }
}

/// `bench prefill --json` output.
struct PrefillReport: Encodable {
    struct Config: Encodable { let d_model, layers, heads, d_ff: Int }
    /// Speedups are relative to the unpruned prefill (model only): measured (the median over rounds of the
    /// two times' ratio in each round), from FLOPs, and their ratio.
    /// `buffers`: tensor buffers one steady-state prefill takes; `fresh_bytes`: bytes of them newly
    /// allocated rather than recycled.
    struct Result: Encodable {
        let tokens: Int, median_ms: Double, gflops: Double
        let flops: Double?
        let speedup, flops_speedup, speedup_efficiency: Double?
        let buffers, fresh_bytes: Int?
    }
    /// The unpruned prefill when it also returns one layer's attention probabilities, and its extra cost
    /// in milliseconds and as a share (medians over rounds, each against the plain unpruned prefill of the
    /// same round).
    struct AttentionExposure: Encodable {
        let layer: Int, median_ms, extra_ms, share: Double
    }
    let config: Config
    let threads, repeats, warmup: Int
    let results: [Result]
    let attention_exposure: AttentionExposure?
    /// Peak resident memory of the whole process (Linux `ru_maxrss`).
    let peak_rss_bytes: Int
}

/// The process's peak resident set size in bytes.
func peakResidentBytes() -> Int {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024  // kilobytes on Linux
    #else
    getrusage(RUSAGE_SELF, &usage)
    return usage.ru_maxrss  // bytes on Darwin
    #endif
}

/// `bench train-step --json` output.
struct TrainStepReport: Encodable {
    struct Config: Encodable { let d_model, heads, d_ff, tokens, batch: Int }
    let config: Config
    let threads, repeats, warmup: Int
    let median_ms: Double
    /// Achieved rate (synthetic block only; the model's step mixes too many kinds of work to count).
    let gflops: Double?
}

/// `bench sgemm --json` output.
struct SgemmReport: Encodable {
    let size, threads: Int
    let engine_gflops, direct_gflops, ratio: Double
}
