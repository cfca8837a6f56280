import Autograd
import Foundation
import Statistics
import TinyVLM

/// The surrogate-gradient baseline, DynamicViT-style: a keep predictor trained through hard
/// Gumbel-Softmax samples with the straight-through estimator. During training tokens are not removed;
/// the language model's attention is masked instead (`G_ij = m_j + (1 − m_j)δ_ij`). Loss: answer
/// cross-entropy + λ_r·(ρ − mean m)² per image (+ optional output-level KL distillation to the unpruned
/// model; off by default, DynamicViT uses 0.5 and also a token-level term). Inference: top-K by the
/// keep-minus-drop logit, which orders tokens as the keep log-probability log σ(l_keep − l_drop) does,
/// without its exp and log and without the ties its rounding makes (it is 0 for every margin above ~17).
public final class GumbelPruner: TrainablePruner {
    public struct Configuration: Codable, Sendable, Equatable {
        /// λ_r of the ratio loss (DynamicViT's default 2).
        public var ratioWeight: Float = 2
        /// Weight of the KL distillation to the unpruned model's answer distribution (0 = off).
        public var distillationWeight: Float = 0
        public var gumbelTemperature: Float = 1
        /// Channels of the predictor's first layer (DynamicViT: the embedding width, here the vision width
        /// 96). The default is DiffPrune's scorer width, so both learned pruners have the same first layer;
        /// it costs about 0.7% of the unpruned prefill when the machine is fast and 0.9% in its slow spells
        /// (`prune-bench bench pruners` at c4f1005; the default report's rows: 0.92-1.00%).
        public var predictorWidth = 16
        public var training = PrunerTrainingSettings()
        public init() {}
    }

    public let name: String
    public let location = PruningLocation.beforeLanguageModel
    public let configuration: Configuration
    let predictor: KeepPredictor

    public init(name: String = "gumbel", configuration: Configuration = Configuration(),
                visionWidth: Int = TinyVLMConfiguration.standard.visionWidth) {
        self.name = name
        self.configuration = configuration
        var source = GaussianStream(RandomStream(seed: configuration.training.seed, path: ["pruner", name, "init"]))
        predictor = KeepPredictor(width: visionWidth, hidden: configuration.predictorWidth, using: &source)
    }

    public func namedParameters() -> [NamedParameter] { predictor.namedParameters(prefix: "predictor") }

    public var training: PrunerTrainingSettings { configuration.training }

    public var trainingIdentity: String {
        let c = configuration
        return "gumbel lambda=\(c.ratioWeight) distill=\(c.distillationWeight) tau=\(c.gumbelTemperature) width=\(c.predictorWidth) \(c.training.identity)"
    }

    public func select(_ tokens: VisualTokens, budget: Int, context: PruningContext) throws -> Selection {
        let n = tokens.count
        let logits = withoutGradient {
            predictor.logits(tokens.features.reshaped([1, n, tokens.features.shape[1]]))
        }
        let keepMargin = logits.withUnsafeBufferPointer { pairs in (0..<n).map { pairs[2 * $0] - pairs[2 * $0 + 1] } }
        return try Selection.topK(keepMargin, budget: budget)
    }

    public func trainingLoss(model: TinyVLM, batch: TrainingBatch, progress: Double, random: RandomStream) -> Tensor {
        let features = withoutGradient { model.vision(batch.patches) }
        let projected = withoutGradient { model.projector(features) }
        let size = features.shape[0]
        let logProbabilities = predictor(features)
        let mask = Self.hardGumbelKeep(logProbabilities, temperature: configuration.gumbelTemperature, random: random)
        let logits = model.answerLogits(projected: projected, batch, keep: mask)
        var loss = crossEntropy(logits: logits, targets: batch.answers)
        // Per image, as DynamicViT's default ratio loss: ((ρ − mean_i m_i)²) averaged over the batch.
        let shortfall = Float(configuration.training.keepRatio) - mask.mean(axis: 1)
        loss = loss + configuration.ratioWeight * (shortfall * shortfall).mean()
        if configuration.distillationWeight > 0 {
            let teacher = withoutGradient { softmax(model.answerLogits(projected: projected, batch)) }
            let studentLog = logSoftmax(logits)
            let kl = (teacher * (withoutGradient { (teacher + 1e-12).log() } - studentLog)).sum() / Float(size)
            loss = loss + configuration.distillationWeight * kl
        }
        return loss
    }

    /// `GumbelSoftmax(logp, τ, hard: true)[keep]` `[batch, N]`: the hard 0/1 sample forward, the soft
    /// sample's gradient backward (straight-through). With two classes the soft keep probability is
    /// σ((logp_keep − logp_drop + g₁ − g₂)/τ).
    static func hardGumbelKeep(_ logProbabilities: Tensor, temperature: Float, random: RandomStream) -> Tensor {
        let (batch, tokens) = (logProbabilities.shape[0], logProbabilities.shape[1])
        let keep = logProbabilities.sliced(axis: 2, 0..<1).reshaped([batch, tokens])
        let drop = logProbabilities.sliced(axis: 2, 1..<2).reshaped([batch, tokens])
        let noise = Tensor(shape: [batch, tokens], values: (0..<(batch * tokens)).map { _ in Float(random.gumbel() - random.gumbel()) })
        let soft = ((keep - drop + noise) / temperature).sigmoid()
        let hard = withoutGradient { Tensor(shape: soft.shape, values: soft.values.map { $0 > 0.5 ? 1 : 0 }) }
        return hard + soft - soft.detached()
    }
}
