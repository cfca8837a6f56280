/// The named grids of `prune-bench compare --preset`.
public enum ComparisonPreset: String, CaseIterable, Codable, Sendable {
    /// Under three minutes: one budget, one seed, 100 items per family, shipped pruner weights.
    case quick
    /// What `make report` runs: three budgets, three seeds, the full test split.
    case `default`
    /// Five budgets and five seeds on the full split; learnable pruners are always trained afresh.
    case full

    public var keepRatios: [Double] {
        switch self {
        case .quick: return [0.111]
        case .default: return [0.333, 0.222, 0.111]
        case .full: return [0.5, 0.333, 0.222, 0.111, 0.056]
        }
    }

    public var seeds: Int {
        switch self {
        case .quick: return 1
        case .default: return 3
        case .full: return 5
        }
    }

    public var itemsPerFamily: Int { self == .quick ? 100 : 600 }

    public var timing: ComparisonPlan.Timing {
        self == .quick ? .init(items: 10, repeats: 3, warmup: 2) : .init(items: 30, repeats: 5, warmup: 5)
    }

    public var bootstrapResamples: Int {
        switch self {
        case .quick: return 1_000
        case .default: return 4_000
        case .full: return 10_000
        }
    }

    public var retrain: Bool { self == .full }
}
