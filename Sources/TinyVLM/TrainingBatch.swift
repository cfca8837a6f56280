import Autograd
import SyntheticVQA

/// A batch of rendered items in the model's input form: patches, padded question ids, answers, and
/// which visual tokens each item keeps (all of them unless a selection is given).
public struct TrainingBatch {
    public let patches: Tensor
    public let questions: [[Int]]
    public let questionLengths: [Int]
    public let answers: [Int]
    /// Kept visual-token indices per item, ascending; equally many per item.
    public let kept: [[Int]]

    /// - `keep`: per item, the visual tokens to keep (ascending, equally many for every item), or nil for all.
    public init(items: [VQAItem], layout: ImageLayout, vocabulary: Vocabulary, keep: [[Int]]? = nil) {
        var values = [Float]()
        values.reserveCapacity(items.count * layout.patchCount * layout.patchDimension)
        for item in items { values += item.scene.render(layout).patches(layout) }
        patches = Tensor(shape: [items.count, layout.patchCount, layout.patchDimension], values: values)
        let encoded = items.map { vocabulary.encode(question: $0.question) }
        let length = encoded.map(\.count).max() ?? 0
        questions = encoded.map { $0 + Array(repeating: vocabulary.paddingID, count: length - $0.count) }
        questionLengths = encoded.map(\.count)
        answers = items.map { vocabulary.answerID($0.answer) }
        kept = keep ?? Array(repeating: Array(0..<layout.patchCount), count: items.count)
        precondition(Set(kept.map(\.count)).count <= 1, "every item must keep equally many visual tokens")
    }
}

extension TinyVLM {
    /// Answer logits `[batch, answers]` for a batch, keeping `batch.kept` visual tokens before the language model.
    public func answerLogits(_ batch: TrainingBatch) -> Tensor {
        answerLogits(projected: visualTokens(batch.patches).projected, batch)
    }

    /// Answer logits from already projected visual tokens `[batch, N, width]` (e.g. throttled by a learned
    /// pruner), keeping `batch.kept` of them, optionally under a soft keep mask `[batch, kept]`.
    public func answerLogits(projected: Tensor, _ batch: TrainingBatch, keep: Tensor? = nil) -> Tensor {
        let visual = batch.keptTokens(of: projected)
        return languageModel.answerLogits(visual: visual, visualPositions: batch.kept, questions: batch.questions,
                                          questionLengths: batch.questionLengths, keep: keep)
    }
}

extension TrainingBatch {
    /// The `kept` rows of each item's visual tokens `[batch, N, width]` → `[batch, kept, width]`.
    func keptTokens(of tokens: Tensor) -> Tensor {
        let (size, count, width) = (tokens.shape[0], tokens.shape[1], tokens.shape[2])
        let keptCount = kept[0].count
        guard keptCount < count else { return tokens }
        return tokens.reshaped([size * count, width])
            .gathered(kept.enumerated().flatMap { b, rows in rows.map { b * count + $0 } }, axis: 0)
            .reshaped([size, keptCount, width])
    }
}
