import Dispatch

/// Bootstrap confidence intervals for a smooth function of column means: a mean, a mean paired
/// difference, a ratio of accuracies. Percentile and BCa intervals follow `scipy.stats.bootstrap`
/// (percentiles by linear interpolation; BCa bias from the share of replicates below the estimate,
/// acceleration from the jackknife). Resampling can be stratified: items are then redrawn within each
/// stratum (e.g. task family), keeping the strata sizes, as rliable recommends.
///
/// Resamples are drawn in fixed chunks of `chunkSize`, chunk c from the stream
/// `(seed, path + ["chunk c"])`, and run in parallel: the interval is bit-identical for any thread count.
public enum Bootstrap {
    public enum Method: String, Sendable, Codable, CaseIterable {
        case percentile
        case bca
    }

    /// Resamples per random stream; part of the documented derivation, so fixed.
    public static let chunkSize = 256

    /// Interval of the mean of `values`.
    public static func mean(_ values: [Double], strata: [Int]? = nil, method: Method = .bca,
                            confidence: Double = 0.95, resamples: Int = 10_000, seed: UInt64 = 0,
                            path: [String] = ["bootstrap"]) throws -> BootstrapInterval {
        try requireFinite(values, "the sample")
        return try interval(columns: [values], strata: strata, method: method, confidence: confidence,
                            resamples: resamples, seed: seed, path: path) { $0[0] }
    }

    /// Interval of the mean of `a − b` over paired items.
    public static func meanDifference(_ a: [Double], _ b: [Double], strata: [Int]? = nil,
                                      method: Method = .bca, confidence: Double = 0.95,
                                      resamples: Int = 10_000, seed: UInt64 = 0,
                                      path: [String] = ["bootstrap"]) throws -> BootstrapInterval {
        try mean(PairedSamples.differences(a, b), strata: strata, method: method, confidence: confidence,
                 resamples: resamples, seed: seed, path: path)
    }

    /// Interval of `statistic(means)`, where `means[j]` is the mean of `columns[j]` over the (resampled)
    /// items. All columns have one value per item; `strata[i]` is item i's stratum label.
    public static func interval(columns: [[Double]], strata: [Int]? = nil, method: Method = .bca,
                                confidence: Double = 0.95, resamples: Int = 10_000, seed: UInt64 = 0,
                                path: [String] = ["bootstrap"],
                                statistic: @Sendable ([Double]) -> Double) throws -> BootstrapInterval {
        let n = columns.first?.count ?? 0
        try require(!columns.isEmpty && n >= 2, "the bootstrap needs at least 2 items (got \(n))")
        try require(columns.allSatisfy { $0.count == n }, "bootstrap columns differ in length")
        try require(confidence > 0 && confidence < 1, "confidence must be in (0, 1) (got \(confidence))")
        try require(resamples >= 2, "the bootstrap needs at least 2 resamples (got \(resamples))")
        for column in columns { try requireFinite(column, "a bootstrap column") }
        let groups = try Strata(labels: strata ?? [Int](repeating: 0, count: n), count: n)

        let fullMeans = columns.map { $0.reduce(0, +) / Double(n) }
        let estimate = statistic(fullMeans)
        try require(estimate.isFinite, "the statistic is not finite on the full sample (\(estimate))")
        let replicates = try resampledStatistics(columns: columns, strata: groups, resamples: resamples,
                                                 seed: seed, path: path, statistic: statistic)
        let sorted = replicates.sorted()
        let alpha = (1 - confidence) / 2
        var levels = (low: alpha, high: 1 - alpha)
        var biasCorrection: Double? = nil, acceleration: Double? = nil

        if method == .bca && sorted.first! < sorted.last! {
            let below = replicates.filter { $0 < estimate }.count
            let atOrBelow = replicates.filter { $0 <= estimate }.count
            let share = Double(below + atOrBelow) / Double(2 * resamples)
            try require(share > 0 && share < 1,
                        "BCa is undefined: the estimate lies outside every bootstrap replicate; use the percentile method")
            let z0 = Distributions.normalQuantile(share)
            let a = jackknifeAcceleration(columns: columns, sums: fullMeans.map { $0 * Double(n) },
                                          statistic: statistic)
            try require(a.isFinite, "BCa is undefined: the jackknife acceleration is not finite")
            func adjusted(_ level: Double) -> Double {
                let shifted = z0 + Distributions.normalQuantile(level)
                return Distributions.normalCDF(z0 + shifted / (1 - a * shifted))
            }
            levels = (adjusted(alpha), adjusted(1 - alpha))
            biasCorrection = z0
            acceleration = a
        }
        return BootstrapInterval(
            method: method, confidence: confidence, estimate: estimate,
            low: percentile(sorted, levels.low), high: percentile(sorted, levels.high),
            resamples: resamples, seed: seed, strata: groups.members.count,
            biasCorrection: biasCorrection, acceleration: acceleration)
    }

