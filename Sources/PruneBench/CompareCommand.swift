import ArgumentParser
import Comparison
import Foundation
import TokenPruning

/// `prune-bench compare`: every method at every budget and seed, with significance tests and reports.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare pruners at several budgets and seeds: accuracy, speed, significance; writes a report.")

    @Option(help: "quick (≤ 3 min), default (what 'make report' runs) or full (more budgets and seeds, always trains).")
    var preset: ComparisonPreset = .default

    @Option(help: "Comma-separated pruners (default: every registered one; see 'prune-bench methods').")
    var methods: String?

    @Option(help: "Comma-separated keep ratios in (0, 1] (default: the preset's, e.g. 0.333,0.222,0.111).")
    var keepRatios: String?

    @Option(help: "Number of seeds, 0..N-1 (default: the preset's).")
    var seeds: Int?

    @Option(help: "Test items per task family, 2...600 (default: the preset's).")
    var itemsPerFamily: Int?

    @Flag(help: "Train learnable pruners even when shipped or cached weights exist.")
    var retrain = false

    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1 (got \(seeds))") }
        _ = try ratios()
    }

    func ratios() throws -> [Double] {
        guard let keepRatios else { return preset.keepRatios }
        return try KeepRatios.parse(keepRatios, option: "--keep-ratios")
    }

    func run() throws {
        let model = try runOptions.loadModel()
        let names = methods.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            ?? PrunerRegistry.shared.names
        let plan = try ComparisonPlan(
            kind: .comparison, name: preset.rawValue, methods: try names.map { try MethodSpec(pruner: $0) },
            keepRatios: try ratios(), seeds: (0..<UInt64(seeds ?? preset.seeds)).map { $0 },
            itemsPerFamily: itemsPerFamily ?? preset.itemsPerFamily, timing: preset.timing,
            bootstrapResamples: preset.bootstrapResamples, retrain: retrain || preset.retrain,
            model: model.weightsFingerprint, configuration: model.configuration)
        try runOptions.execute(plan, model: model, defaultName: preset.rawValue)
    }
}

extension ComparisonPreset: ExpressibleByArgument {}

/// `prune-bench ablate`: named variants of a method, each tested against the first.
struct AblateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ablate", abstract: "Run an ablation (variants of a method from a YAML or JSON file) with significance tests.")

    @Option(help: "The ablation file (.yaml, .yml or .json); see Examples/diffprune-ablation.yaml.")
    var config: String

    @Flag(help: "Train learnable pruners even when shipped or cached weights exist.")
    var retrain = false

    @OptionGroup var runOptions: RunOptions

    func run() throws {
        let ablation = try AblationConfig(contentsOf: URL(fileURLWithPath: config))
        let model = try runOptions.loadModel()
        let preset = ComparisonPreset.default
        let plan = try ComparisonPlan(
            kind: .ablation, name: ablation.name,
            methods: try ablation.variants.map { try MethodSpec(label: $0.name, pruner: $0.method, options: $0.options) },
            reference: ablation.variants[0].name, keepRatios: ablation.keepRatios,
            seeds: (0..<UInt64(ablation.seeds)).map { $0 }, itemsPerFamily: ablation.itemsPerFamily, timing: preset.timing,
            bootstrapResamples: preset.bootstrapResamples, retrain: retrain,
            model: model.weightsFingerprint, configuration: model.configuration)
        try runOptions.execute(plan, model: model, defaultName: "ablation-\(ablation.name)")
    }
}

/// `prune-bench merge`: shard outputs → one run (and its report, when complete).
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Combine the shard directories of one run into one, and report it when complete.")

    @Argument(help: "Shard output directories.")
    var directories: [String]

    @Option(help: "The merged run's directory.")
    var out: String

    func validate() throws {
        guard !directories.isEmpty else { throw ValidationError("give at least one shard directory") }
    }

    func run() throws {
        let target = RunDirectory(path: out)
        let count = try RunMerger.merge(directories.map { RunDirectory(path: $0) }, into: target)
        let plan = try target.readPlan()
        guard count == plan.units.count else {
            StandardError.write("merged \(count) of \(plan.units.count) units into \(out); the report needs the rest\n")
            return
        }
        let analysis = try ReportWriter.write(target)
        StandardError.write(ReportWriter.headline(analysis) + "\nwrote the merged run and its report to \(out)\n")
    }
}

/// `prune-bench report`: rebuild the report files from a run's raw results.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Rebuild a run's report files from its raw results (plan.json, units/).")

    @Argument(help: "The run directory.")
    var directory: String

    func run() throws {
        let analysis = try ReportWriter.write(RunDirectory(path: directory))
        StandardError.write(ReportWriter.headline(analysis) + "\nrebuilt the report in \(directory)\n")
    }
}
