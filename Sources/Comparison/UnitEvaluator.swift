import Autograd
import Foundation
import SyntheticVQA
import TinyVLM
import TokenPruning

/// Evaluates one unit: every test item of the plan through the pruned model (accuracy, relevant-patch
/// recall, FLOPs), then a separate timing pass on a few items, one at a time.
public struct UnitEvaluator {
    public let model: TinyVLM
    public let suite: TaskSuite
    /// The plan's test items, families in `TaskFamily.allCases` order.
    public let items: [VQAItem]
    /// Threads evaluating items side by side (results do not depend on it).
    public var workers: Int
    /// Items whose visual tokens are computed in one batched vision-encoder pass.
    public var chunkSize = 32
    /// Where timings are taken, for the manifest.
    public var machine = RunManifest.machineDescription
    /// Visual tokens of the items, encoded once and shared by every unit this evaluator runs: they do
    /// not depend on the method.
    private let visualTokenCache = VisualTokenCache()

    public init(model: TinyVLM, suite: TaskSuite, itemsPerFamily: Int, workers: Int = BLAS.threadCount) {
        self.model = model
        self.suite = suite
        self.items = TaskFamily.allCases.flatMap { family in (0..<itemsPerFamily).map { suite.testItem(family, $0) } }
        self.workers = workers
    }

    /// Runs `unit` with `pruner` (nil: the unpruned model) keeping `budget` visual tokens; `progress`
    /// gets the number of items done.
    public func evaluate(_ unit: ComparisonUnit, pruner: (any TokenPruner)?, budget: Int,
                         timing: ComparisonPlan.Timing, progress: (Int) -> Void = { _ in }) throws -> UnitResult {
        let families = TaskFamily.allCases
        var correct = [UInt8](repeating: UInt8(ascii: "0"), count: items.count)
        var recall = families.map { _ in UnitResult.Recall(sum: 0, items: 0) }
        var flops = 0.0
        var tokensPerLayer = [Double](repeating: 0, count: model.configuration.layers)
        for start in stride(from: 0, to: items.count, by: chunkSize) {
            let chunk = Array(items[start..<min(items.count, start + chunkSize)])
            let tokens = try visualTokenCache.tokens(start..<(start + chunk.count), of: items.count) { try encoded(chunk) }
            let answers = try Concurrently.map(chunk.count, workers: workers) { index in
                try PrunedInference.answer(model: model, pruner: pruner, tokens: tokens[index], item: chunk[index],
                                           suite: suite, budget: budget, seed: unit.seed)
            }
            for (offset, (item, answer)) in zip(chunk, answers).enumerated() {
                if suite.vocabulary.answers[answer.predicted] == item.answer { correct[start + offset] = UInt8(ascii: "1") }
                let family = families.firstIndex(of: item.family)!
                if !item.relevantPatches.isEmpty {
                    let kept = Set(answer.selection.kept)
                    recall[family].sum += Double(item.relevantPatches.filter(kept.contains).count) / Double(item.relevantPatches.count)
                    recall[family].items += 1
                }
                flops += model.configuration.prefillFLOPs(tokensPerLayer: answer.tokensPerLayer)
                for (layer, count) in answer.tokensPerLayer.enumerated() { tokensPerLayer[layer] += Double(count) }
            }
            progress(start + chunk.count)
        }
        let count = Double(items.count)
        return UnitResult(unit: unit, keepTokens: budget, correct: String(decoding: correct, as: UTF8.self),
                          recall: recall, flops: flops / count, tokensPerLayer: tokensPerLayer.map { $0 / count },
                          timing: try time(unit, pruner: pruner, budget: budget, timing: timing))
    }

    /// Visual tokens of each item, from one batched pass of the vision encoder and projector.
    func visualTokens(_ chunk: [VQAItem]) throws -> [VisualTokens] {
        let visual = try encoded(chunk)
        return (0..<chunk.count).map { VisualTokens(item: $0, of: visual) }
    }

    /// The chunk's vision-encoder outputs and projected tokens, `[items, tokens, width]` each, from one
    /// batched pass.
    private func encoded(_ chunk: [VQAItem]) throws -> (features: Tensor, projected: Tensor) {
        let layout = suite.layout
        let pixels = try Concurrently.map(chunk.count, workers: workers) { chunk[$0].scene.render(layout).patches(layout) }
        let patches = Tensor(shape: [chunk.count, layout.patchCount, layout.patchDimension], values: Array(pixels.joined()))
        let visual = withoutGradient { model.visualTokens(patches) }
        return (visual.features, visual.projected)
    }

