import Autograd
import Foundation

/// LapSum soft top-K (Struski et al., ICML 2025): `α_i = F(s_i/τ − b)` with `F` the Laplace CDF and the
/// scalar `b` solved per row so that `Σ α_i = K` exactly. Differentiable in the scores with the analytic
/// Jacobian `∂α_i/∂s_j = (f_i/τ)(δ_ij − f_j/Σ_k f_k)`, `f_i = ½e^{−|s_i/τ − b|}`.
public enum LapSumTopK {
    /// Soft membership `[rows, n]` of each score `[rows, n]` in the top `k`, each row summing to `k`.
    public static func membership(_ scores: Tensor, k: Int, temperature: Float) -> Tensor {
        precondition(scores.rank == 2, "LapSum expects [rows, tokens] scores")
        let rows = scores.shape[0], n = scores.shape[1]
        precondition(k >= 0 && k <= n, "LapSum: k = \(k) outside 0...\(n)")
        precondition(temperature > 0, "LapSum: the temperature must be positive")
        let tau = Double(temperature)
        var alpha = [Float](repeating: 0, count: rows * n)
        var density = [Double](repeating: 0, count: rows * n)  // f_i / τ, kept for the backward pass
        scores.withUnsafeBufferPointer { s in
            for row in 0..<rows {
                let x = (0..<n).map { Double(s[row * n + $0]) / tau }
                let b = solveShift(x, k: Double(k))
                for i in 0..<n {
                    let z = x[i] - b
                    alpha[row * n + i] = Float(laplaceCDF(z))
                    density[row * n + i] = 0.5 * exp(-abs(z)) / tau
                }
            }
        }
        let output = Tensor(shape: scores.shape, values: alpha)
        return Tensor.operation("lapsumTopK", output: output, inputs: [scores]) { g in
            var dx = [Float](repeating: 0, count: rows * n)
            g.withUnsafeBufferPointer { g in
                for row in 0..<rows {
                    let base = row * n
                    var total = 0.0, weighted = 0.0
                    for i in 0..<n {
                        total += density[base + i]
                        weighted += Double(g[base + i]) * density[base + i]
                    }
                    // dL/ds_j = (f_j/τ)(g_j − Σ_i g_i f_i / Σ_k f_k); f/τ is stored, the τ cancels in the ratio.
                    let mean = total > 0 ? weighted / total : 0
                    for j in 0..<n { dx[base + j] = Float(density[base + j] * (Double(g[base + j]) - mean)) }
                }
            }
            return [Tensor(shape: scores.shape, values: dx)]
        }
    }

    static func laplaceCDF(_ z: Double) -> Double { z <= 0 ? 0.5 * exp(z) : 1 - 0.5 * exp(-z) }

    /// The `b` with `Σ F(x_i − b) = k`: the sum falls monotonically from n to 0 as `b` grows, so bisection
    /// on a bracket 40 units beyond the extreme scores (F(−40) ≈ 2e−18) converges to machine precision.
    static func solveShift(_ x: [Double], k: Double) -> Double {
        var low = (x.min() ?? 0) - 40, high = (x.max() ?? 0) + 40
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if middle == low || middle == high { break }
            let sum = x.reduce(0) { $0 + laplaceCDF($1 - middle) }
            if sum > k { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }
}
