import Autograd
import Foundation
import Statistics
import SyntheticVQA

/// Trains the built-in VLM from scratch on the task suite's training stream, deterministically.
///
/// Two aids make a small transformer learn to find the object a question is about within a short
/// budget, and are recorded here because they shape the model:
/// - a per-patch attribute loss on the vision features (`AttributeProbe`, training only), so visual
///   tokens carry colour, shape, size and digit early;
/// - a visual-context curriculum: over the first `curriculumShare` of the steps the language model sees
///   every object patch but only a growing random share of the background (from `patchCount / 9` tokens
///   up to all of them), so its attention starts out choosing among a few tokens instead of 150.
///   Afterwards a `dropoutShare` of the batches still drop random background, so that pruned inputs
///   stay in distribution, as they do for large VLMs.
public struct SubstrateTrainer {
    public struct Settings: Codable, Sendable {
        public var steps = 6_000
        public var batchSize = 16
        public var peakLearningRate: Float = 2e-3
        public var warmupSteps = 300
        public var weightDecay: Float = 0.01
        public var clipNorm: Float = 1
        /// After the curriculum, the share of batches trained with dropped background tokens.
        public var dropoutShare = 0.25
        /// Share of the steps over which the visible background grows to all of it.
        public var curriculumShare = 0.3
        /// Weight of the per-patch attribute loss (see `AttributeProbe`; 0 turns it off).
        public var attributeWeight: Float = 0.5
        /// Families trained on, cycled through batch slots.
        public var families = TaskFamily.allCases
        public init() {}
    }

    public let settings: Settings
    public let suite: TaskSuite
    public let seed: UInt64

    public init(settings: Settings = Settings(), suite: TaskSuite, seed: UInt64) {
        self.settings = settings
        self.suite = suite
        self.seed = seed
    }

    /// Progress after each step: step, loss, running training accuracy.
    public typealias Progress = (_ step: Int, _ loss: Float, _ accuracy: Double) -> Void

    /// Trains `model` for `settings.steps` steps.
    public func train(_ model: TinyVLM, progress: Progress = { _, _, _ in }) {
        var source = GaussianStream(RandomStream(seed: seed, path: ["substrate", "probe"]))
        let probe = AttributeProbe(width: model.configuration.visionWidth, using: &source)
        let parameters = model.trainableParameters() + probe.namedParameters(prefix: "probe")
        let optimizer = AdamW(parameters: parameters, learningRate: settings.peakLearningRate,
                              weightDecay: settings.weightDecay,
                              decays: { $0.tensor.rank >= 2 && !$0.name.contains("positions") })
        let schedule = WarmupCosineSchedule(peak: settings.peakLearningRate, warmupSteps: settings.warmupSteps,
                                            totalSteps: settings.steps, floor: settings.peakLearningRate / 100)
        var correct = 0.0, seen = 0.0
        for step in 0..<settings.steps {
            let (batch, items) = self.batchWithItems(step)
            let features = model.vision(batch.patches)
            let logits = model.answerLogits(projected: model.projector(features), batch)
            var loss = crossEntropy(logits: logits, targets: batch.answers)
            if settings.attributeWeight > 0 {
                loss = loss + settings.attributeWeight * probe.loss(features, items: items, layout: suite.layout)
            }
            optimizer.zeroGradients()
            loss.backward()
            _ = clipGradientNorm(parameters, maxNorm: settings.clipNorm)
            optimizer.learningRate = schedule(step)
            optimizer.step()
            let predictions = TinyVLM.predictedAnswers(logits)
            correct = 0.98 * correct + Double(zip(predictions, batch.answers).filter { $0 == $1 }.count)
            seen = 0.98 * seen + Double(batch.answers.count)
            progress(step + 1, loss.item, correct / seen)
        }
    }

    /// The training batch of `step`: item indices advance per family, so every step sees new items.
    public func batch(_ step: Int) -> TrainingBatch { batchWithItems(step).batch }

    func batchWithItems(_ step: Int) -> (batch: TrainingBatch, items: [VQAItem]) {
        let families = settings.families
        let stream = RandomStream(seed: seed, path: ["substrate", "batch", "\(step)"])
        var items: [VQAItem] = []
        for slot in 0..<settings.batchSize {
            let position = step * settings.batchSize + slot
            let family = families[position % families.count]
            items.append(suite.trainingItem(family, position / families.count))
        }
        let layout = suite.layout
        let visible = visibleTokens(step, stream: stream)
        guard visible < layout.patchCount else {
            return (TrainingBatch(items: items, layout: layout, vocabulary: suite.vocabulary), items)
        }
        // Every object patch stays (capped at the count), then random background fills up to it.
        let objectPatches = items.map { $0.scene.patches(of: $0.scene.objects, layout: layout) }
        let count = max(visible, objectPatches.map(\.count).max() ?? 0)
        let keep = objectPatches.map { objects in
            let present = Set(objects)
            var background = (0..<layout.patchCount).filter { !present.contains($0) }
            stream.shuffle(&background)
            return (objects + background.prefix(count - objects.count)).sorted()
        }
        return (TrainingBatch(items: items, layout: layout, vocabulary: suite.vocabulary, keep: keep), items)
    }

    /// Visual tokens the language model sees at `step`: a linear ramp from N/9 to N over the
    /// curriculum, then all of them except in a `dropoutShare` of the batches (a random count).
    func visibleTokens(_ step: Int, stream: RandomStream) -> Int {
        let n = suite.layout.patchCount, floor = n / 9
        let ramp = settings.curriculumShare * Double(settings.steps)
        if Double(step) < ramp { return floor + Int(Double(n - floor) * Double(step) / ramp) }
        return stream.uniform() < settings.dropoutShare ? floor + stream.integer(below: n - floor) : n
    }
}
