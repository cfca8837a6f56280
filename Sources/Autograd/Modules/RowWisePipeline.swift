/// A per-token pipeline of linear layers, layer norms and GELUs, such as a pruner's scorer: each row of
/// its result depends on the same row of its input alone.
///
/// Applied one operation at a time, each operation hands its work to the threads, allocates its result,
/// and leaves half of it in the other core's cache for the next one. At inference (inside
/// `BLAS.latencyBound`, without gradients, on `[rows, width]`) the pipeline instead gives each thread a
/// share of the rows and runs every stage on them in one hand-off, through the same kernels, on scratch
/// memory: the same bits, on any number of threads. Elsewhere it applies the modules in turn, recording
/// gradients as they do.
public struct RowWisePipeline {
    public enum Stage {
        case linear(Linear)
        case layerNorm(LayerNorm)
        case gelu
    }

    public let stages: [Stage]

    /// Rows below which a share is not worth handing to another thread.
    private static let minimumRowsPerShare = 16

    public init(_ stages: [Stage]) { self.stages = stages }

    /// The stages applied in turn to `x`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard Parallel.isLatencyBound, !GradientMode.isEnabled, x.rank == 2, x.shape[0] > 0, let plan = Plan(stages, width: x.shape[1])
        else { return stages.reduce(x, Self.apply) }
        let rows = x.shape[0], shares = Swift.max(1, Swift.min(Parallel.threadCount, rows / Self.minimumRowsPerShare))
        let result = Tensor(uninitializedShape: [rows, plan.widths.last!])
        // Two buffers per share for the intermediate results, each wide enough for every stage's rows.
        let perShare = 2 * ((rows + shares - 1) / shares) * plan.widths.max()!
        let scratch = Tensor(uninitializedShape: [Swift.max(1, shares * perShare)])
        Parallel.forEach(shares) { share, _ in
            let first = rows * share / shares, count = rows * (share + 1) / shares - first
            let buffers = (scratch.pointer + share * perShare, scratch.pointer + share * perShare + perShare / 2)
            plan.run(rows: count, from: x.pointer + first * x.shape[1], into: result.pointer + first * plan.widths.last!,
                     buffers: buffers)
        }
        return result
    }

    /// One stage as its module or operation applies it.
    private static func apply(_ x: Tensor, _ stage: Stage) -> Tensor {
        switch stage {
        case .linear(let layer): layer(x)
        case .layerNorm(let norm): norm(x)
        case .gelu: x.gelu()
        }
    }

    /// The stages as kernels on rows, with a GELU after a linear layer fused into its product.
    private struct Plan {
        enum Step {
            case product(PackedWeights, bias: UnsafePointer<Float>?, gelu: Bool)
            case normalize(LayerNorm)
            case gelu
        }

        let steps: [Step]
        /// The row width before the first step and after each.
        let widths: [Int]
        /// The stages' parameters, kept alive while the plan's pointers to them are in use.
        private let stages: [Stage]

        /// Nil when a linear layer's weights are not a whole storage (no packed form), or a width does not match.
        init?(_ stages: [Stage], width: Int) {
            var steps: [Step] = [], widths = [width]
            for stage in stages {
                switch stage {
                case .linear(let layer):
                    guard let packed = PackedWeights.of(layer.weight), packed.inputs == widths.last! else { return nil }
                    steps.append(.product(packed, bias: layer.bias.map { UnsafePointer($0.pointer) }, gelu: false))
                    widths.append(packed.outputs)
                case .layerNorm(let norm):
                    guard norm.weight.count == widths.last! else { return nil }
                    steps.append(.normalize(norm))
                    widths.append(widths.last!)
                case .gelu:
                    if case .product(let packed, let bias, false)? = steps.last {
                        steps[steps.count - 1] = .product(packed, bias: bias, gelu: true)
                    } else {
                        steps.append(.gelu)
                        widths.append(widths.last!)
                    }
                }
            }
            (self.steps, self.widths, self.stages) = (steps, widths, stages)
        }

        /// Every step on `rows` rows of `x`, through the two buffers in turn, the last into `result`.
        func run(rows: Int, from x: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>,
                 buffers: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)) {
            var input = x
            for (index, step) in steps.enumerated() {
                let width = widths[index + 1]
                let output = index == steps.count - 1 ? result : (index % 2 == 0 ? buffers.0 : buffers.1)
                switch step {
                case .product(let weights, let bias, let gelu):
                    PackedProduct(rows: rows, x: input, weights: weights, bias: bias, c: output,
                                  epilogue: gelu ? .gelu : .none).run(0..<weights.panels)
                case .normalize(let norm):
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * rows) { statistics in
                        normalizeRows(input, into: output, rows: rows, width: width, centered: true,
                                      gamma: norm.weight.pointer, beta: norm.bias.pointer, epsilon: norm.epsilon,
                                      statistics: statistics.baseAddress!)
                    }
                case .gelu:
                    for i in 0..<rows * width { output[i] = GELUKernel.value(input[i]) }
                }
                input = UnsafePointer(output)
            }
            if steps.isEmpty { result.update(from: x, count: rows * widths[0]) }
        }
    }
}
