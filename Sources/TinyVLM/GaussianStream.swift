import Autograd
import Statistics

/// A GSL stream as the engine's source of Gaussian draws (weight initialisation, noise).
public struct GaussianStream: RandomSource {
    public let stream: RandomStream

    public init(_ stream: RandomStream) { self.stream = stream }

    public mutating func nextGaussian() -> Float { Float(stream.gaussian()) }
}
