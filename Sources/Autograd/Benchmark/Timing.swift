/// The median wall-clock time of `body` in milliseconds over `repeats` runs, after `warmup` untimed runs.
public func medianMilliseconds(repeats: Int, warmup: Int, _ body: () -> Void) -> Double {
    precondition(repeats >= 1 && warmup >= 0, "need at least one timed run")
    for _ in 0..<warmup { body() }
    let clock = ContinuousClock()
    let times = (0..<repeats).map { _ in
        let elapsed = clock.measure(body)
        return Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
    }.sorted()
    return repeats % 2 == 1 ? times[repeats / 2] : (times[repeats / 2 - 1] + times[repeats / 2]) / 2
}
