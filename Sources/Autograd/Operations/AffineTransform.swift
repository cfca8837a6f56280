/// The affine map `x · weightᵀ + bias` over the last axis: the bias is copied into the result, which
/// the product then accumulates into (`sgemm` with β = 1).
///
/// `x` is `[..., in]`, `weight` is `[out, in]` (PyTorch's layout, so safetensors weights load as they
/// are), `bias` is `[out]`; the result is `[..., out]`.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    let (result, product) = preparedLinear(x, weight: weight, bias: bias)
    product.runAll()
    return recordLinear(x, weight: weight, bias: bias, result: result)
}

/// `linear` of one input through several layers at once (attention's query, key and value
/// projections): their products go to the threads in one hand-off instead of one each, with the same
/// results as separate calls.
public func linear(_ x: Tensor, layers: [(weight: Tensor, bias: Tensor?)]) -> [Tensor] {
    let prepared = layers.map { preparedLinear(x, weight: $0.weight, bias: $0.bias) }
    SgemmPieces.runTogether(prepared.map(\.product))
    return zip(layers, prepared).map { layer, prepared in
        recordLinear(x, weight: layer.weight, bias: layer.bias, result: prepared.result)
    }
}

/// The result tensor holding the bias rows, and the product that completes it.
private func preparedLinear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> (result: Tensor, product: SgemmPieces) {
    precondition(weight.rank == 2 && x.rank >= 1 && x.shape.last == weight.shape[1],
                 "linear: input \(x.shape) does not match weight \(weight.shape)")
    let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
    let rows = x.count / Swift.max(inFeatures, 1)
    let result = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [outFeatures])
    if let bias {
        precondition(bias.shape == [outFeatures], "linear: bias \(bias.shape) for \(outFeatures) outputs")
        for row in 0..<rows { (result.pointer + row * outFeatures).update(from: bias.pointer, count: outFeatures) }
    }
    let product = SgemmPieces(transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures,
                              a: x.pointer, lda: inFeatures, b: weight.pointer, ldb: inFeatures,
                              beta: bias == nil ? 0 : 1, c: result.pointer, ldc: outFeatures)
    return (result, product)
}

/// Records `result = x · weightᵀ + bias` on the tape with its backward pass.
private func recordLinear(_ x: Tensor, weight: Tensor, bias: Tensor?, result: Tensor) -> Tensor {
    let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
    let rows = x.count / Swift.max(inFeatures, 1)
    let inputs = [x, weight] + (bias.map { [$0] } ?? [])
    return Tensor.operation("linear", output: result, inputs: inputs) { g in
        var gradients: [Tensor?] = [nil, nil]
        if x.requiresGrad {
            let dx = Tensor.like(x)
            sgemm(transposeA: false, transposeB: false, m: rows, n: inFeatures, k: outFeatures,
                  a: g.pointer, lda: outFeatures, b: weight.pointer, ldb: inFeatures, c: dx.pointer, ldc: inFeatures)
            gradients[0] = dx
        }
        if weight.requiresGrad {
            let dw = Tensor.like(weight)
            sgemm(transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rows,
                  a: g.pointer, lda: outFeatures, b: x.pointer, ldb: inFeatures, c: dw.pointer, ldc: inFeatures)
            gradients[1] = dw
        }
        if let bias {
            gradients.append(bias.requiresGrad ? g.reshaped([rows, outFeatures]).sum(axis: 0) : nil)
        }
        return gradients
    }
}
