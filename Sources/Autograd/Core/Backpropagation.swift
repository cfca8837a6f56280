extension Tensor {
    /// Backpropagates from this tensor, adding the gradient of each leaf that requires gradients into its
    /// `grad`. The seed defaults to 1 for a single-element tensor (a loss). Gradients are accumulated in a
    /// fixed order (reverse topological, inputs left to right), so repeated runs are bit-identical.
    ///
    /// The graph is consumed: intermediate nodes are released as they are processed.
    public func backward(seed: Tensor? = nil) {
        precondition(seed != nil || count == 1, "backward() without a seed needs a single-element tensor")
        if let seed { precondition(seed.shape == shape, "seed shape \(seed.shape) for output \(shape)") }
        guard requiresGrad else { return }
        var gradients: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed ?? Tensor(repeating: 1, shape: shape)]
        withoutGradient {
            for tensor in topologicalOrder().reversed() {
                guard let gradient = gradients.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
                guard let node = tensor.node else {
                    tensor.accumulateGradient(gradient)
                    continue
                }
                tensor.node = nil
                let inputGradients = node.backward(gradient)
                precondition(inputGradients.count == node.inputs.count, "\(node.name): gradient count mismatch")
                for (input, inputGradient) in zip(node.inputs, inputGradients) {
                    guard input.requiresGrad, let inputGradient else { continue }
                    precondition(inputGradient.shape == input.shape,
                                 "\(node.name): gradient \(inputGradient.shape) for input \(input.shape)")
                    let key = ObjectIdentifier(input)
                    gradients[key] = gradients[key].map { $0 + inputGradient } ?? inputGradient
                }
            }
        }
    }

    /// Clears the accumulated gradient of this leaf.
    public func zeroGradient() { grad = nil }

    /// Adds `gradient` into `grad`, which this tensor owns (never aliases another tensor).
    private func accumulateGradient(_ gradient: Tensor) {
        guard let grad else {
            self.grad = gradient.copy()
            return
        }
        VectorMath.accumulate(gradient.pointer, into: grad.pointer, count)
    }

    /// Tensors reachable from this one through recorded nodes, each after all of its inputs.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(self)]
        var stack: [(tensor: Tensor, nextInput: Int)] = [(self, 0)]
        while let (tensor, next) = stack.last {
            let inputs = tensor.node?.inputs ?? []
            if next < inputs.count {
                stack[stack.count - 1].nextInput += 1
                let input = inputs[next]
                if input.requiresGrad, visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                order.append(tensor)
                stack.removeLast()
            }
        }
        return order
    }
}
