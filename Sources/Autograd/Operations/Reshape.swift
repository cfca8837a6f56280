extension Tensor {
    /// The same elements with another shape (a view, no copy). One extent may be `-1`, inferred.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            resolved[inferred] = count / known
        }
        precondition(resolved.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        let view = Tensor(shape: resolved, storage: storage, offset: offset)
        return Tensor.operation("reshape", output: view, inputs: [self]) { [shape] g in [g.reshaped(shape)] }
    }

    /// `axis` counted from the front, accepting negative axes counted from the back.
    func normalizedAxis(_ axis: Int) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        precondition(resolved >= 0 && resolved < rank, "axis \(axis) out of range for shape \(shape)")
        return resolved
    }

    /// The tensor seen as `[outer, shape[axis], inner]`: the products of the extents before and after
    /// `axis`.
    func extents(around axis: Int) -> (outer: Int, extent: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }
}
