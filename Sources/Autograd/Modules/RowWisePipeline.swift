import Synchronization

/// A per-token pipeline of linear layers, layer norms and GELUs, such as a pruner's scorer:
/// each row of its result (along the last axis) depends on the same row of its input alone, except
/// where a pooling stage mixes the rows of a sequence.
///
/// Applied one operation at a time, each operation hands its work to the threads, allocates its result,
/// and leaves half of it in the other core's cache for the next one. At inference (inside
/// `BLAS.latencyBound`, without gradients) the pipeline instead gives each thread a share of the rows and
/// runs every stage on them in one hand-off, through the same kernels, on scratch memory: the same bits,
/// on any number of threads. At a pooling stage the threads take turns to add up their rows in order and
/// then go on with the same rows, still in their caches (or, with one share of rows, inside
/// `BLAS.serially` or while the helpers are busy, the caller pools between two hand-offs). Elsewhere it
/// applies the modules in turn, recording gradients as they do.
public final class RowWisePipeline {
    /// One stage: a module, or GELU (fused into the product when it follows a linear layer).
    public enum Stage {
        case linear(Linear)
        case layerNorm(LayerNorm)
        case gelu
        /// DynamicViT's global feature: channels `from...` of every row replaced by their sum over the
        /// rows of its sequence (the second-to-last axis) divided by (rows + `epsilon`).
        case poolTokens(from: Int, epsilon: Float)
    }

    /// The stages, applied in order.
    public let stages: [Stage]

    /// The plan of the last call, reused while the input width and the weights' values are the same: a
    /// pruner's scorer runs once per image, right after a prefill has evicted its code, so building the
    /// plan again each time costs far more than its arithmetic suggests.
    private let cachedPlan = Mutex<Plan?>(nil)

    /// Rows below which a share is not worth handing to another thread.
    private static let minimumRowsPerShare = 16

    /// A pipeline of `stages`, applied in order.
    public init(_ stages: [Stage]) { self.stages = stages }

