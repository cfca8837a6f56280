/// An elementwise binary function, applied through broadcasting by `Tensor.combine`.
protocol BinaryKernel { static func apply(_ a: Float, _ b: Float) -> Float }

enum AddKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum SubtractKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum MultiplyKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivideKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }

extension Tensor {
    /// `kernel(a, b)` elementwise over the broadcast shape of `a` and `b`, not recorded.
    static func combine<K: BinaryKernel>(_ a: Tensor, _ b: Tensor, _: K.Type) -> Tensor {
        let x = a.pointer, y = b.pointer
        if a.shape == b.shape {
            let result = Tensor.like(a), z = result.pointer
            for i in 0..<a.count { z[i] = K.apply(x[i], y[i]) }
            return result
        }
        let shape = Broadcasting.shape(a.shape, b.shape)
        let stridesA = Broadcasting.strides(of: a.shape, broadcastTo: shape)
        let stridesB = Broadcasting.strides(of: b.shape, broadcastTo: shape)
        let result = Tensor(uninitializedShape: shape), z = result.pointer
        let length = shape.last ?? 1, stepA = stridesA.last ?? 0, stepB = stridesB.last ?? 0
        Broadcasting.forEachRow(shape: shape, stridesA: stridesA, stridesB: stridesB) { row, offsetA, offsetB in
            let out = z + row * length, u = x + offsetA, v = y + offsetB
            switch (stepA, stepB) {
            case (1, 1): for j in 0..<length { out[j] = K.apply(u[j], v[j]) }
            case (1, 0): let s = v[0]; for j in 0..<length { out[j] = K.apply(u[j], s) }
            case (0, 1): let s = u[0]; for j in 0..<length { out[j] = K.apply(s, v[j]) }
            default: for j in 0..<length { out[j] = K.apply(u[j * stepA], v[j * stepB]) }
            }
        }
        return result
    }

    /// This tensor summed over the axes along which `shape` was broadcast to give it; the adjoint of
    /// broadcasting, used by every broadcasting operation's backward pass.
    func summed(toShape target: [Int]) -> Tensor {
        if target == shape { return self }
        let result = Tensor(zeros: target), out = result.pointer, g = pointer
        let strides = Broadcasting.strides(of: target, broadcastTo: shape)
        let length = shape.last ?? 1, step = strides.last ?? 0
        Broadcasting.forEachRow(shape: shape, stridesA: strides, stridesB: strides) { row, offset, _ in
            let source = g + row * length, destination = out + offset
            if step == 1 {
                for j in 0..<length { destination[j] += source[j] }
            } else {
                var total = destination[0]
                for j in 0..<length { total += source[j] }
                destination[0] = total
            }
        }
        return result
    }

    /// This tensor stretched to `shape` by broadcasting (copied).
    public func broadcasted(to target: [Int]) -> Tensor {
        if target == shape { return self }
        let result = Tensor.combine(self, Tensor(zeros: target), AddKernel.self)
        precondition(result.shape == target, "cannot broadcast \(shape) to \(target)")
        return Tensor.operation("broadcast", output: result, inputs: [self]) { [shape] g in
            [g.summed(toShape: shape)]
        }
    }

    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        Tensor.operation("add", output: combine(a, b, AddKernel.self), inputs: [a, b]) { g in
            [g.summed(toShape: a.shape), g.summed(toShape: b.shape)]
        }
    }

    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        Tensor.operation("subtract", output: combine(a, b, SubtractKernel.self), inputs: [a, b]) { g in
            [g.summed(toShape: a.shape), -g.summed(toShape: b.shape)]
        }
    }

    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        Tensor.operation("multiply", output: combine(a, b, MultiplyKernel.self), inputs: [a, b]) { g in
            [a.requiresGrad ? (g * b).summed(toShape: a.shape) : nil,
             b.requiresGrad ? (g * a).summed(toShape: b.shape) : nil]
        }
    }

    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let quotient = combine(a, b, DivideKernel.self), saved = quotient.detached()
        return Tensor.operation("divide", output: quotient, inputs: [a, b]) { g in
            let ga = g / b
            return [ga.summed(toShape: a.shape), b.requiresGrad ? (-(ga * saved)).summed(toShape: b.shape) : nil]
        }
    }

    /// Elementwise negation.
    public static prefix func - (x: Tensor) -> Tensor { x * -1 }

    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
    public static func / (a: Tensor, b: Float) -> Tensor { a * Tensor(1 / b) }
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }
}
