/// NumPy-style broadcasting: shapes are aligned at their last axis and an extent of 1 stretches.
enum Broadcasting {
    /// The broadcast shape of `a` and `b`; traps when they are incompatible.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = Swift.max(a.count, b.count)
        return (0..<rank).map { axis in
            let x = extent(a, axis, rank), y = extent(b, axis, rank)
            precondition(x == y || x == 1 || y == 1, "shapes \(a) and \(b) do not broadcast")
            return x == 1 ? y : x
        }
    }

    /// Element strides of a contiguous tensor of shape `shape` read as if it had shape `target`:
    /// 0 along broadcast axes.
    static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        precondition(shape.count <= target.count, "cannot broadcast \(shape) to \(target)")
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        for axis in (0..<target.count).reversed() {
            let extent = extent(shape, axis, target.count)
            precondition(extent == target[axis] || extent == 1, "cannot broadcast \(shape) to \(target)")
            strides[axis] = extent == 1 ? 0 : step
            step *= extent
        }
        return strides
    }

    /// Calls `body(row, offsetA, offsetB)` for each row (run along the last axis) of a tensor of shape
    /// `shape`, in row-major order, with the row's starting offsets in two operands of the given strides.
    static func forEachRow(
        shape: [Int], stridesA: [Int], stridesB: [Int], _ body: (_ row: Int, _ a: Int, _ b: Int) -> Void
    ) {
        let outer = Array(shape.dropLast())
        let rows = outer.reduce(1, *)
        guard rows > 0, shape.last ?? 1 > 0 else { return }
        var index = [Int](repeating: 0, count: outer.count)
        var offsetA = 0, offsetB = 0
        for row in 0..<rows {
            body(row, offsetA, offsetB)
            var axis = outer.count - 1
            while axis >= 0 {
                index[axis] += 1
                offsetA += stridesA[axis]
                offsetB += stridesB[axis]
                if index[axis] < outer[axis] { break }
                offsetA -= stridesA[axis] * outer[axis]
                offsetB -= stridesB[axis] * outer[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    private static func extent(_ shape: [Int], _ axis: Int, _ rank: Int) -> Int {
        let local = axis - (rank - shape.count)
        return local < 0 ? 1 : shape[local]
    }
}
