import ArgumentParser
import Autograd
import Comparison
import Foundation
import TinyVLM

/// Options every grid-running command shares: where the model comes from, threads, resuming, sharding.
struct RunOptions: ParsableArguments {
    @Option(help: "Output directory (default: Reports/<preset or ablation name>).")
    var out: String?

    @Option(help: "Run only shard i of n of the grid (1-based, e.g. 2/4); combine shards with 'prune-bench merge'.")
    var shard: String?

    @Flag(help: "Continue the run in --out: skip units that already have results.")
    var resume = false

    @Option(help: "Directory with model.safetensors and config.json (default: the built-in model).")
    var weights: String?

    @Option(help: "Engine threads (default: all processors). Results do not depend on it; timings do.")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
        if let shard { _ = try Shard(parsing: shard) }
    }

    func loadModel() throws -> TinyVLM {
        if let threads { BLAS.setThreadCount(threads) }
        return try weights.map { try TinyVLM.load(from: URL(fileURLWithPath: $0)) } ?? BuiltInModel.load()
    }

    /// Prepares the directory, runs the pending units with a progress line, and writes the report when
    /// the run is complete.
    func execute(_ plan: ComparisonPlan, model: TinyVLM, defaultName: String) throws {
        let directory = RunDirectory(path: out ?? "Reports/\(defaultName)")
        let shard = try shard.map(Shard.init(parsing:))
        try directory.prepare(for: plan, resume: resume)
        let runner = try ComparisonRunner(plan: plan, directory: directory, model: model)
        var progress = RunProgress()
        try runner.run(shard: shard) { progress.handle($0) }
        let missing = try runner.pending().count
        guard missing == 0 else {
            StandardError.write("\(shard.map { "shard \($0): " } ?? "")\(plan.units.count - missing) of \(plan.units.count) units are done in \(directory.url.path); "
                                + "merge the shards with 'prune-bench merge DIR... --out DIR'\n")
            return
        }
        let analysis = try ReportWriter.write(directory)
        StandardError.write(ReportWriter.headline(analysis) + "\n")
        StandardError.write("wrote \(directory.url.path)/{summary.json,report.md,results.csv,report.tex,pareto.svg,cd.svg,index.html}\n")
    }
}

/// The progress line of a grid run: the unit in flight, units done of all, and the ETA.
struct RunProgress {
    private var line: ProgressLine?
    private var unit = ""
    private var index = 0, count = 0
    private var training: ProgressLine?

    mutating func handle(_ event: ComparisonRunner.Event) {
        switch event {
        case .unitStarted(let started, let index, let count):
            (unit, self.index, self.count) = (started.key, index, count)
            training = nil
        case .training(let step, let steps, let loss):
            if training == nil { training = ProgressLine("  train \(unit)", total: steps) }
            training!.update(step, detail: String(format: "loss %.3f", loss))
        case .items(let done, let total):
            // One line across the whole run: units done plus the share of the current one.
            if line == nil { line = ProgressLine("compare", total: count * total) }
            line!.update(index * total + done, detail: "unit \(index + 1)/\(count) \(unit)")
        case .unitFinished:
            break
        }
    }
}
