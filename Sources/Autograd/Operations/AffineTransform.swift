/// The affine map `x · weightᵀ + bias` over the last axis: the bias is copied into the result, which
/// the product then accumulates into (`sgemm` with β = 1).
///
/// `x` is `[..., in]`, `weight` is `[out, in]` (PyTorch's layout, so safetensors weights load as they
/// are), `bias` is `[out]`; the result is `[..., out]`.
///
/// Inside `BLAS.latencyBound` with gradients off (a batch-1 prefill, a pruner's scoring), the product
/// runs on weights packed once for the inference kernel (`PackedWeights`): the same values to rounding,
/// each output a fused multiply-add chain in input order.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    if let packed = packedLinear(x, weight: weight, bias: bias) { return computed(packed) }
    let (result, product) = preparedLinear(x, weight: weight, bias: bias)
    product.runAll()
    return recordLinear(x, weight: weight, bias: bias, result: result)
}

/// `linear(x, weight:, bias:).gelu()`, the first half of a transformer MLP. In the inference kernel each
/// thread applies the GELU to the outputs it has just computed (the same values), which saves a hand-off
/// to the threads and a pass over the activations.
func linearGELU(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    guard let packed = packedLinear(x, weight: weight, bias: bias, then: .gelu) else {
        return linear(x, weight: weight, bias: bias).gelu()
    }
    return computed(packed)
}

/// `residual + linear(x, weight:, bias:)`, a residual connection. In the inference kernel each thread adds
/// the residual to the outputs it has just computed (the same values), which saves a pass and a tensor.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, adding residual: Tensor) -> Tensor {
    checkLinearShapes(x, weight: weight, bias: bias)
    let shape = Array(x.shape.dropLast()) + [weight.shape[0]]
    precondition(residual.shape == shape, "linear: residual \(residual.shape) for a result \(shape)")
    guard let packed = packedLinear(x, weight: weight, bias: bias, then: .adding(residual.pointer)) else {
        return residual + linear(x, weight: weight, bias: bias)
    }
    return computed(packed)
}

/// The result of one packed product, once computed.
private func computed(_ packed: (result: Tensor, product: PackedProduct, weights: PackedWeights)) -> Tensor {
    withExtendedLifetime(packed.weights) { PackedProduct.runTogether([packed.product]) }
    return packed.result
}

/// `linear` of one input through several layers at once (attention's query, key and value
/// projections): their products go to the threads in one hand-off instead of one each, with the same
/// results as separate calls.
public func linear(_ x: Tensor, layers: [(weight: Tensor, bias: Tensor?)]) -> [Tensor] {
    // Each layer takes the path it would take alone: the inference kernel where it applies, else OpenBLAS.
    let packed = layers.map { packedLinear(x, weight: $0.weight, bias: $0.bias) }
    withExtendedLifetime(packed) { PackedProduct.runTogether(packed.compactMap { $0?.product }) }
    let prepared = zip(layers, packed).map { layer, packed in
        packed == nil ? preparedLinear(x, weight: layer.weight, bias: layer.bias) : nil
    }
    SgemmPieces.runTogether(prepared.compactMap { $0?.product })
    return layers.indices.map { index in
        if let packed = packed[index] { return packed.result }
        return recordLinear(x, weight: layers[index].weight, bias: layers[index].bias, result: prepared[index]!.result)
    }
}

/// The result tensor, the packed-weight product that fills it and the packed weights it reads (to be kept
/// alive until it has run), when the inference kernel applies: inside `BLAS.latencyBound`, not recording
/// gradients, and `weight` a whole storage.
private func packedLinear(_ x: Tensor, weight: Tensor, bias: Tensor?, then epilogue: PackedProduct.Epilogue = .none)
    -> (result: Tensor, product: PackedProduct, weights: PackedWeights)? {
    guard Parallel.isLatencyBound, !GradientMode.isEnabled else { return nil }
    checkLinearShapes(x, weight: weight, bias: bias)
    guard let packed = PackedWeights.of(weight) else { return nil }
    let result = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [packed.outputs])
    let product = PackedLayer(packed, bias: bias).product(rows: matrixRows(of: x), x: x.pointer, into: result.pointer,
                                                          then: epilogue)
    return (result, product, packed)
}

/// The rows of `x` as a matrix of its last axis (the product of the other extents, whatever that one is).
func matrixRows(of x: Tensor) -> Int { x.shape.dropLast().reduce(1, *) }

private func checkLinearShapes(_ x: Tensor, weight: Tensor, bias: Tensor?) {
    precondition(weight.rank == 2 && x.rank >= 1 && x.shape.last == weight.shape[1],
                 "linear: input \(x.shape) does not match weight \(weight.shape)")
    if let bias { precondition(bias.shape == [weight.shape[0]], "linear: bias \(bias.shape) for \(weight.shape[0]) outputs") }
}

/// The result tensor holding the bias rows, and the product that completes it.
private func preparedLinear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> (result: Tensor, product: SgemmPieces) {
    checkLinearShapes(x, weight: weight, bias: bias)
    let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
    let rows = matrixRows(of: x)
    let result = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [outFeatures])
    if let bias {
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
    let rows = matrixRows(of: x)
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
