import CGSL

/// The studentized range distribution with infinite degrees of freedom (the range of k independent
/// standard normals), which the Nemenyi critical difference needs. GSL has no such distribution, so it
/// is computed: P(Q ≤ q) = k ∫ φ(z) [Φ(z + q) − Φ(z)]^(k−1) dz by adaptive quadrature (QAGI), and the
/// quantile by bisection. Agrees with `scipy.stats.studentized_range(k, inf)` to about 1e-9.
public enum StudentizedRange {
    /// P(Q ≤ q) for the range of `k` standard normals.
    public static func cdf(_ q: Double, groups k: Int) throws -> Double {
        try require(k >= 2, "the studentized range needs k ≥ 2 groups (got \(k))")
        guard q > 0 else { return 0 }
        var parameters = (q: q, k: Int32(k))
        let value = try withUnsafeMutablePointer(to: &parameters) { pointer -> Double in
            var integrand = gsl_function(
                function: { z, raw in
                    let p = raw!.assumingMemoryBound(to: (q: Double, k: Int32).self).pointee
                    let width = gsl_cdf_ugaussian_P(z + p.q) - gsl_cdf_ugaussian_P(z)
                    return gsl_ran_ugaussian_pdf(z) * gsl_pow_int(width, p.k - 1)
                },
                params: UnsafeMutableRawPointer(pointer))
            return try Quadrature.infinite(&integrand)
        }
        return min(1, Double(k) * value)
    }

    /// The `p`-quantile of Q for `k` groups.
    public static func quantile(_ p: Double, groups k: Int) throws -> Double {
        try require(p > 0 && p < 1, "the probability must be in (0, 1) (got \(p))")
        var low = 0.0, high = 40.0  // P(Q ≤ 40) = 1 to double precision for any practical k
        while high - low > 1e-12 * high {
            let middle = (low + high) / 2
            if try cdf(middle, groups: k) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// The Nemenyi test's q_α (the studentized range quantile over √2), as tabulated by Demšar (2006).
    public static func nemenyiQ(alpha: Double, groups k: Int) throws -> Double {
        try require(alpha > 0 && alpha < 1, "alpha must be in (0, 1) (got \(alpha))")
        return try quantile(1 - alpha, groups: k) / 2.0.squareRoot()
    }
}
