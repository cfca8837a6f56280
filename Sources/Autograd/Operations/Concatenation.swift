extension Tensor {
    /// Elements `range` along `axis`. Along the first axis (or when every earlier extent is 1) this is a
    /// view sharing storage; otherwise a copy.
    public func sliced(axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = normalizedAxis(axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[axis], "slice \(range) of axis \(axis) in \(shape)")
        let (outer, extent, inner) = extents(around: axis)
        var newShape = shape
        newShape[axis] = range.count
        let result: Tensor
        if outer == 1 {
            result = Tensor(shape: newShape, storage: storage, offset: offset + range.lowerBound * inner)
        } else {
            result = Tensor(uninitializedShape: newShape)
            let block = range.count * inner
            for o in 0..<outer {
                (result.pointer + o * block).update(from: pointer + (o * extent + range.lowerBound) * inner, count: block)
            }
        }
        return Tensor.operation("slice", output: result, inputs: [self]) { [shape] g in
            let dx = Tensor(zeros: shape), block = range.count * inner
            for o in 0..<outer {
                (dx.pointer + (o * extent + range.lowerBound) * inner).update(from: g.pointer + o * block, count: block)
            }
            return [dx]
        }
    }
}

/// Joins tensors along `axis`; all other extents must agree.
public func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
    precondition(!tensors.isEmpty, "concat of no tensors")
    let first = tensors[0], axis = first.normalizedAxis(axis)
    for t in tensors {
        precondition(t.rank == first.rank && (0..<t.rank).allSatisfy { $0 == axis || t.shape[$0] == first.shape[$0] },
                     "concat: shape \(t.shape) does not match \(first.shape) off axis \(axis)")
    }
    var shape = first.shape
    shape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
    let (outer, total, inner) = (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    let result = Tensor(uninitializedShape: shape)
    var start = 0
    var ranges: [Range<Int>] = []
    for t in tensors {
        let block = t.shape[axis] * inner
        for o in 0..<outer {
            (result.pointer + (o * total + start) * inner).update(from: t.pointer + o * block, count: block)
        }
        ranges.append(start..<start + t.shape[axis])
        start += t.shape[axis]
    }
    return Tensor.operation("concat", output: result, inputs: tensors) { g in
        zip(tensors, ranges).map { t, range in t.requiresGrad ? g.sliced(axis: axis, range).copy() : nil }
    }
}
