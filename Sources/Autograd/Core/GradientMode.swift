/// Whether operations record themselves for backpropagation in the current task.
///
/// Recording is on by default. Inside `withoutGradient` nothing is recorded, whatever the inputs,
/// and operations skip saving the intermediates their backward pass would need.
public enum GradientMode {
    @TaskLocal static var isEnabled = true

    /// True when gradient recording is on in the current task.
    public static var isRecording: Bool { isEnabled }
}

/// Runs `body` in inference mode: no operation records a node or keeps backward intermediates.
public func withoutGradient<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isEnabled.withValue(false, operation: body)
}