    /// The stages applied in turn to `x` (`[..., width]`).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let rows = matrixRows(of: x)
        guard Parallel.isLatencyBound, !GradientMode.isEnabled, x.rank >= 1, rows > 0,
              let plan = plan(width: x.shape[x.rank - 1])
        else { return stages.reduce(x, Self.apply) }
        precondition(x.rank >= 2 || plan.segments.count == 1, "pipeline: pooling tokens needs rows of a sequence, got shape \(x.shape)")
        let result = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [plan.widths.last!])
        if plan.segments.count == 1 {
            // Without pooling (DiffPrune's scorer) the one segment is handed out directly: through
            // `runSegmentBySegment` it measured 3-6 % slower right after a prefill (40 paired rounds).
            let (inputWidth, outputWidth) = (plan.widths[0], plan.widths.last!)
            Parallel.forEachRange(rows, minimumShare: Self.minimumRowsPerShare) { range, _ in
                plan.run(plan.segments[0], rows: range.count, from: x.pointer + range.lowerBound * inputWidth,
                         into: result.pointer + range.lowerBound * outputWidth)
            }
            return result
        }
        let sequence = x.rank >= 2 ? x.shape[x.rank - 2] : 1
        let shares = Swift.min(Parallel.threadCount, rows / Self.minimumRowsPerShare)
        if shares < 2 || !runTogether(plan, on: x, into: result, shares: shares, sequence: sequence) {
            runSegmentBySegment(plan, on: x, into: result, sequence: sequence)
        }
        return result
    }

    /// Each segment in a hand-off of its own, the caller pooling in between: for one share of rows, or
    /// when the threads are not free to run the segments together.
    @inline(never)
    private func runSegmentBySegment(_ plan: Plan, on x: Tensor, into result: Tensor, sequence: Int) {
        let rows = matrixRows(of: x)
        var input = x
        for (index, segment) in plan.segments.enumerated() {
            let output = index == plan.segments.count - 1
                ? result : Tensor(uninitializedShape: Array(x.shape.dropLast()) + [plan.widths[segment.upperBound]])
            let (inputWidth, outputWidth) = (plan.widths[segment.lowerBound], plan.widths[segment.upperBound])
            // The pooled channels of each sequence, from every row of the previous segment.
            let count = index == 0 ? 0 : rows / sequence * plan.pooledWidths[index - 1]
            let pooled = index == 0 ? [] : [Float](unsafeUninitializedCapacity: count) {
                plan.pool(0..<rows, of: input.pointer, sequence: sequence, step: segment.lowerBound, into: $0.baseAddress!)
                $1 = $0.count
            }
            Parallel.forEachRange(rows, minimumShare: Self.minimumRowsPerShare) { range, _ in
                let first = input.pointer + range.lowerBound * inputWidth
                if index > 0 { plan.spread(pooled, into: first, rows: range, sequence: sequence, step: segment.lowerBound) }
                plan.run(segment, rows: range.count, from: first, into: output.pointer + range.lowerBound * outputWidth)
            }
            input = output
        }
    }

    /// Every segment in one hand-off, one share of the rows per thread; false when that many threads are not
    /// free. Between segments a thread keeps its rows in its own memory. At a pooling step the shares take
    /// turns in row order, each passing on the running sum of a sequence that goes on into the next share's
    /// rows, so the pooled channels have the bits of one pass over the rows, while each thread reads only
    /// its own rows and the other threads' sums.
    @inline(never)
    private func runTogether(_ plan: Plan, on x: Tensor, into result: Tensor, shares: Int, sequence: Int) -> Bool {
        let rows = matrixRows(of: x), sequences = rows / sequence
        // Per pooling step: every sequence's pooled channels, then the running sum carried over each of the
        // `shares - 1` boundaries between shares (slot s: from share s into share s + 1). The last share
        // carries nothing out: the rows end with a whole sequence.
        let offsets = plan.pooledWidths.reduce(into: [0]) { $0.append($0.last! + (sequences + shares - 1) * $1) }
        let turns = Turns()
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: Swift.max(1, offsets.last!)) { shared in
            Parallel.together(shares) { share in
                let range = (rows * share / shares)..<(rows * (share + 1) / shares)
                let between = range.count * plan.widestBetweenSegments
                withUnsafeTemporaryAllocation(of: Float.self, capacity: Swift.max(1, 2 * between)) { own in
                    var input = x.pointer + range.lowerBound * plan.widths[0]
                    for (index, segment) in plan.segments.enumerated() {
                        if index > 0 {
                            let (turn, count) = ((index - 1) * shares + share, plan.pooledWidths[index - 1])
                            let pooled = shared.baseAddress! + offsets[index - 1], carried = pooled + sequences * count
                            turns.wait(until: turn)
                            plan.pool(range, of: input, sequence: sequence, step: segment.lowerBound, into: pooled,
                                      carryingIn: share > 0 ? carried + (share - 1) * count : nil,
                                      carryingOut: share < shares - 1 ? carried + share * count : nil)
                            turns.taken.store(turn + 1, ordering: .releasing)
                            turns.wait(until: index * shares)
                            plan.spread(pooled, into: input, rows: range, sequence: sequence, step: segment.lowerBound)
                        }
                        let output = index == plan.segments.count - 1
                            ? result.pointer + range.lowerBound * plan.widths.last! : own.baseAddress! + index % 2 * between
                        plan.run(segment, rows: range.count, from: input, into: output)
                        input = output
                    }
                }
            }
        }
    }

    /// The pooling turns the shares of `runTogether` have taken.
    private final class Turns: Sendable {
        let taken = Atomic<Int>(0)

        /// Returns once `taken` has reached `count`.
        func wait(until count: Int) { Spinning.until { taken.load(ordering: .acquiring) >= count } }
    }

    /// The plan for rows of `width`: the cached one while it is current, else a new one (nil when the
    /// stages have no plan: see `Plan.init`).
    private func plan(width: Int) -> Plan? {
        cachedPlan.withLock { cached in
            if let plan = cached, plan.isCurrent(width: width) { return plan }
            cached = Plan(stages, width: width)
            return cached
        }
    }

    /// One stage as its module or operation applies it.
    private static func apply(_ x: Tensor, _ stage: Stage) -> Tensor {
        switch stage {
        case .linear(let layer): layer(x)
        case .layerNorm(let norm): norm(x)
        case .gelu: x.gelu()
        case .poolTokens(let from, let epsilon): poolTokens(x, from: from, epsilon: epsilon)
        }
    }

    /// `.poolTokens` as operations: the rows' first `from` channels, then the pooled rest, broadcast.
    private static func poolTokens(_ x: Tensor, from: Int, epsilon: Float) -> Tensor {
        precondition(x.rank >= 2, "pipeline: pooling tokens needs rows of a sequence, got shape \(x.shape)")
        let (channels, sequenceAxis) = (x.rank - 1, x.rank - 2)
        let width = x.shape[channels]
        let pooled = x.sliced(axis: channels, from..<width).sum(axis: sequenceAxis, keepingDimension: true)
            / Tensor(Float(x.shape[sequenceAxis]) + epsilon)
        var shape = x.shape
        shape[channels] = width - from
        return concat([x.sliced(axis: channels, 0..<from), pooled.broadcasted(to: shape)], axis: channels)
    }

    /// The stages as kernels on rows, with a GELU after a linear layer fused into its product. Immutable;
    /// the modules' weights are only read (`isCurrent` notices when they change). The steps hold what
    /// their kernels read as plain values (`PackedLayer`), so that the threads running a share change no
    /// reference count.
    private struct Plan: @unchecked Sendable {
        enum Step {
            case product(PackedLayer, gelu: Bool)
            case normalize(LayerNorm.RowKernel)
            case gelu
            /// Applied between segments (`pool`, `spread`), not by `run`.
            case pool(from: Int, epsilon: Float)
        }

        let steps: [Step]
        /// The packed weights the products read, with their layers: kept alive for the steps, and checked
        /// against the layers' current weights by `isCurrent`. (The layer norms' parameters and the biases
        /// the steps point to belong to the pipeline's stages, which outlive its plans.)
        let packed: [(weights: PackedWeights, layer: Linear)]
        /// The row width before the first step and after each.
        let widths: [Int]
        /// The steps of each segment: up to a pooling step (the next segment's first), and the rest.
        let segments: [Range<Int>]
        /// The widest row a step writes to a buffer rather than to a segment's result (1 when none does).
        let intermediateWidth: Int
        /// The widest row a segment but the last leaves for the next (0 without pooling).
        let widestBetweenSegments: Int
        /// The channels each segment but the first pools at its start.
        let pooledWidths: [Int]

        /// Nil when a linear layer's weights are not a whole storage (no packed form) or a pooling stage
        /// pools one channel; traps when a stage's width does not follow from the one before.
        init?(_ stages: [Stage], width: Int) {
            var steps: [Step] = [], packed: [(weights: PackedWeights, layer: Linear)] = [], widths = [width]
            for stage in stages {
                switch stage {
                case .linear(let layer):
                    guard let weights = PackedWeights.of(layer.weight) else { return nil }
                    precondition(weights.inputs == widths.last! && (layer.bias?.count ?? weights.outputs) == weights.outputs,
                                 "pipeline: a \(weights.outputs)×\(weights.inputs) linear layer on rows of \(widths.last!)")
                    steps.append(.product(PackedLayer(weights, bias: layer.bias), gelu: false))
                    packed.append((weights, layer))
                    widths.append(weights.outputs)
                case .layerNorm(let norm):
                    precondition(norm.weight.count == widths.last!, "pipeline: a layer norm of \(norm.weight.count) on rows of \(widths.last!)")
                    steps.append(.normalize(norm.rowKernel))
                    widths.append(widths.last!)
                case .gelu:
                    if case .product(let layer, false)? = steps.last {
                        steps[steps.count - 1] = .product(layer, gelu: true)
                    } else {
                        steps.append(.gelu)
                        widths.append(widths.last!)
                    }
                case .poolTokens(let from, let epsilon):
                    precondition(from >= 0 && from <= widths.last!, "pipeline: pooling channels \(from)... of rows of \(widths.last!)")
                    // `sum(axis:)` adds a single channel eight rows at a time (`VectorMath.sum`), not row by
                    // row as `pool` does: such a pipeline keeps to its modules, for their bits.
                    guard widths.last! - from != 1 else { return nil }
                    steps.append(.pool(from: from, epsilon: epsilon))
                    widths.append(widths.last!)
                }
            }
            let starts = [0] + steps.indices.filter { if case .pool = steps[$0] { true } else { false } }
            segments = zip(starts, starts.dropFirst() + [steps.count]).map { $0..<$1 }
            // Every step of a segment but its last writes to a buffer; a pooling step writes nothing.
            intermediateWidth = segments.flatMap { segment in
                segment.dropLast().filter { if case .pool = steps[$0] { false } else { true } }.map { widths[$0 + 1] }
            }.max() ?? 1
            widestBetweenSegments = segments.dropLast().map { widths[$0.upperBound] }.max() ?? 0
            pooledWidths = segments.dropFirst().map {
                guard case .pool(let from, _) = steps[$0.lowerBound] else {
                    preconditionFailure("a segment after the first starts with a pooling step")
                }
                return widths[$0.lowerBound] - from
            }
            (self.steps, self.packed, self.widths) = (steps, packed, widths)
        }

        /// Whether the plan still applies to rows of `width`: the same width, and weights whose values
        /// have not changed since they were packed.
        func isCurrent(width: Int) -> Bool {
            widths[0] == width
                && packed.allSatisfy { $0.weights.version == $0.layer.weight.storage.version.load(ordering: .acquiring) }
        }

        /// The pooling step `index` over `rows` (`x` points to the first), in order: each sequence's channels
        /// summed over its rows from zero (with `sum(axis:)`'s kernel), a sequence begun before `rows` going
        /// on from `carryingIn`, one going on after them left in `carryingOut`; each sequence ending within
        /// `rows` divided as `poolTokens` does and written to `pooled` (sequence after sequence): its bits.
        func pool(_ rows: Range<Int>, of x: UnsafePointer<Float>, sequence: Int, step index: Int,
                  into pooled: UnsafeMutablePointer<Float>,
                  carryingIn: UnsafePointer<Float>? = nil, carryingOut: UnsafeMutablePointer<Float>? = nil) {
            guard case .pool(let from, let epsilon) = steps[index] else { preconditionFailure("not a pooling step") }
            let (width, count, divisor) = (widths[index], widths[index] - from, Float(sequence) + epsilon)
            var row = rows.lowerBound
            while row < rows.upperBound {
                let (number, sequenceEnd) = (row / sequence, (row / sequence + 1) * sequence)
                let end = Swift.min(sequenceEnd, rows.upperBound)
                let sums = end == sequenceEnd ? pooled + number * count : carryingOut!
                if row == number * sequence {
                    sums.initialize(repeating: 0, count: count)
                } else {
                    sums.update(from: carryingIn!, count: count)
                }
                for row in row..<end { VectorMath.accumulate(x + (row - rows.lowerBound) * width + from, into: sums, count) }
                if end == sequenceEnd {
                    for i in 0..<count { sums[i] = sums[i] / divisor + 0 }  // + 0: the broadcast's addition
                }
                row = end
            }
        }

        /// Writes each sequence's `pooled` channels into `rows` (`x` points to the first) of the pooling step
        /// `index`'s input.
        func spread(_ pooled: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, rows: Range<Int>, sequence: Int,
                    step index: Int) {
            guard case .pool(let from, _) = steps[index] else { preconditionFailure("not a pooling step") }
            let (width, count) = (widths[index], widths[index] - from)
            for row in rows {
                (x + (row - rows.lowerBound) * width + from).update(from: pooled + row / sequence * count, count: count)
            }
        }

        /// `segment` of the steps on `rows` rows of `x` into `result`, through scratch in the thread's own
        /// memory (lines the other core did not write last).
        func run(_ segment: Range<Int>, rows: Int, from x: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>) {
            let buffer = rows * intermediateWidth
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * buffer) { scratch in
                run(segment, rows: rows, from: x, into: result, buffers: (scratch.baseAddress!, scratch.baseAddress! + buffer))
            }
        }

        /// `segment` of the steps on `rows` rows of `x`, through the two buffers in turn, the last into
        /// `result`. A pooling step, only ever a segment's first, was applied to `x` by `spread`.
        func run(_ segment: Range<Int>, rows: Int, from x: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>,
                 buffers: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)) {
            var input = x
            for index in segment {
                let width = widths[index + 1]
                let output = index == segment.upperBound - 1 ? result : (index % 2 == 0 ? buffers.0 : buffers.1)
                switch steps[index] {
                case .product(let layer, let gelu):
                    layer.product(rows: rows, x: input, into: output, then: gelu ? .gelu : .none).run(0..<layer.weights.panels)
                case .normalize(let norm):
                    norm.normalize(rows, of: input, into: output)
                case .gelu:
                    GELUKernel.values(input, output, count: rows * width)
                case .pool:
                    if output == result { result.update(from: input, count: rows * width) }
                    continue
                }
                input = UnsafePointer(output)
            }
            if segment.isEmpty { result.update(from: x, count: rows * widths[segment.lowerBound]) }
        }
    }
}
