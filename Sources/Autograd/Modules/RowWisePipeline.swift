/// A per-token pipeline of linear layers, layer norms, GELUs and log-softmaxes, such as a pruner's scorer:
/// each row of its result (along the last axis) depends on the same row of its input alone.
///
/// Applied one operation at a time, each operation hands its work to the threads, allocates its result,
/// and leaves half of it in the other core's cache for the next one. At inference (inside
/// `BLAS.latencyBound`, without gradients) the pipeline instead gives each thread a share of the rows and
/// runs every stage on them in one hand-off, through the same kernels, on scratch memory: the same bits,
/// on any number of threads. Elsewhere it applies the modules in turn, recording gradients as they do.
public struct RowWisePipeline {
    /// One stage: a module, or GELU (fused into the product when it follows a linear layer).
    public enum Stage {
        case linear(Linear)
        case layerNorm(LayerNorm)
        case gelu
        /// Log-softmax over each row.
        case logSoftmax
    }

    /// The stages, applied in order.
    public let stages: [Stage]

    /// Rows below which a share is not worth handing to another thread.
    private static let minimumRowsPerShare = 16

    /// A pipeline of `stages`, applied in order.
    public init(_ stages: [Stage]) { self.stages = stages }

    /// The stages applied in turn to `x` (`[..., width]`).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let rows = matrixRows(of: x)
        guard Parallel.isLatencyBound, !GradientMode.isEnabled, x.rank >= 1, rows > 0,
              let plan = Plan(stages, width: x.shape[x.rank - 1])
        else { return stages.reduce(x, Self.apply) }
        let result = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [plan.widths.last!])
        Parallel.forEachRange(rows, minimumShare: Self.minimumRowsPerShare) { range, _ in
            // Two buffers for the intermediate results, each wide enough for every stage's rows.
            let buffer = range.count * plan.widths.max()!
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * buffer) { scratch in
                plan.run(rows: range.count, from: x.pointer + range.lowerBound * plan.widths.first!,
                         into: result.pointer + range.lowerBound * plan.widths.last!,
                         buffers: (scratch.baseAddress!, scratch.baseAddress! + buffer))
            }
        }
        return result
    }

    /// One stage as its module or operation applies it.
    private static func apply(_ x: Tensor, _ stage: Stage) -> Tensor {
        switch stage {
        case .linear(let layer): layer(x)
        case .layerNorm(let norm): norm(x)
        case .gelu: x.gelu()
        case .logSoftmax: Autograd.logSoftmax(x)
        }
    }

    /// The stages as kernels on rows, with a GELU after a linear layer fused into its product.
    private struct Plan {
        enum Step {
            case product(PackedWeights, Linear, gelu: Bool)
            case normalize(LayerNorm)
            case gelu
            case logSoftmax
        }

        let steps: [Step]
        /// The row width before the first step and after each.
        let widths: [Int]

        /// Nil when a linear layer's weights are not a whole storage (no packed form); traps when a
        /// stage's width does not follow from the one before.
        init?(_ stages: [Stage], width: Int) {
            var steps: [Step] = [], widths = [width]
            for stage in stages {
                switch stage {
                case .linear(let layer):
                    guard let packed = PackedWeights.of(layer.weight) else { return nil }
                    precondition(packed.inputs == widths.last! && (layer.bias?.count ?? packed.outputs) == packed.outputs,
                                 "pipeline: a \(packed.outputs)×\(packed.inputs) linear layer on rows of \(widths.last!)")
                    steps.append(.product(packed, layer, gelu: false))
                    widths.append(packed.outputs)
                case .layerNorm(let norm):
                    precondition(norm.weight.count == widths.last!, "pipeline: a layer norm of \(norm.weight.count) on rows of \(widths.last!)")
                    steps.append(.normalize(norm))
                    widths.append(widths.last!)
                case .gelu:
                    if case .product(let packed, let layer, false)? = steps.last {
                        steps[steps.count - 1] = .product(packed, layer, gelu: true)
                    } else {
                        steps.append(.gelu)
                        widths.append(widths.last!)
                    }
                case .logSoftmax:
                    steps.append(.logSoftmax)
                    widths.append(widths.last!)
                }
            }
            (self.steps, self.widths) = (steps, widths)
        }

        /// Every step on `rows` rows of `x`, through the two buffers in turn, the last into `result`.
        func run(rows: Int, from x: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>,
                 buffers: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)) {
            var input = x
            for (index, step) in steps.enumerated() {
                let width = widths[index + 1]
                let output = index == steps.count - 1 ? result : (index % 2 == 0 ? buffers.0 : buffers.1)
                switch step {
                case .product(let weights, let layer, let gelu):
                    PackedProduct(rows: rows, x: input, weights: weights, bias: layer.bias?.pointer, c: output,
                                  epilogue: gelu ? .gelu : .none).run(0..<weights.panels)
                case .normalize(let norm):
                    norm.normalize(rows, of: input, into: output)
                case .gelu:
                    GELUKernel.values(input, output, count: rows * width)
                case .logSoftmax:
                    for row in 0..<rows {
                        softmaxRow(input + row * width, into: output + row * width, width: width, logarithm: true)
                    }
                }
                input = UnsafePointer(output)
            }
            if steps.isEmpty { result.update(from: x, count: rows * widths[0]) }
        }
    }
}
