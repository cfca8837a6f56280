import Foundation

/// A mask for `softmax` / `logSoftmax`, broadcast to the logits' shape.
public enum SoftmaxMask {
    /// Added to the logits before normalising; `−∞` excludes an entry. Differentiable.
    case additive(Tensor)
    /// Entries where the mask is zero are excluded, non-zero entries kept.
    case boolean(Tensor)
}

/// Softmax over the last axis. Excluded entries get probability 0; a row with every entry excluded is
/// all zeros rather than NaN.
public func softmax(_ x: Tensor, mask: SoftmaxMask? = nil) -> Tensor {
    normalizeRows(x, mask: mask, logarithm: false)
}

/// Log-softmax over the last axis. Excluded entries are `−∞` and receive no gradient.
public func logSoftmax(_ x: Tensor, mask: SoftmaxMask? = nil) -> Tensor {
    normalizeRows(x, mask: mask, logarithm: true)
}

private func normalizeRows(_ x: Tensor, mask: SoftmaxMask?, logarithm: Bool) -> Tensor {
    let logits: Tensor
    switch mask {
    case nil: logits = x
    case .additive(let additive)?: logits = x + additive
    case .boolean(let keep)?:
        logits = x + Tensor(shape: keep.shape, values: keep.values.map { $0 == 0 ? -Float.infinity : 0 })
    }
    let width = logits.shape.last ?? 1, rows = logits.count / Swift.max(width, 1)
    let result = Tensor.like(logits)
    for row in 0..<rows {
        softmaxRow(logits.pointer + row * width, into: result.pointer + row * width, width: width, logarithm: logarithm)
    }
    let saved = result.detached()
    return Tensor.operation(logarithm ? "logSoftmax" : "softmax", output: result, inputs: [logits]) { g in
        let dx = Tensor.like(g)
        for row in 0..<rows {
            let y = saved.pointer + row * width, upstream = g.pointer + row * width, out = dx.pointer + row * width
            if logarithm {
                let total = VectorMath.sum(upstream, width)
                for j in 0..<width {
                    out[j] = y[j] == -.infinity ? 0 : upstream[j] - VectorMath.exp(y[j]) * total
                }
            } else {
                let projection = VectorMath.dot(upstream, y, width)
                for j in 0..<width { out[j] = y[j] * (upstream[j] - projection) }
            }
        }
        return [dx]
    }
}

/// The softmax (or, with `logarithm`, log-softmax) of one row of `width` logits, written to `output`: the
/// kernel of `softmax` and `logSoftmax`.
private func softmaxRow(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, width: Int, logarithm: Bool) {
    let maximum = VectorMath.max(input, width)
    guard maximum > -.infinity else {
        output.update(repeating: logarithm ? -.infinity : 0, count: width)
        return
    }
    for j in 0..<width { output[j] = VectorMath.exp(input[j] - maximum) }
    let total = VectorMath.sum(output, width)
    if logarithm {
        let shift = maximum + logf(total)
        for j in 0..<width { output[j] = input[j] - shift }
    } else {
        let scale = 1 / total
        for j in 0..<width { output[j] *= scale }
    }
}
