/// A dense, row-major array of `Float` with a shape, and the handle through which gradients flow.
///
/// Tensors are contiguous: reshapes and slices along the first axis are views sharing storage, other
/// layout changes copy. A tensor is a class so that gradients can be attached to it by identity; treat its
/// values as immutable once it has been used in an operation (optimisers update parameters in place
/// between steps, never during a forward/backward pass).
public final class Tensor {
    /// The extent of each axis; `[]` is a scalar.
    public let shape: [Int]
    /// The number of elements, the product of `shape`.
    public let count: Int
    let storage: TensorStorage
    let offset: Int

    /// Whether gradients are tracked for this tensor. Set it on leaves (parameters, inputs); results of
    /// recorded operations have it set automatically.
    public var requiresGrad: Bool
    /// The accumulated gradient of a leaf after `backward()`, with the same shape; `nil` before.
    public internal(set) var grad: Tensor?
    /// The operation that produced this tensor, while the graph is alive.
    var node: GraphNode?

    init(shape: [Int], storage: TensorStorage, offset: Int = 0) {
        self.shape = shape
        self.count = shape.reduce(1, *)
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        precondition(offset + count <= storage.capacity, "view \(shape) exceeds its storage")
        self.storage = storage
        self.offset = offset
        self.requiresGrad = false
    }

    /// Uninitialised memory: every element must be written before the tensor is read.
    init(uninitializedShape shape: [Int]) {
        let count = shape.reduce(1, *)
        self.shape = shape
        self.count = count
        self.storage = TensorStorage(capacity: count)
        self.offset = 0
        self.requiresGrad = false
    }

    /// A tensor holding `values` (row-major) with the given shape.
    public convenience init(shape: [Int], values: [Float]) {
        self.init(uninitializedShape: shape)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    /// A tensor of the given shape whose elements `body` writes in place (row-major), every one of them.
    public convenience init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        self.init(uninitializedShape: shape)
        try body(UnsafeMutableBufferPointer(start: pointer, count: count))
    }

    /// A tensor of the given shape with every element equal to `value`.
    public convenience init(repeating value: Float, shape: [Int]) {
        self.init(uninitializedShape: shape)
        pointer.update(repeating: value, count: count)
    }

    /// A tensor of zeros.
    public convenience init(zeros shape: [Int]) { self.init(repeating: 0, shape: shape) }

    /// A scalar (rank-0) tensor.
    public convenience init(_ scalar: Float) { self.init(shape: [], values: [scalar]) }

    /// Independent draws from N(0, std²), in row-major order, from `source`.
    public convenience init(
        randomNormal shape: [Int], standardDeviation std: Float = 1, using source: inout some RandomSource
    ) {
        self.init(uninitializedShape: shape)
        for i in 0..<count { pointer[i] = std * source.nextGaussian() }
    }

    /// The first element; mainly for scalars such as losses.
    public var item: Float { pointer[0] }

    /// The rank (number of axes).
    public var rank: Int { shape.count }

    /// A copy of the elements in row-major order.
    public var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Read access to the elements without copying them.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// Write access to the elements, for custom operations filling a freshly made output and for
    /// optimisers updating parameters between steps.
    public func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        defer { valuesChanged() }
        return try body(UnsafeMutableBufferPointer(start: pointer, count: count))
    }

    /// Marks an in-place update of values that may already be in use (see `TensorStorage.version`).
    func valuesChanged() { storage.version.add(1, ordering: .releasing) }

    /// The first element of this tensor in its storage.
    var pointer: UnsafeMutablePointer<Float> { storage.base + offset }

    /// The same values, outside the graph: no gradient flows through the result.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage, offset: offset) }

    /// A new tensor with its own copy of the values, outside the graph.
    public func copy() -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        result.pointer.update(from: pointer, count: count)
        return result
    }

    /// A tensor of the same shape with uninitialised memory.
    static func like(_ other: Tensor) -> Tensor { Tensor(uninitializedShape: other.shape) }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = values.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), values: [\(preview)\(count > 8 ? ", …" : "")])"
    }
}
