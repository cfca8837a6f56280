/// Where a pruner removes visual tokens.
public enum PruningLocation: Equatable, Sendable, CustomStringConvertible {
    /// Before the language model: every layer sees only the kept tokens.
    case beforeLanguageModel
    /// Inside the language model, after the given layer has run on all tokens (FastV-style).
    case insideLanguageModel(afterLayer: Int)

    public var description: String {
        switch self {
        case .beforeLanguageModel: return "before the language model"
        case .insideLanguageModel(let layer): return "inside the language model, after layer \(layer)"
        }
    }
}
