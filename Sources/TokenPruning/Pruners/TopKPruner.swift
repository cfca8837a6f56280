import Autograd

/// Training-free top-K under a pluggable score of each token; by default the L2 norm of the projected
/// token. The score's name appears in every report.
public struct TopKPruner: TokenPruner {
    /// A named, training-free score over the visual tokens (higher = keep).
    public struct Score: Sendable {
        public let name: String
        public let compute: @Sendable (VisualTokens) -> [Float]

        public init(name: String, compute: @escaping @Sendable (VisualTokens) -> [Float]) {
            self.name = name
            self.compute = compute
        }

        /// ‖x_i‖₂ of the projected tokens.
        public static let projectedNorm = Score(name: "L2 norm of the projected token") { $0.projected.rowNorms() }

        /// ‖x_i‖₂ of the vision-encoder features (before the projector).
        public static let featureNorm = Score(name: "L2 norm of the vision feature") { $0.features.rowNorms() }
    }

    public let name: String
    public let location = PruningLocation.beforeLanguageModel
    public let score: Score

    public init(name: String = "topk", score: Score = .projectedNorm) {
        self.name = name
        self.score = score
    }

    public func select(_ tokens: VisualTokens, budget: Int, context: PruningContext) throws -> Selection {
        try Selection.topK(score.compute(tokens), budget: budget)
    }
}
