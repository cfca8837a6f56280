/// LayerNorm over the last axis: `(x − mean) / √(var + ε) · weight + bias` (biased variance, as PyTorch).
public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5) -> Tensor {
    normalize(x, centered: true, weight: weight, bias: bias, epsilon: epsilon)
}

/// RMSNorm over the last axis: `x / √(mean(x²) + ε) · weight`.
public func rmsNorm(_ x: Tensor, weight: Tensor?, epsilon: Float = 1e-6) -> Tensor {
    normalize(x, centered: false, weight: weight, bias: nil, epsilon: epsilon)
}

/// The shared row-normalisation kernel of LayerNorm (`centered`) and RMSNorm, with the fused backward
/// `dx = r·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))`, the mean term only when centred.
private func normalize(_ x: Tensor, centered: Bool, weight: Tensor?, bias: Tensor?, epsilon: Float) -> Tensor {
    let width = x.shape.last ?? 1, rows = x.count / Swift.max(width, 1)
    precondition((weight.map { $0.shape == [width] } ?? true) && (bias.map { $0.shape == [width] } ?? true),
                 "normalisation parameters \(weight?.shape ?? []), \(bias?.shape ?? []) for rows of \(width)")
    let inputs = GradientMode.isEnabled ? [x] + [weight, bias].compactMap { $0 } : []  // none at inference
    let recording = Tensor.willRecord(inputs)
    let result = Tensor.like(x)
    // Mean and reciprocal deviation per row: kept in a tensor for the backward pass when recording, else
    // in temporary memory, which costs no allocation at inference.
    let statistics = recording ? Tensor(uninitializedShape: [rows, 2]) : nil
    let gamma = weight?.pointer
    withUnsafeTemporaryAllocation(of: Float.self, capacity: recording ? 0 : 2 * rows) { temporary in
        normalizeRows(x.pointer, into: result.pointer, rows: rows, width: width, centered: centered,
                      gamma: gamma, beta: bias?.pointer, epsilon: epsilon,
                      statistics: statistics?.pointer ?? temporary.baseAddress!)
    }
    guard let statistics else { return result }
    return Tensor.operation(centered ? "layerNorm" : "rmsNorm", output: result, inputs: inputs) { g in
        let dx = Tensor.like(x)
        let dWeight = Tensor(zeros: [width]), dBias = Tensor(zeros: [width])
        var normalized = [Float](repeating: 0, count: width), scaled = normalized
        for row in 0..<rows {
            let input = x.pointer + row * width, upstream = g.pointer + row * width, out = dx.pointer + row * width
            let mean = statistics.pointer[2 * row], reciprocal = statistics.pointer[2 * row + 1]
            for j in 0..<width {
                normalized[j] = (input[j] - mean) * reciprocal
                scaled[j] = upstream[j] * (gamma?[j] ?? 1)
                dWeight.pointer[j] += upstream[j] * normalized[j]
                dBias.pointer[j] += upstream[j]
            }
            let meanScaled = centered ? VectorMath.sum(scaled, width) / Float(width) : 0
            let projection = VectorMath.dot(scaled, normalized, width) / Float(width)
            for j in 0..<width { out[j] = reciprocal * (scaled[j] - meanScaled - normalized[j] * projection) }
        }
        return [dx] + (weight.map { _ in [dWeight] } ?? []) + (bias.map { _ in [dBias] } ?? [])
    }
}

/// Normalises `rows` rows of `width` floats from `x` into `output`, writing each row's mean and reciprocal
/// deviation to `statistics[2·row ..< 2·row + 2]`.
///
/// Row by row, each row's statistics are a chain of dependent reductions, a square root and a division
/// that the processor cannot overlap with the next row's; in passes over the rows it can. The passes go
/// over blocks of `normalizationBlockRows` rows, which stay in the level-1 cache from one pass to the
/// next (passes over all of a pruner's 144 rows of 96 read them from level 2 four times). Every value is
/// computed as in a single pass. The centring and LayerNorm's (γ, β) scaling loop are
/// `VectorMath.elementwise`: left to the compiler, a 16-float row (a pruner's scorer) took twice as long
/// as a 32-float one.
func normalizeRows(
    _ x: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>, rows: Int, width: Int, centered: Bool,
    gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, epsilon: Float, statistics stats: UnsafeMutablePointer<Float>
) {
    for first in stride(from: 0, to: rows, by: normalizationBlockRows) {
        normalizeBlock(x + first * width, into: result + first * width, rows: Swift.min(normalizationBlockRows, rows - first),
                       width: width, centered: centered, gamma: gamma, beta: beta, epsilon: epsilon,
                       statistics: stats + 2 * first)
    }
}

/// Rows per block of `normalizeRows`' passes: 16 rows of 128 floats, in and out, fill half of a 32 KB
/// level-1 cache.
private let normalizationBlockRows = 16

/// `normalizeRows` on one block of rows, pass by pass.
@inline(__always)
private func normalizeBlock(
    _ x: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>, rows: Int, width: Int, centered: Bool,
    gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, epsilon: Float, statistics stats: UnsafeMutablePointer<Float>
) {
    for row in 0..<rows {
        stats[2 * row] = centered ? VectorMath.sum(x + row * width, width) / Float(width) : 0
    }
    for row in 0..<rows {
        let input = x + row * width, output = result + row * width, mean = stats[2 * row]
        VectorMath.elementwise(width) { VectorMath.store(VectorMath.load(input + $0) - mean, to: output + $0) }
            scalar: { output[$0] = input[$0] - mean }
        stats[2 * row + 1] = VectorMath.dot(output, output, width) / Float(width) + epsilon
    }
    for row in 0..<rows { stats[2 * row + 1] = 1 / stats[2 * row + 1].squareRoot() }
    for row in 0..<rows {
        let output = result + row * width, reciprocal = stats[2 * row + 1]
        switch (gamma, beta) {
        case let (gamma?, beta?):
            VectorMath.elementwise(width) { j in
                VectorMath.store(VectorMath.load(output + j) * reciprocal * VectorMath.load(gamma + j) + VectorMath.load(beta + j),
                                 to: output + j)
            } scalar: { output[$0] = output[$0] * reciprocal * gamma[$0] + beta[$0] }
        case let (gamma?, nil): for j in 0..<width { output[j] = output[j] * reciprocal * gamma[j] }
        case let (nil, beta?): for j in 0..<width { output[j] = output[j] * reciprocal + beta[j] }
        case (nil, nil): for j in 0..<width { output[j] *= reciprocal }
        }
    }
}

extension LayerNorm {
    /// This layer norm's kernel on raw rows (`callAsFunction`'s), for inference passes that split the rows
    /// over the threads. Like `PackedMatrix`, it holds its parameters as plain pointers, valid while the
    /// layer lives.
    struct RowKernel {
        let gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>
        let width: Int
        let epsilon: Float

        /// The norm of `rows` rows of `x` (of its width), written to `result`.
        func normalize(_ rows: Int, of x: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>) {
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * rows) { statistics in
                normalizeRows(x, into: result, rows: rows, width: width, centered: true, gamma: gamma, beta: beta,
                              epsilon: epsilon, statistics: statistics.baseAddress!)
            }
        }
    }

    var rowKernel: RowKernel { RowKernel(gamma: weight.pointer, beta: bias.pointer, width: weight.count, epsilon: epsilon) }
}
