/// The median wall-clock time of `body` in milliseconds over `repeats` runs, after `warmup` untimed runs.
public func medianMilliseconds(repeats: Int, warmup: Int, _ body: () -> Void) -> Double {
    withoutActuallyEscaping(body) { medianMilliseconds(interleaving: [$0], repeats: repeats, warmup: warmup)[0] }
}

/// The median wall-clock time in milliseconds of each of `bodies` (see `roundsMilliseconds`).
public func medianMilliseconds(interleaving bodies: [() -> Void], repeats: Int, warmup: Int) -> [Double] {
    roundsMilliseconds(interleaving: bodies, repeats: repeats, warmup: warmup).map(median)
}

/// The wall-clock times in milliseconds of each of `bodies` (`[body][round]`), run one after the other in
/// each of `repeats` rounds (after `warmup` untimed rounds). Interleaved, a drift in the machine's speed,
/// which here reaches ±20–40 % over minutes, affects every body alike: ratios of times taken in the same
/// round are fair (see `medianRatio`).
public func roundsMilliseconds(interleaving bodies: [() -> Void], repeats: Int, warmup: Int) -> [[Double]] {
    precondition(repeats >= 1 && warmup >= 0, "need at least one timed run")
    for _ in 0..<warmup { bodies.forEach { $0() } }
    let clock = ContinuousClock()
    var samples = [[Double]](repeating: [], count: bodies.count)
    for _ in 0..<repeats {
        for (index, body) in bodies.enumerated() { samples[index].append(1e3 * clock.measure(body).seconds) }
    }
    return samples
}

/// The median over rounds of `numerator[i] / denominator[i]`: paired, so that a switch of the machine's
/// speed between rounds cancels, where the ratio of the two medians can pair a fast median with a slow one.
public func medianRatio(_ numerator: [Double], _ denominator: [Double]) -> Double {
    precondition(numerator.count == denominator.count, "ratios need paired samples")
    return median(zip(numerator, denominator).map { $0 / $1 })
}

/// The median of `values` (the mean of the middle two for an even count); `values` must not be empty.
public func median(_ values: [Double]) -> Double {
    precondition(!values.isEmpty, "the median of nothing")
    let sorted = values.sorted(), n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

extension Duration {
    /// The duration in seconds.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
