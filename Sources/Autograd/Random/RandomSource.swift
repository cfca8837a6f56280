import Foundation

/// A stream of standard normal draws for weight initialisation and noise.
///
/// The engine only needs Gaussians, so this is the whole contract; any generator (for example a GSL
/// stream from the `Statistics` target) can conform.
public protocol RandomSource {
    /// The next draw from N(0, 1).
    mutating func nextGaussian() -> Float
}

/// A small deterministic generator for tests and benchmarks: SplitMix64 (Steele, Lea & Flood 2014) for
/// uniform bits and the Box–Muller transform for Gaussians. Not the project's main RNG.
public struct SplitMix64: RandomSource {
    private var state: UInt64
    private var spare: Float?

    /// A stream fully determined by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 uniformly distributed bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw from the open interval (0, 1).
    public mutating func nextUniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }

    public mutating func nextGaussian() -> Float {
        if let spare {
            self.spare = nil
            return spare
        }
        let radius = (-2 * Foundation.log(nextUniform())).squareRoot(), angle = 2 * Double.pi * nextUniform()
        spare = Float(radius * Foundation.sin(angle))
        return Float(radius * Foundation.cos(angle))
    }
}
