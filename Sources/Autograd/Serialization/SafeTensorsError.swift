/// A safetensors file that cannot be read or does not fit what is asked of it; names the tensor concerned
/// when there is one.
public struct SafeTensorsError: Error, Equatable, CustomStringConvertible {
    /// The tensor the problem is about, or `nil` for a file-level problem (length, header, I/O).
    public let tensor: String?
    /// What is wrong, in words.
    public let reason: String

    public init(tensor: String?, reason: String) {
        self.tensor = tensor
        self.reason = reason
    }

    public var description: String {
        tensor.map { "safetensors: tensor '\($0)': \(reason)" } ?? "safetensors: \(reason)"
    }
}
