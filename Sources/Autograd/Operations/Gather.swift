extension Tensor {
    /// The entries at `indices` along `axis`, in the order given (repeats allowed): selecting token rows
    /// for pruning, or looking up embeddings (`table.gathered([ids], axis: 0)`). The backward pass
    /// scatter-adds in index order, so repeated indices accumulate deterministically.
    public func gathered(_ indices: [Int], axis: Int) -> Tensor {
        let axis = normalizedAxis(axis)
        let (outer, extent, inner) = extents(around: axis)
        precondition(indices.allSatisfy { $0 >= 0 && $0 < extent }, "gather index out of range 0..<\(extent)")
        var newShape = shape
        newShape[axis] = indices.count
        let result = Tensor(uninitializedShape: newShape)
        for o in 0..<outer {
            for (j, index) in indices.enumerated() {
                (result.pointer + (o * indices.count + j) * inner).update(from: pointer + (o * extent + index) * inner, count: inner)
            }
        }
        return Tensor.operation("gather", output: result, inputs: [self]) { [shape] g in
            let dx = Tensor(zeros: shape)
            for o in 0..<outer {
                for (j, index) in indices.enumerated() {
                    let source = g.pointer + (o * indices.count + j) * inner
                    let target = dx.pointer + (o * extent + index) * inner
                    VectorMath.accumulate(source, into: target, inner)
                }
            }
            return [dx]
        }
    }
}
