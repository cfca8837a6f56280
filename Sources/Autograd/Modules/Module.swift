/// A named parameter of a module; the name is its safetensors key, e.g. `layers.0.attn.wq.weight`.
public typealias NamedParameter = (name: String, tensor: Tensor)

/// A group of parameters with stable, hierarchical names.
///
/// A conforming type lists its own parameters and those of its children (via `namedParameters(prefix:)`
/// on each child); everything else — freezing, loading and saving — comes from the extension.
public protocol Module: AnyObject {
    /// Every parameter, in a fixed order, named relative to this module.
    func namedParameters() -> [NamedParameter]
}

extension Module {
    /// The parameters with `prefix.` prepended to each name (no dot when `prefix` is empty).
    public func namedParameters(prefix: String) -> [NamedParameter] {
        namedParameters().map { (prefix.isEmpty ? $0.name : "\(prefix).\($0.name)", $0.tensor) }
    }

    /// The parameters that currently receive gradients.
    public func trainableParameters() -> [NamedParameter] { namedParameters().filter { $0.tensor.requiresGrad } }

    /// Stops (or with `false` restarts) gradient tracking for every parameter whose name starts with
    /// `prefix` (all of them by default).
    public func freeze(_ frozen: Bool = true, prefix: String = "") {
        for (name, tensor) in namedParameters() where name.hasPrefix(prefix) { tensor.requiresGrad = !frozen }
    }

    /// Clears every parameter's accumulated gradient.
    public func zeroGradients() { for (_, tensor) in namedParameters() { tensor.zeroGradient() } }

    /// The parameters by name, e.g. for `SafeTensors.encode`.
    public func stateDictionary() -> [String: Tensor] {
        Dictionary(namedParameters().map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
    }

    /// Copies values into the parameters from `tensors`, by name. Every parameter must be present with
    /// its exact shape; with `strict`, extra tensors are an error too. Errors name the tensor, and nothing
    /// is changed unless every check passes.
    public func load(_ tensors: [String: Tensor], strict: Bool = true) throws(SafeTensorsError) {
        let parameters = namedParameters()
        for (name, tensor) in parameters {
            guard let source = tensors[name] else { throw SafeTensorsError(tensor: name, reason: "missing") }
            guard source.shape == tensor.shape else {
                throw SafeTensorsError(tensor: name, reason: "shape \(source.shape), expected \(tensor.shape)")
            }
        }
        if strict, let extra = Set(tensors.keys).subtracting(parameters.map(\.name)).sorted().first {
            throw SafeTensorsError(tensor: extra, reason: "not a parameter of this module")
        }
        for (name, tensor) in parameters {
            tensor.pointer.update(from: tensors[name]!.pointer, count: tensor.count)
            tensor.valuesChanged()
        }
    }
}
