import Foundation

/// Adam with decoupled weight decay (Loshchilov & Hutter 2019), as PyTorch's `torch.optim.AdamW`.
///
/// Each step: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `θ ← θ − lr·λ·θ − lr·m̂/(√v̂ + ε)` with the
/// bias-corrected `m̂`, `v̂`. Parameters without a gradient this step are skipped.
public final class AdamW {
    /// The rate for the next `step()`; set it from a schedule before each step.
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    public private(set) var stepCount = 0
    private let parameters: [NamedParameter]
    private let decayed: [Bool]
    private let firstMoments: [Tensor], secondMoments: [Tensor]

    /// Optimises the given parameters (frozen ones, `requiresGrad == false`, are left out). `decays`
    /// picks which parameters get weight decay, by name and tensor (all by default; commonly not biases
    /// and normalisation scales).
    public init(
        parameters: [NamedParameter], learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 0.01, decays: (NamedParameter) -> Bool = { _ in true }
    ) {
        self.parameters = parameters.filter { $0.tensor.requiresGrad }
        self.decayed = self.parameters.map(decays)
        self.firstMoments = self.parameters.map { Tensor(zeros: $0.tensor.shape) }
        self.secondMoments = self.parameters.map { Tensor(zeros: $0.tensor.shape) }
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// Applies one update from the parameters' current gradients.
    public func step() {
        stepCount += 1
        let correction1 = 1 - Float(Foundation.pow(Double(beta1), Double(stepCount)))
        let correction2 = 1 - Float(Foundation.pow(Double(beta2), Double(stepCount)))
        let stepSize = learningRate / correction1, decay = 1 - learningRate * weightDecay
        for index in parameters.indices {
            guard let grad = parameters[index].tensor.grad else { continue }
            let theta = parameters[index].tensor.pointer, g = grad.pointer
            let m = firstMoments[index].pointer, v = secondMoments[index].pointer
            let shrink = decayed[index] ? decay : 1
            for i in 0..<grad.count {
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                theta[i] = theta[i] * shrink - stepSize * m[i] / ((v[i] / correction2).squareRoot() + epsilon)
            }
            parameters[index].tensor.valuesChanged()
        }
    }

    /// Clears the gradients of every optimised parameter.
    public func zeroGradients() { for (_, tensor) in parameters { tensor.zeroGradient() } }
}
