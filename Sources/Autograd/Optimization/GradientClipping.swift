/// Scales the gradients of `parameters` so that their global L2 norm is at most `maxNorm`, as PyTorch's
/// `clip_grad_norm_`; returns the norm before clipping. The norm is accumulated in Float64 in parameter
/// order, so it is deterministic.
@discardableResult
public func clipGradientNorm(_ parameters: [NamedParameter], maxNorm: Float) -> Float {
    let gradients = parameters.compactMap(\.tensor.grad)
    var squares = 0.0
    for g in gradients { for i in 0..<g.count { squares += Double(g.pointer[i]) * Double(g.pointer[i]) } }
    let norm = Float(squares.squareRoot())
    let scale = maxNorm / (norm + 1e-6)
    if scale < 1 { for g in gradients { for i in 0..<g.count { g.pointer[i] *= scale } } }
    return norm
}
