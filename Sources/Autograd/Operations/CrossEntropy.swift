import Foundation

/// Mean cross-entropy of `logits` `[n, classes]` against integer `targets` (one per row), fused with the
/// log-softmax. Rows whose target equals `ignoreIndex` are left out of the mean (as PyTorch's
/// `ignore_index`); the loss is accumulated in Float64.
public func crossEntropy(logits: Tensor, targets: [Int], ignoreIndex: Int? = nil) -> Tensor {
    precondition(logits.rank == 2 && logits.shape[0] == targets.count,
                 "crossEntropy: logits \(logits.shape) for \(targets.count) targets")
    let classes = logits.shape[1]
    let counted = targets.filter { $0 != ignoreIndex }
    precondition(counted.allSatisfy { $0 >= 0 && $0 < classes }, "crossEntropy: target out of range 0..<\(classes)")
    let logProbabilities = withoutGradient { logSoftmax(logits) }
    var total = 0.0
    for (row, target) in targets.enumerated() where target != ignoreIndex {
        total -= Double(logProbabilities.pointer[row * classes + target])
    }
    let scale = 1 / Float(Swift.max(counted.count, 1))
    let loss = Tensor(Float(total) * scale)
    return Tensor.operation("crossEntropy", output: loss, inputs: [logits]) { g in
        let dx = Tensor(zeros: logits.shape), upstream = g.item * scale
        for (row, target) in targets.enumerated() where target != ignoreIndex {
            let p = logProbabilities.pointer + row * classes, out = dx.pointer + row * classes
            for j in 0..<classes { out[j] = upstream * VectorMath.exp(p[j]) }
            out[target] -= upstream
        }
        return [dx]
    }
}
