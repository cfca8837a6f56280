import CKernels

/// A weight matrix `[out, in]` packed into panels of 16 output columns for the inference kernel
/// (`prunelab_packed_linear`), made once per version of the weights and kept with their storage.
///
/// A general GEMM packs its operands on every call; for a batch-1 prefill of a few dozen rows that
/// packing costs as much as the arithmetic. Weights do not change between prefills, so they are packed
/// once; the kernel then streams them contiguously at close to the core's peak whatever the row count.
final class PackedWeights: @unchecked Sendable {
    let outputs: Int, inputs: Int
    /// The storage version these values were packed from.
    let version: Int
    let base: UnsafeMutablePointer<Float>

    var panels: Int { Int(prunelab_panel_count(Int32(outputs))) }

    /// The packed values and their shape, for a product.
    var matrix: PackedMatrix { PackedMatrix(base: base, outputs: outputs, inputs: inputs) }

    private init(_ weight: Tensor, version: Int) {
        (outputs, inputs) = (weight.shape[0], weight.shape[1])
        self.version = version
        let count = Swift.max(1, prunelab_packed_size(Int32(outputs), Int32(inputs)))
        base = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
        prunelab_pack_weights(Int32(outputs), Int32(inputs), weight.pointer, base)
    }

    deinit { base.deallocate() }

    /// The packed form of the current values of `weight`, a whole storage's `[out, in]` matrix: cached,
    /// and packed again after its values change. Nil for a view on part of a larger storage.
    static func of(_ weight: Tensor) -> PackedWeights? {
        let storage = weight.storage
        guard weight.rank == 2, weight.offset == 0, weight.count == storage.capacity else { return nil }
        return storage.packed.withLock { cached in
            let version = storage.version.load(ordering: .acquiring)
            if let cached, cached.version == version, cached.outputs == weight.shape[0] { return cached }
            let packed = PackedWeights(weight, version: version)
            cached = packed
            return packed
        }
    }
}

/// What a product reads of a `PackedWeights`, as plain values: a thread that runs a product with it changes
/// no reference count. In this machine's slow spells (the two virtual CPUs then answer each other in about
/// 350 ns instead of 65) each count that the other core changed last costs such a round trip, and the
/// threads of a pruner's pipeline or of a transformer block used to change dozens per hand-off. Valid
/// while its `PackedWeights` lives: whoever makes a product keeps that alive until it has run.
struct PackedMatrix {
    let base: UnsafePointer<Float>
    let outputs: Int, inputs: Int

    var panels: Int { Int(prunelab_panel_count(Int32(outputs))) }
}

/// A linear layer at inference as plain values: its packed weights and its bias (see `PackedMatrix`).
/// Valid while its `PackedWeights` and its bias live.
struct PackedLayer {
    let weights: PackedMatrix
    let bias: UnsafePointer<Float>?

    init(_ weights: PackedWeights, bias: Tensor?) {
        (self.weights, self.bias) = (weights.matrix, bias.map { UnsafePointer($0.pointer) })
    }

    /// This layer on the `rows` rows of `x`, into `c`.
    func product(rows: Int, x: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
                 then epilogue: PackedProduct.Epilogue = .none) -> PackedProduct {
        PackedProduct(rows: rows, x: x, weights: weights, bias: bias, c: c, epilogue: epilogue)
    }
}

/// One `x · weightᵀ + bias` through packed weights: its panels can be computed in any grouping, on any
/// thread, with the same results.
struct PackedProduct {
    let rows: Int
    let x: UnsafePointer<Float>
    let weights: PackedMatrix
    let bias: UnsafePointer<Float>?
    let c: UnsafeMutablePointer<Float>
    /// What each thread does to the outputs it has just computed, before any other thread reads them.
    let epilogue: Epilogue

    enum Epilogue {
        case none
        /// GELU of each output.
        case gelu
        /// The value at the same place in a row-major matrix of the result's shape added to each output
        /// (a residual connection).
        case adding(UnsafePointer<Float>)
    }

    /// Products are not split into pieces of fewer floating-point operations than this.
    private static let minimumPieceFLOPs = 1 << 17

    /// The product on rows `rows` of `x` and `c` (and of the residual), all panels, as one piece.
    func run(rows range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) of a \(rows)-row product")
        let (inputs, outputs) = (weights.inputs, weights.outputs)
        var epilogue = epilogue
        if case .adding(let residual) = epilogue { epilogue = .adding(residual + range.lowerBound * outputs) }
        PackedProduct(rows: range.count, x: x + range.lowerBound * inputs, weights: weights, bias: bias,
                      c: c + range.lowerBound * outputs, epilogue: epilogue).run(0..<weights.panels)
    }

    /// Computes the outputs of `panels`.
    func run(_ panels: Range<Int>) {
        prunelab_packed_linear(Int32(rows), Int32(weights.outputs), Int32(weights.inputs), x, Int32(weights.inputs),
                               weights.base, bias, c, Int32(weights.outputs), Int32(panels.lowerBound),
                               Int32(panels.upperBound))
        let width = Int(PRUNELAB_PANEL_WIDTH), outputs = weights.outputs
        let columns = panels.lowerBound * width..<Swift.min(panels.upperBound * width, outputs)
        switch epilogue {
        case .none: return
        case .gelu where columns.count == outputs:  // whole rows: one contiguous run
            GELUKernel.values(c, c, count: rows * outputs)
        case .gelu:
            for row in 0..<rows {
                let y = c + row * outputs + columns.lowerBound
                GELUKernel.values(y, y, count: columns.count)
            }
        case .adding(let residual):
            for row in 0..<rows {
                let y = c + row * outputs, r = residual + row * outputs
                for j in columns { y[j] = r[j] + y[j] }
            }
        }
    }

    /// Runs every panel of every product in one hand-off, the panels shared evenly over the threads
    /// (the split never changes results, each output being computed the same way wherever it is, so it
    /// may follow the thread count).
    static func runTogether(_ products: [PackedProduct]) {
        let panels = products.reduce(0) { $0 + $1.weights.panels }
        let flops = products.reduce(0) { $0 + 2 * $1.rows * $1.weights.outputs * $1.weights.inputs }
        let pieces = Swift.max(1, Swift.min(Parallel.threadCount, panels, flops / minimumPieceFLOPs))
        Parallel.forEach(pieces) { piece, _ in
            // This piece's panels, numbered across the products in order.
            var first = panels * piece / pieces, last = panels * (piece + 1) / pieces
            for product in products {
                let count = product.weights.panels
                if first < count && last > 0 { product.run(Swift.max(first, 0)..<Swift.min(last, count)) }
                first -= count
                last -= count
            }
        }
    }
}
