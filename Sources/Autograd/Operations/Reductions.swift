extension Tensor {
    /// The sum of all elements, as a scalar.
    public func sum() -> Tensor {
        let result = Tensor(VectorMath.sum(pointer, count))
        return Tensor.operation("sum", output: result, inputs: [self]) { [shape] g in
            [Tensor(repeating: g.item, shape: shape)]
        }
    }

    /// The mean of all elements, as a scalar.
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Sums over `axis` (negative counts from the back), keeping it with extent 1 if asked.
    public func sum(axis: Int, keepingDimension: Bool = false) -> Tensor {
        let axis = normalizedAxis(axis)
        let (outer, extent, inner) = extents(around: axis)
        var reducedShape = shape
        reducedShape[axis] = 1
        let result = Tensor(zeros: reducedShape), x = pointer, y = result.pointer
        for o in 0..<outer {
            let out = y + o * inner
            if inner == 1 {
                out[0] = VectorMath.sum(x + o * extent, extent)
                continue
            }
            for a in 0..<extent {
                let row = x + (o * extent + a) * inner
                VectorMath.accumulate(row, into: out, inner)
            }
        }
        if !keepingDimension { reducedShape.remove(at: axis) }
        let output = result.reshaped(reducedShape)
        return Tensor.operation("sumAxis", output: output, inputs: [self]) { [shape] g in
            var kept = shape
            kept[axis] = 1
            return [g.reshaped(kept).broadcasted(to: shape)]
        }
    }

    /// The Euclidean norm of each row of a matrix, with the bits of `(self * self).sum(axis: 1).sqrt()`
    /// but without its intermediate tensors: for scores at inference (no gradient is recorded).
    public func rowNorms() -> [Float] {
        precondition(shape.count == 2, "rowNorms of a tensor of shape \(shape), not a matrix")
        let (rows, width, x) = (shape[0], shape[1], pointer)
        return (0..<rows).map { VectorMath.dot(x + $0 * width, x + $0 * width, width).squareRoot() }
    }

    /// The mean over `axis`, keeping it with extent 1 if asked.
    public func mean(axis: Int, keepingDimension: Bool = false) -> Tensor {
        sum(axis: axis, keepingDimension: keepingDimension) * (1 / Float(shape[normalizedAxis(axis)]))
    }
}
