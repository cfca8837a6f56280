/// The median wall-clock time of `body` in milliseconds over `repeats` runs, after `warmup` untimed runs.
public func medianMilliseconds(repeats: Int, warmup: Int, _ body: () -> Void) -> Double {
    precondition(repeats >= 1 && warmup >= 0, "need at least one timed run")
    for _ in 0..<warmup { body() }
    let clock = ContinuousClock()
    return median((0..<repeats).map { _ in 1e3 * clock.measure(body).seconds })
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
