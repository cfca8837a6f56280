import Autograd

extension TinyVLM {
    /// The predicted answer of each row of `logits` `[rows, answers]`: the highest logit, ties going to
    /// the lower answer index.
    public static func predictedAnswers(_ logits: Tensor) -> [Int] {
        let classes = logits.shape[1]
        return logits.withUnsafeBufferPointer { values in
            (0..<logits.shape[0]).map { row in
                var best = 0
                for j in 1..<classes where values[row * classes + j] > values[row * classes + best] { best = j }
                return best
            }
        }
    }
}
