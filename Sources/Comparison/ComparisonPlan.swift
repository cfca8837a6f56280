import Foundation
import Statistics
import SyntheticVQA
import TinyVLM

/// Everything that determines a run's results: methods, budgets, seeds, test items, the model, and how
/// timings and intervals are taken. Stored as `plan.json` in the run directory; `--resume` and `merge`
/// accept only a directory whose plan is identical.
public struct ComparisonPlan: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case comparison, ablation }

    /// How prefill and pruner times are measured: `items` items spread over the test split, each timed
    /// `repeats` times after `warmup` untimed runs; the median is reported.
    public struct Timing: Codable, Sendable, Equatable {
        public var items: Int
        public var repeats: Int
        public var warmup: Int
        public init(items: Int, repeats: Int, warmup: Int) {
            self.items = items
            self.repeats = repeats
            self.warmup = warmup
        }
    }

    public var kind: Kind
    /// The preset or ablation name; names the default output directory.
    public var name: String
    public var methods: [MethodSpec]
    /// Label of the method every other one is tested against (DiffPrune, or an ablation's first variant).
    public var reference: String
    public var keepRatios: [Double]
    public var seeds: [UInt64]
    /// Test items per task family (the first ones of the fixed test split).
    public var itemsPerFamily: Int
    public var timing: Timing
    public var bootstrapResamples: Int
    /// Train learnable pruners even when shipped or cached weights exist.
    public var retrain: Bool
    /// `TinyVLM.weightsFingerprint` of the model, and its architecture.
    public var model: String
    public var configuration: TinyVLMConfiguration

    public init(kind: Kind, name: String, methods: [MethodSpec], reference: String? = nil, keepRatios: [Double],
                seeds: [UInt64], itemsPerFamily: Int, timing: Timing, bootstrapResamples: Int, retrain: Bool,
                model: String, configuration: TinyVLMConfiguration) throws {
        self.kind = kind
        self.name = name
        self.methods = methods
        self.reference = reference ?? (methods.first { $0.label == "diffprune" } ?? methods.first { !$0.isReference })?.label ?? ""
        self.keepRatios = keepRatios
        self.seeds = seeds
        self.itemsPerFamily = itemsPerFamily
        self.timing = timing
        self.bootstrapResamples = bootstrapResamples
        self.retrain = retrain
        self.model = model
        self.configuration = configuration
        try validate()
    }

    /// Checks the plan; every problem is a `ComparisonError.invalidPlan` naming it.
    public func validate() throws {
        func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
            if !condition { throw ComparisonError.invalidPlan(message()) }
        }
        try require(!methods.isEmpty, "no methods to compare")
        let labels = methods.map(\.label)
        try require(Set(labels).count == labels.count, "method labels repeat: \(labels.joined(separator: ", "))")
        for label in labels {
            try require(!label.isEmpty && label.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
                        && label != MethodSpec.unprunedLabel,
                        "'\(label)' cannot label a method (letters, digits, '-', '_' and '.' only; not '\(MethodSpec.unprunedLabel)')")
        }
        try require(methods.contains { $0.label == reference && !$0.isReference },
                    "the reference method '\(reference)' is not among the compared methods")
        try require(!keepRatios.isEmpty, "no keep ratios")
        for ratio in keepRatios {
            try require(ratio > 0 && ratio <= 1, "keep ratio \(ratio) is outside (0, 1]")
        }
        try require(Set(keepTokens).count == keepRatios.count,
                    "keep ratios \(keepRatios.map { "\($0)" }.joined(separator: ", ")) give repeated token budgets \(keepTokens)")
        try require(!seeds.isEmpty && Set(seeds).count == seeds.count, "seeds must be distinct and at least one")
        try require(itemsPerFamily >= 2 && itemsPerFamily <= TaskSuite.defaultTestItemsPerFamily,
                    "items per family must be in 2...\(TaskSuite.defaultTestItemsPerFamily), got \(itemsPerFamily)")
        try require(timing.items >= 1 && timing.repeats >= 1 && timing.warmup >= 0, "timing needs at least one timed run")
        try require(bootstrapResamples >= 100, "at least 100 bootstrap resamples, got \(bootstrapResamples)")
    }

    public var visualTokens: Int { configuration.visualTokens }

    /// Tokens kept at each keep ratio: K = round(ratio · N), at least 1.
    public var keepTokens: [Int] { keepRatios.map(budget) }

    public func budget(_ ratio: Double) -> Int { Self.budget(ratio, visualTokens: visualTokens) }

    /// Visual tokens kept at `ratio` of `visualTokens`: the nearest whole number, at least 1.
    public static func budget(_ ratio: Double, visualTokens: Int) -> Int {
        ratio >= 1 ? visualTokens : max(1, Int((ratio * Double(visualTokens)).rounded()))
    }

    public func method(_ label: String) -> MethodSpec? { methods.first { $0.label == label } }

    /// Every unit of the grid in a fixed order: the unpruned model first, then budget by budget, method by
    /// method, seed by seed; a seed-independent method runs with the first seed only.
    public var units: [ComparisonUnit] {
        var units = [ComparisonUnit(method: MethodSpec.unprunedLabel, keepRatio: 1, seed: seeds[0])]
        for ratio in keepRatios {
            for method in methods {
                for seed in method.usesSeed ? seeds : [seeds[0]] {
                    units.append(ComparisonUnit(method: method.label, keepRatio: ratio, seed: seed))
                }
            }
        }
        return units
    }

    /// 16 hex digits identifying the plan (FNV-1a of its canonical JSON).
    public var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var hasher = FNV1a()
        hasher.combine(String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self))
        return hasher.hex
    }
}

/// One cell of the grid: a method at one keep ratio with one seed.
public struct ComparisonUnit: Codable, Hashable, Sendable {
    public let method: String
    public let keepRatio: Double
    public let seed: UInt64

    public init(method: String, keepRatio: Double, seed: UInt64) {
        self.method = method
        self.keepRatio = keepRatio
        self.seed = seed
    }

    /// A file-name-safe key, e.g. `diffprune_r0.1110_s2`.
    public var key: String { "\(method)_r\(String(format: "%.4f", keepRatio))_s\(seed)" }

    public var isUnpruned: Bool { method == MethodSpec.unprunedLabel }
}
