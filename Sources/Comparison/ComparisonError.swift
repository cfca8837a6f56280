/// Why a comparison, ablation, merge or report cannot go on; each names what to fix.
public enum ComparisonError: Error, CustomStringConvertible {
    case invalidPlan(String)
    case invalidConfig(String)
    case invalidResults(String)
    case incomplete(missing: Int, total: Int)

    public var description: String {
        switch self {
        case .invalidPlan(let reason): return "invalid comparison: \(reason)"
        case .invalidConfig(let reason): return "invalid ablation config: \(reason)"
        case .invalidResults(let reason): return "invalid results: \(reason)"
        case .incomplete(let missing, let total):
            return "\(missing) of \(total) units have no results yet; finish them (--resume) or merge the other shards first"
        }
    }
}
