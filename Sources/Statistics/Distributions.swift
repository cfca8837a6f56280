import CGSL

/// Thin, checked wrappers over GSL's cumulative distribution functions, named after what they give.
enum Distributions {
    /// P(Z ≤ z) for the standard normal.
    static func normalCDF(_ z: Double) -> Double { gsl_cdf_ugaussian_P(z) }
    /// P(Z > z) for the standard normal, accurate in the upper tail.
    static func normalSF(_ z: Double) -> Double { gsl_cdf_ugaussian_Q(z) }
    /// The standard normal quantile.
    static func normalQuantile(_ p: Double) -> Double { gsl_cdf_ugaussian_Pinv(p) }

    static func studentCDF(_ t: Double, df: Double) -> Double { gsl_cdf_tdist_P(t, df) }
    static func studentSF(_ t: Double, df: Double) -> Double { gsl_cdf_tdist_Q(t, df) }
    static func studentQuantile(_ p: Double, df: Double) -> Double { gsl_cdf_tdist_Pinv(p, df) }

    static func chiSquareSF(_ x: Double, df: Double) -> Double { gsl_cdf_chisq_Q(x, df) }
    static func fisherSF(_ x: Double, df1: Double, df2: Double) -> Double { gsl_cdf_fdist_Q(x, df1, df2) }

    /// P(X ≤ k) for X ~ Binomial(n, p).
    static func binomialCDF(_ k: Int, p: Double, n: Int) -> Double {
        k < 0 ? 0 : (k >= n ? 1 : gsl_cdf_binomial_P(UInt32(k), p, UInt32(n)))
    }

    /// P(X ≥ k) for X ~ Binomial(n, p).
    static func binomialSurvivalFrom(_ k: Int, p: Double, n: Int) -> Double {
        k <= 0 ? 1 : (k > n ? 0 : gsl_cdf_binomial_Q(UInt32(k - 1), p, UInt32(n)))
    }

    /// p-value from the two tail probabilities of a discrete (or resampled) null, `lower` = P(T ≤ t) and
    /// `upper` = P(T ≥ t); two-sided doubles the smaller tail, capped at 1 (scipy's convention).
    static func pValue(_ alternative: Alternative, lower: Double, upper: Double) -> Double {
        switch alternative {
        case .less: return lower
        case .greater: return upper
        case .twoSided: return min(1, 2 * min(lower, upper))
        }
    }

    /// p-value of a statistic with a symmetric continuous null, given its CDF and survival function.
    static func pValue(_ alternative: Alternative, cdf: Double, sf: Double, absoluteSF: Double) -> Double {
        switch alternative {
        case .less: return cdf
        case .greater: return sf
        case .twoSided: return min(1, 2 * absoluteSF)
        }
    }
}
