import CKernels
import Foundation

/// A differentiable elementwise function: its value and its derivative, given the input and the output.
protocol UnaryKernel {
    static var name: String { get }
    static func value(_ x: Float) -> Float
    /// `y[i] = value(x[i])` for `i < count` (`y` may be `x`): a loop the compiler vectorises, unless a
    /// kernel has a faster one.
    static func values(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int)
    static func derivative(x: Float, y: Float) -> Float
}

extension UnaryKernel {
    @inline(__always)
    static func values(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = value(x[i]) }
    }
}

extension Tensor {
    /// Applies `K` elementwise and records `dL/dx = dL/dy · K′(x)`.
    func map<K: UnaryKernel>(_: K.Type) -> Tensor {
        let result = Tensor.like(self), x = pointer, y = result.pointer
        Parallel.forEachRange(count) { range in K.values(x + range.lowerBound, y + range.lowerBound, count: range.count) }
        let output = result.detached()  // saved without a reference cycle through the node
        return Tensor.operation(K.name, output: result, inputs: [self]) { [self] g in
            let y = output.pointer
            let dx = Tensor.like(g), gp = g.pointer, d = dx.pointer
            Parallel.forEachRange(count) { range in for i in range { d[i] = gp[i] * K.derivative(x: x[i], y: y[i]) } }
            return [dx]
        }
    }

    /// `eˣ` elementwise (≤ 2 ulp).
    public func exp() -> Tensor { map(ExpKernel.self) }
    /// The natural logarithm elementwise.
    public func log() -> Tensor { map(LogKernel.self) }
    /// The square root elementwise.
    public func sqrt() -> Tensor { map(SqrtKernel.self) }
    /// The logistic sigmoid `1/(1+e⁻ˣ)` elementwise.
    public func sigmoid() -> Tensor { map(SigmoidKernel.self) }
    /// GELU with the exact Gaussian CDF, `x·Φ(x)` (PyTorch's default `nn.GELU()`), Φ to 1e-7.
    public func gelu() -> Tensor { map(GELUKernel.self) }
    /// SiLU (swish), `x·σ(x)`.
    public func silu() -> Tensor { map(SiLUKernel.self) }
}

enum ExpKernel: UnaryKernel {
    static let name = "exp"
    @inline(__always) static func value(_ x: Float) -> Float { VectorMath.exp(x) }
    @inline(__always) static func derivative(x: Float, y: Float) -> Float { y }
}

enum LogKernel: UnaryKernel {
    static let name = "log"
    @inline(__always) static func value(_ x: Float) -> Float { logf(x) }
    @inline(__always) static func derivative(x: Float, y: Float) -> Float { 1 / x }
}

enum SqrtKernel: UnaryKernel {
    static let name = "sqrt"
    @inline(__always) static func value(_ x: Float) -> Float { x.squareRoot() }
    @inline(__always) static func derivative(x: Float, y: Float) -> Float { 0.5 / y }
}

enum SigmoidKernel: UnaryKernel {
    static let name = "sigmoid"
    @inline(__always) static func value(_ x: Float) -> Float { 1 / (1 + VectorMath.exp(-x)) }
    @inline(__always) static func derivative(x: Float, y: Float) -> Float { y * (1 - y) }
}

/// GELU's values come from the C kernel (`prunelab_gelu`: eight or sixteen lanes with fused multiply-adds,
/// the same bits for one element as for many); its derivative from the same formula in Swift.
enum GELUKernel: UnaryKernel {
    static let name = "gelu"
    static func value(_ x: Float) -> Float {
        var (input, output) = (x, Float(0))
        prunelab_gelu(&input, &output, 1)
        return output
    }
    static func values(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        prunelab_gelu(x, y, count)
    }
    /// Φ(x) and the standard normal density φ(x).
    @inline(__always) static func cdfAndDensity(_ x: Float) -> (cdf: Float, density: Float) {
        let (erfc, gaussian) = VectorMath.erfcAndGaussian(Swift.abs(x) * 0.70710678)
        let tail = 0.5 * erfc
        return (x < 0 ? tail : 1 - tail, gaussian * 0.39894228)
    }
    @inline(__always) static func derivative(x: Float, y: Float) -> Float {
        let (cdf, density) = cdfAndDensity(x)
        return cdf + x * density
    }
}

enum SiLUKernel: UnaryKernel {
    static let name = "silu"
    @inline(__always) static func value(_ x: Float) -> Float { x / (1 + VectorMath.exp(-x)) }
    @inline(__always) static func derivative(x: Float, y: Float) -> Float {
        let s = 1 / (1 + VectorMath.exp(-x))
        return s * (1 + x * (1 - s))
    }
}
