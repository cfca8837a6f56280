import CGSL

/// A GSL random-number stream identified by a run seed and a path of labels.
///
/// Streams are derived, never shared: `RandomStream(seed: 7, path: ["bootstrap", "diffprune", "colour"])`
/// always yields the same numbers, and adding a new consumer with its own path never shifts another
/// consumer's numbers. The environment (`GSL_RNG_TYPE`, `GSL_RNG_SEED`) is never read.
///
/// Not thread-safe: give each thread its own stream (derive one per work item).
public final class RandomStream {
    /// The GSL generator algorithms PruneLab exposes by name.
    public enum Generator: String, Sendable, CaseIterable, Codable {
        case mt19937, ranlxd2, taus2

        var gslType: UnsafePointer<gsl_rng_type> {
            switch self {
            case .mt19937: return prunelab_rng_mt19937()
            case .ranlxd2: return prunelab_rng_ranlxd2()
            case .taus2: return prunelab_rng_taus2()
            }
        }
    }

    public let generator: Generator
    /// The value passed to `gsl_rng_set` (derived from the run seed and the path).
    public let gslSeed: UInt
    private let rng: UnsafeMutablePointer<gsl_rng>

    /// A stream seeded directly with `gslSeed`, as `gsl_rng_set(r, gslSeed)` would (GSL's own
    /// conventions apply: mt19937 uses the low 32 bits, 0 means GSL's default seed 4357).
    public init(gslSeed: UInt, generator: Generator = .mt19937) {
        GSLErrors.installHandler()
        guard let rng = gsl_rng_alloc(generator.gslType) else {
            fatalError("gsl_rng_alloc failed: out of memory")
        }
        self.rng = rng
        self.generator = generator
        self.gslSeed = gslSeed
        gsl_rng_set(rng, gslSeed)
    }

    /// The stream for `path` under run `seed`. See `derivedSeed(seed:path:)` for the derivation.
    public convenience init(seed: UInt64, path: [String], generator: Generator = .mt19937) {
        self.init(gslSeed: UInt(truncatingIfNeeded: Self.derivedSeed(seed: seed, path: path)),
                  generator: generator)
    }

    /// A child stream: `RandomStream(seed: s, path: p + [label])` for a stream made with `(s, p)`.
    /// Does not consume numbers from `self`.
    public func derived(_ label: String) -> RandomStream {
        RandomStream(gslSeed: UInt(truncatingIfNeeded: Self.mix(UInt64(gslSeed) ^ FNV1a.hash(label))),
                     generator: generator)
    }

    deinit { gsl_rng_free(rng) }

    /// The documented derivation: start from the SplitMix64 finaliser of `seed`, then for each label
    /// xor in its FNV-1a-64 hash and apply the finaliser again. The low 32 bits seed mt19937.
    public static func derivedSeed(seed: UInt64, path: [String]) -> UInt64 {
        path.reduce(mix(seed)) { state, label in mix(state ^ FNV1a.hash(label)) }
    }

    /// SplitMix64's output function (Steele, Lea, Flood 2014): a bijective avalanche mix.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    // MARK: Draws

    /// The generator's raw output (`gsl_rng_get`).
    public func nextRaw() -> UInt { gsl_rng_get(rng) }

    /// Uniform on [0, 1) (`gsl_rng_uniform`).
    public func uniform() -> Double { gsl_rng_uniform(rng) }

    /// Uniform integer in `0..<upperBound` without modulo bias (`gsl_rng_uniform_int`).
    public func integer(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "integer(below:) needs a positive bound")
        return Int(gsl_rng_uniform_int(rng, UInt(upperBound)))
    }

    /// Gaussian with mean 0 and standard deviation `sigma`, by the ziggurat method.
    public func gaussian(sigma: Double = 1) -> Double { gsl_ran_gaussian_ziggurat(rng, sigma) }

    /// Standard Gumbel (type 1, a = b = 1): `-log(-log U)`.
    public func gumbel() -> Double { gsl_ran_gumbel1(rng, 1, 1) }

    /// 1 with probability `p`, else 0.
    public func bernoulli(_ p: Double) -> Bool { gsl_ran_bernoulli(rng, p) == 1 }

    /// Shuffles `values` in place (`gsl_ran_shuffle`).
    public func shuffle<T>(_ values: inout [T]) {
        let count = values.count
        values.withUnsafeMutableBytes { buffer in
            gsl_ran_shuffle(rng, buffer.baseAddress, count, MemoryLayout<T>.stride)
        }
    }

    /// A uniformly random `k`-subset of `0..<n`, in ascending order (`gsl_ran_choose`).
    public func choose(_ k: Int, from n: Int) throws -> [Int] {
        try require(n >= 0 && k >= 0 && k <= n, "cannot choose \(k) of \(n) items")
        guard k > 0 else { return [] }
        let source = Array(0..<n)
        var chosen = [Int](repeating: 0, count: k)
        let status = source.withUnsafeBytes { src in
            chosen.withUnsafeMutableBytes { dst in
                gsl_ran_choose(rng, dst.baseAddress, k, UnsafeMutableRawPointer(mutating: src.baseAddress), n,
                               MemoryLayout<Int>.stride)
            }
        }
        try GSLErrors.check(status, "gsl_ran_choose")
        return chosen
    }
}