    /// Median prefill and pruner times over `timing.items` items spread evenly over the split, each run
    /// `timing.warmup` times untimed and `timing.repeats` times timed, one item at a time; every run is
    /// paired with an unpruned run of the same item (before it on odd runs, after it on even ones), and the
    /// speedup and pruner share are medians over these pairs.
    public func time(_ unit: ComparisonUnit, pruner: (any TokenPruner)?, budget: Int,
                     timing: ComparisonPlan.Timing) throws -> UnitResult.Timing {
        let count = min(timing.items, items.count)
        let chosen = (0..<count).map { items[$0 * items.count / count] }
        var prefill: [Double] = [], pruning: [Double] = [], unpruned: [Double] = []
        for item in chosen {
            let tokens = try visualTokens([item])[0]
            func run(_ pruner: (any TokenPruner)?) throws -> PrunedInference.Answer {
                try PrunedInference.answer(model: model, pruner: pruner, tokens: tokens, item: item, suite: suite,
                                           budget: budget, seed: unit.seed)
            }
            for index in 0..<(timing.warmup + timing.repeats) {
                // Alternate which of the pair runs first, so neither always finds the caches warm.
                let referenceFirst = pruner != nil && index % 2 == 1
                let earlier = referenceFirst ? try run(nil) : nil
                let answer = try run(pruner)
                let reference = try earlier ?? (pruner == nil ? answer : run(nil))
                if index >= timing.warmup {
                    prefill.append(1e3 * answer.prefillSeconds)
                    pruning.append(1e3 * answer.prunerSeconds)
                    unpruned.append(1e3 * reference.prefillSeconds)
                }
            }
        }
        return .init(prefillMilliseconds: median(prefill), prunerMilliseconds: median(pruning),
                     unprunedPrefillMilliseconds: median(unpruned), speedup: medianRatio(unpruned, prefill),
                     prunerShare: medianRatio(pruning, unpruned), samples: prefill.count, threads: BLAS.threadCount, machine: machine)
    }
}

extension VisualTokens {
    /// Item `index` of batched vision outputs `[items, tokens, width]`, as views.
    init(item index: Int, of visual: (features: Tensor, projected: Tensor)) {
        func row(_ tensor: Tensor) -> Tensor {
            tensor.sliced(axis: 0, index..<(index + 1)).reshaped([tensor.shape[1], tensor.shape[2]])
        }
        self = withoutGradient { VisualTokens(features: row(visual.features), projected: row(visual.projected)) }
    }
}

/// The visual tokens of a plan's items, encoded chunk by chunk by the first unit and kept for the later
/// ones, each kind in one tensor for all the items (0.8 GB for the default plan).
///
/// Kept as each chunk's own tensors (376 allocations of about 2 MB), they made the timing pass that
/// follows every unit's accuracy pass time the learned pruners 30–40 % slower than after a short pass
/// (cause not found: not the resident size as such, nor transparent huge pages or `malloc_trim`); in one
/// tensor per kind they do not.
private final class VisualTokenCache {
    private var all: (features: Tensor, projected: Tensor)?
    private var encodedChunks = Set<Int>()

    /// The tokens of `items` (a chunk, the same ranges each time) of `total`, encoded by `encode` the first
    /// time.
    func tokens(_ items: Range<Int>, of total: Int,
                encode: () throws -> (features: Tensor, projected: Tensor)) rethrows -> [VisualTokens] {
        if !encodedChunks.contains(items.lowerBound) {
            let chunk = try encode()
            let all = self.all ?? (Tensor(zeros: [total] + chunk.features.shape.dropFirst()),
                                   Tensor(zeros: [total] + chunk.projected.shape.dropFirst()))
            self.all = all
            for (source, destination) in [(chunk.features, all.features), (chunk.projected, all.projected)] {
                let perItem = source.count / items.count
                source.withUnsafeBufferPointer { source in
                    destination.withUnsafeMutableBufferPointer { destination in
                        (destination.baseAddress! + items.lowerBound * perItem).update(from: source.baseAddress!, count: source.count)
                    }
                }
            }
            encodedChunks.insert(items.lowerBound)
        }
        return items.map { VisualTokens(item: $0, of: all!) }
    }
}