    /// `statistic` over `resamples` stratified resamples, in resample order.
    private static func resampledStatistics(columns: [[Double]], strata: Strata, resamples: Int,
                                            seed: UInt64, path: [String],
                                            statistic: @Sendable ([Double]) -> Double) throws -> [Double] {
        let n = columns[0].count
        let chunkCount = (resamples + chunkSize - 1) / chunkSize
        let output = UnsafeMutableBufferPointer<Double>.allocate(capacity: resamples)
        defer { output.deallocate() }
        let flat = columns.flatMap { $0 }  // column-major: flat[j * n + i]
        let columnCount = columns.count
        nonisolated(unsafe) let results = output
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            let stream = RandomStream(seed: seed, path: path + ["chunk \(chunk)"])
            var sums = [Double](repeating: 0, count: columnCount)
            var means = [Double](repeating: 0, count: columnCount)
            flat.withUnsafeBufferPointer { data in
                for replicate in (chunk * chunkSize)..<min(resamples, (chunk + 1) * chunkSize) {
                    for j in 0..<columnCount { sums[j] = 0 }
                    for members in strata.members {
                        for _ in 0..<members.count {
                            let item = members[stream.integer(below: members.count)]
                            for j in 0..<columnCount { sums[j] += data[j * n + item] }
                        }
                    }
                    for j in 0..<columnCount { means[j] = sums[j] / Double(n) }
                    results[replicate] = statistic(means)
                }
            }
        }
        let replicates = Array(output)
        try require(replicates.allSatisfy(\.isFinite), "the statistic is not finite on some bootstrap resample")
        return replicates
    }

    /// The BCa acceleration â = Σ U³ / (6 (Σ U²)^{3/2}) from leave-one-out values of the statistic.
    private static func jackknifeAcceleration(columns: [[Double]], sums: [Double],
                                              statistic: ([Double]) -> Double) -> Double {
        let n = columns[0].count
        var leaveOneOut = [Double](repeating: 0, count: n)
        var means = [Double](repeating: 0, count: columns.count)
        for i in 0..<n {
            for j in columns.indices { means[j] = (sums[j] - columns[j][i]) / Double(n - 1) }
            leaveOneOut[i] = statistic(means)
        }
        let center = leaveOneOut.reduce(0, +) / Double(n)
        var cubes = 0.0, squares = 0.0
        for value in leaveOneOut {
            let u = center - value
            cubes += u * u * u
            squares += u * u
        }
        return squares == 0 ? 0 : cubes / (6 * squares * squares.squareRoot())
    }

    /// Linear-interpolation percentile of sorted values (numpy's default), `level` in [0, 1].
    static func percentile(_ sorted: [Double], _ level: Double) -> Double {
        let position = level * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}

/// Item indices grouped by stratum label, strata in ascending label order.
struct Strata {
    let members: [[Int]]

    init(labels: [Int], count: Int) throws {
        try require(labels.count == count, "strata labels (\(labels.count)) do not match the items (\(count))")
        var byLabel: [Int: [Int]] = [:]
        for (item, label) in labels.enumerated() { byLabel[label, default: []].append(item) }
        members = byLabel.keys.sorted().map { byLabel[$0]! }
    }
}

/// A bootstrap confidence interval with what is needed to reproduce it.
public struct BootstrapInterval: Sendable, Codable, Equatable {
    public let method: Bootstrap.Method
    public let confidence: Double
    public let estimate: Double
    public let low: Double
    public let high: Double
    public let resamples: Int
    public let seed: UInt64
    /// Number of strata resampled within (1 when unstratified).
    public let strata: Int
    /// BCa's z₀ and â (nil for the percentile method or a degenerate sample).
    public let biasCorrection: Double?
    public let acceleration: Double?
}
