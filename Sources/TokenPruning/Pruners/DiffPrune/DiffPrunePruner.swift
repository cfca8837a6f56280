import Autograd
import Foundation
import Statistics
import TinyVLM

/// DiffPrune (He, Yao, Young, Xu, 2026): a question-agnostic scorer trained end to end through a soft
/// top-K (LapSum) and an Information Throttler on the real token representations, with the answer's
/// NLL as the only loss. At inference: scorer + hard top-K; throttler and denoiser are gone.
public final class DiffPrunePruner: TrainablePruner {
    /// Every choice the method leaves open, explicit so that ablations and reports can name it.
    public struct Configuration: Codable, Sendable, Equatable {
        public var throttler = InformationThrottler.vpNoise
        public var denoiser = DenoiserKind.diagonal
        /// Transformer blocks in the scorer (the paper: 2; 0 = a per-token MLP) and its channel width
        /// (the paper: the vision width). The default, a sixth of the vision width, costs three quarters
        /// of what 32 channels did: about 0.5% of the unpruned prefill when the machine is fast and 0.7% in
        /// its slow spells (`prune-bench bench pruners` at c4f1005; the default report's rows: 0.71-0.75%).
        public var scorerDepth = 0
        public var scorerWidth = 16
        /// Cosine-annealed temperature of the soft top-K, from `temperatureStart` to `temperatureEnd`.
        public var temperatureStart: Float = 2
        public var temperatureEnd: Float = 0.1
        /// Inference by threshold instead of top-K: keep the tokens whose score exceeds this logit (at most
        /// the budget, the highest first; at least the single best). Nil = fixed-K top-K, the method.
        public var threshold: Float? = nil
        public var training = PrunerTrainingSettings()
        public init() {}
    }

    public let name: String
    public let location = PruningLocation.beforeLanguageModel
    public let configuration: Configuration
    public var keepsExactBudget: Bool { configuration.threshold == nil }
    let scorer: TokenScorer
    let denoiser: Denoiser

    /// A fresh (untrained) pruner for `model`'s vision width.
    public init(name: String = "diffprune", configuration: Configuration = Configuration(),
                visionWidth: Int = TinyVLMConfiguration.standard.visionWidth) {
        self.name = name
        self.configuration = configuration
        var source = GaussianStream(RandomStream(seed: configuration.training.seed, path: ["pruner", name, "init"]))
        scorer = TokenScorer(width: visionWidth, hidden: configuration.scorerWidth, depth: configuration.scorerDepth,
                             heads: 4, using: &source)
        denoiser = Denoiser(kind: configuration.denoiser, width: visionWidth, heads: 4, using: &source)
    }

    public func namedParameters() -> [NamedParameter] {
        scorer.namedParameters(prefix: "scorer") + denoiser.namedParameters(prefix: "denoiser")
    }

    public var training: PrunerTrainingSettings { configuration.training }

    public var trainingIdentity: String {
        let c = configuration
        return "diffprune throttler=\(c.throttler.rawValue) denoiser=\(c.denoiser.rawValue) depth=\(c.scorerDepth) width=\(c.scorerWidth) "
            + "tau=\(c.temperatureStart)->\(c.temperatureEnd) \(c.training.identity)"
    }

    // MARK: Inference

    public func select(_ tokens: VisualTokens, budget: Int, context: PruningContext) throws -> Selection {
        let scores = withoutGradient { scorer(tokens.features) }.values
        guard let threshold = configuration.threshold else { return try Selection.topK(scores, budget: budget) }
        let passing = max(1, min(budget, scores.filter { $0 > threshold }.count))
        return try Selection.topK(scores, budget: passing)
    }

    // MARK: Training

    /// Temperature at `progress` ∈ [0, 1]: cosine from `temperatureStart` to `temperatureEnd`.
    func temperature(_ progress: Double) -> Float {
        let c = configuration
        return c.temperatureEnd + (c.temperatureStart - c.temperatureEnd) * Float(0.5 * (1 + cos(Double.pi * progress)))
    }

    public func trainingLoss(model: TinyVLM, batch: TrainingBatch, progress: Double, random: RandomStream) -> Tensor {
        let features = withoutGradient { model.vision(batch.patches) }
        let (size, tokens) = (features.shape[0], features.shape[1])
        let k = max(1, Int((configuration.training.keepRatio * Double(tokens)).rounded()))
        var scores = scorer(features)
        var hard: Tensor? = nil
        if configuration.throttler == .gumbelSTE {
            let noise = Tensor(shape: scores.shape, values: (0..<scores.count).map { _ in Float(random.gumbel()) })
            scores = scores + noise
            // A non-finite score leaves the mask empty; the non-finite loss then stops training.
            hard = withoutGradient { (try? Self.hardTopK(scores, k: k)) ?? Tensor(zeros: scores.shape) }
        }
        let alpha = LapSumTopK.membership(scores.reshaped([size, tokens]), k: k, temperature: temperature(progress))
        let throttled = configuration.throttler.apply(features, alpha: alpha, hard: hard, noise: random)
        let logits = model.answerLogits(projected: model.projector(denoiser(throttled)), batch)
        return crossEntropy(logits: logits, targets: batch.answers)
    }

    /// 0/1 mask `[rows, n]` of each row's `k` largest scores (`Selection.topK`'s order: ties to the lower index).
    static func hardTopK(_ scores: Tensor, k: Int) throws -> Tensor {
        let (rows, n) = (scores.shape[0], scores.shape[1])
        let values = scores.values
        var mask = [Float](repeating: 0, count: rows * n)
        for row in 0..<rows {
            for i in try Selection.topK(Array(values[(row * n)..<((row + 1) * n)]), budget: k).kept { mask[row * n + i] = 1 }
        }
        return Tensor(shape: [rows, n], values: mask)
    }
}
