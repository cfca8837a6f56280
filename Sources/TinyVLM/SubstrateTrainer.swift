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
///
/// Two more are set in `Settings`: the grounding loss (`pointerWeight`) and a family mix weighted toward
/// the families that learn slowest (`families`).
public struct SubstrateTrainer {
    public struct Settings: Codable, Sendable {
        public var steps = 12_000
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
        /// Weight of the grounding loss: the last question token's attention (head `pointerHead` of each
        /// layer in `pointerLayers`) should fall on the patches of the objects the question is about.
        public var pointerWeight: Float = 1
        public var pointerLayers: [Int] = [1, 2]
        /// Supervised heads: 1 (head 0 on every relevant patch) or 2 (heads 0 and 1 on the first and
        /// second object of two-object questions).
        public var pointerHeads = 2
        /// Also point the last layer's head 1 at the option word of a multiple-choice answer.
        public var textPointer = true
        /// Also make the probe predict each patch's grid row and column from its vision features.
        public var probePositions = false
        /// Families trained on, cycled through batch slots; a family listed k times gets k slots per cycle.
        /// The default gives the families that learn slowest in the mix (position, counting, relation) more
        /// of the batch slots than those that reach 100 % early.
        public var families = TaskFamily.allCases + [.position, .position, .counting, .relation]
        public init() {}
    }

    public let settings: Settings
    public let suite: TaskSuite
    public let seed: UInt64

    public init(settings: Settings = Settings(), suite: TaskSuite, seed: UInt64) {
        precondition(!settings.families.isEmpty, "SubstrateTrainer needs at least one task family")
        self.settings = settings
        self.suite = suite
        self.seed = seed
    }

    /// Progress after each step: step, loss, running training accuracy.
    public typealias Progress = (_ step: Int, _ loss: Float, _ accuracy: Double) -> Void

    /// Trains `model` for `settings.steps` steps.
    public func train(_ model: TinyVLM, progress: Progress = { _, _, _ in }) {
        var source = GaussianStream(RandomStream(seed: seed, path: ["substrate", "probe"]))
        let probe = AttributeProbe(width: model.configuration.visionWidth,
                                   positions: settings.probePositions ? model.configuration.patchesPerSide : nil,
                                   using: &source)
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
            let logits: Tensor
            var pointerLoss: Tensor? = nil
            if settings.pointerWeight > 0 {
                let result = pointerForward(model, projected: model.projector(features), batch: batch, items: items)
                logits = result.logits
                pointerLoss = result.pointerLoss
            } else {
                logits = model.answerLogits(projected: model.projector(features), batch)
            }
            var loss = crossEntropy(logits: logits, targets: batch.answers)
            if let pointerLoss { loss = loss + settings.pointerWeight * pointerLoss }
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

    /// Answer logits plus the grounding loss: −log of the attention mass the last question token puts on
    /// the relevant patches, averaged over the supervised layers and the items that have relevant patches.
    func pointerForward(_ model: TinyVLM, projected: Tensor, batch: TrainingBatch, items: [VQAItem])
        -> (logits: Tensor, pointerLoss: Tensor?) {
        let size = projected.shape[0], keptCount = batch.kept[0].count
        let visual = batch.keptTokens(of: projected)
        let twoHeads = settings.pointerHeads >= 2
        let result = model.languageModel.answerLogitsWithPointers(
            visual: visual, visualPositions: batch.kept, questions: batch.questions,
            questionLengths: batch.questionLengths, pointerLayers: Set(settings.pointerLayers),
            pointerHeads: twoHeads ? [0, 1] : [0],
            textPointer: settings.textPointer ? (layer: model.configuration.layers - 1, head: 1) : nil)
        let sequence = keptCount + batch.questions[0].count
        // Per supervised head: target patches of every item. With two heads, head 0 looks at the first
        // object a two-object question names and head 1 at the second; for the other families head 0
        // looks at every relevant patch and head 1 is left free.
        var targets: [[Set<Int>]] = [items.map { Set($0.relevantPatches) }]
        if twoHeads {
            var second = items.map { _ in Set<Int>() }
            for (b, item) in items.enumerated() where item.family == .relation || item.family == .size {
                let colours = item.question.compactMap(ObjectColour.init(rawValue:))
                let objects = colours.compactMap { colour in item.scene.objects.first { $0.colour == colour } }
                guard objects.count == 2 else { continue }
                targets[0][b] = Set(item.scene.patches(of: [objects[0]], layout: suite.layout))
                second[b] = Set(item.scene.patches(of: [objects[1]], layout: suite.layout))
            }
            targets.append(second)
        }
        var total: Tensor? = nil
        var terms = 0
        for (head, headTargets) in targets.enumerated() {
            var target = [Float](repeating: 0, count: size * sequence)
            var weight = [Float](repeating: 0, count: size)
            for b in 0..<size {
                for (k, patch) in batch.kept[b].enumerated() where headTargets[b].contains(patch) {
                    target[b * sequence + k] = 1
                    weight[b] = 1
                }
            }
            let supervised = weight.reduce(0, +)
            guard supervised > 0 else { continue }
            let targetTensor = Tensor(shape: [size, sequence], values: target)
            let weightTensor = Tensor(shape: [size], values: weight.map { $0 / supervised })
            for layerPointers in result.pointers {
                let mass = (layerPointers[head].exp() * targetTensor).sum(axis: 1)
                let term = (-((mass + 1e-6).log()) * weightTensor).sum()
                total = total.map { $0 + term } ?? term
                terms += 1
            }
        }
        // Multiple choice: the last layer's head 1 should attend to the option word naming the answer.
        if let text = result.text {
            var target = [Float](repeating: 0, count: size * sequence)
            var weight = [Float](repeating: 0, count: size)
            for (b, item) in items.enumerated() where item.family == .choice {
                guard let letter = ["A", "B", "C", "D"].firstIndex(of: item.answer) else { continue }
                target[b * sequence + keptCount + 2 * letter + 1] = 1
                weight[b] = 1
            }
            let supervised = weight.reduce(0, +)
            if supervised > 0 {
                let mass = (text.exp() * Tensor(shape: [size, sequence], values: target)).sum(axis: 1)
                let term = (-((mass + 1e-6).log()) * Tensor(shape: [size], values: weight.map { $0 / supervised })).sum()
                total = total.map { $0 + term } ?? term
                terms += 1
            }
        }
        guard let total else { return (result.logits, nil) }
        return (result.logits, total / Float(terms))
    }

    /// The training batch of `step`: item indices advance per family, so every step sees new items.
    public func batch(_ step: Int) -> TrainingBatch { batchWithItems(step).batch }

    func batchWithItems(_ step: Int) -> (batch: TrainingBatch, items: [VQAItem]) {
        let cycle = settings.families
        let stream = RandomStream(seed: seed, path: ["substrate", "batch", "\(step)"])
        var items: [VQAItem] = []
        for slot in 0..<settings.batchSize {
            let position = step * settings.batchSize + slot
            let (completedCycles, place) = position.quotientAndRemainder(dividingBy: cycle.count)
            let family = cycle[place]
            // Each family's items are numbered consecutively, whatever its share of the cycle.
            let slotsPerCycle = cycle.lazy.filter { $0 == family }.count
            let slotsBefore = cycle[..<place].lazy.filter { $0 == family }.count
            items.append(suite.trainingItem(family, completedCycles * slotsPerCycle + slotsBefore))
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
