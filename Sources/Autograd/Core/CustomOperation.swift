/// A recorded step of the computation graph: the inputs of an operation and how to map the gradient of
/// its output to gradients of those inputs.
final class GraphNode {
    let name: String
    let inputs: [Tensor]
    let backward: (Tensor) -> [Tensor?]

    init(name: String, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}

extension Tensor {
    /// True when an operation on `inputs` will be recorded: gradient mode is on and some input tracks
    /// gradients. Operations check it first so that inference skips saving backward intermediates.
    public static func willRecord(_ inputs: [Tensor]) -> Bool {
        GradientMode.isEnabled && inputs.contains { $0.requiresGrad }
    }

    /// Records `output` as the result of a differentiable operation on `inputs` and returns it.
    ///
    /// This is the one mechanism behind every built-in operation, and the way to add a custom one: compute
    /// the forward values into a new tensor with any code, then register a `backward` closure that
    /// receives the gradient of the loss with respect to `output` (same shape) and returns one gradient
    /// per input (same shape as that input), or `nil` for an input that gets none. Backward closures run
    /// with recording off, so they may use ordinary tensor operations. Nothing is recorded when
    /// `willRecord(inputs)` is false.
    ///
    /// A straight-through hard threshold (forward 0/1, identity gradient), as used by straight-through
    /// Gumbel estimators:
    ///
    /// ```swift
    /// func hardThreshold(_ x: Tensor, at t: Float) -> Tensor {
    ///     let y = Tensor(shape: x.shape, values: x.values.map { $0 > t ? 1 : 0 })
    ///     return Tensor.operation("hardThreshold", output: y, inputs: [x]) { g in [g] }
    /// }
    /// ```
    ///
    /// A scaled product `a * b * c` with its own gradient, saving what the backward pass needs:
    ///
    /// ```swift
    /// func scaledProduct(_ a: Tensor, _ b: Tensor, _ c: Float) -> Tensor {
    ///     let y = withoutGradient { a * b * c }
    ///     return Tensor.operation("scaledProduct", output: y, inputs: [a, b]) { g in
    ///         [g * b * c, g * a * c]
    ///     }
    /// }
    /// ```
    public static func operation(
        _ name: String, output: Tensor, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]
    ) -> Tensor {
        guard willRecord(inputs) else { return output }
        output.node = GraphNode(name: name, inputs: inputs, backward: backward)
        output.requiresGrad = true
        return output
    }
}
