import Foundation

/// Linear warm-up to `peak`, then cosine decay to `floor` at `totalSteps` (and `floor` after).
///
/// Step `s` (0-based) during warm-up gets `peak·(s+1)/warmupSteps`, so the first step is not wasted at 0.
public struct WarmupCosineSchedule: Sendable {
    public let peak: Float, floor: Float
    public let warmupSteps: Int, totalSteps: Int

    public init(peak: Float, warmupSteps: Int, totalSteps: Int, floor: Float = 0) {
        precondition(warmupSteps >= 0 && totalSteps >= warmupSteps, "warm-up \(warmupSteps) of \(totalSteps) steps")
        self.peak = peak
        self.floor = floor
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// The learning rate for step `step`.
    public func callAsFunction(_ step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let decaySteps = totalSteps - warmupSteps
        guard decaySteps > 0, step < totalSteps else { return floor }
        let progress = Double(step - warmupSteps) / Double(decaySteps)
        return floor + (peak - floor) * Float(0.5 * (1 + Foundation.cos(Double.pi * progress)))
    }
}
