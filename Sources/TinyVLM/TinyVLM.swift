import Autograd
import Foundation
import Statistics

/// The built-in vision-language model: vision encoder → projector → causal language model answering
/// with one token from the answer vocabulary.
public final class TinyVLM: Module {
    public let configuration: TinyVLMConfiguration
    public let vision: VisionEncoder
    public let projector: Projector
    public let languageModel: LanguageModel

    /// A freshly initialised model; weights from the GSL stream `(seed, ["tiny-vlm", "init"])`.
    public init(_ configuration: TinyVLMConfiguration, seed: UInt64) {
        self.configuration = configuration
        var source = GaussianStream(RandomStream(seed: seed, path: ["tiny-vlm", "init"]))
        vision = VisionEncoder(configuration, using: &source)
        projector = Projector(configuration, using: &source)
        languageModel = LanguageModel(configuration, using: &source)
    }

    public func namedParameters() -> [NamedParameter] {
        vision.namedParameters(prefix: "vision") + projector.namedParameters(prefix: "projector")
            + languageModel.namedParameters(prefix: "language_model")
    }

    /// Visual tokens before and after the projector for `patches` `[batch, N, patchDimension]` or `[N, …]`.
    public func visualTokens(_ patches: Tensor) -> (features: Tensor, projected: Tensor) {
        let features = vision(patches)
        return (features, projector(features))
    }

    /// 16 hex digits identifying the current weights (FNV-1a over every parameter's bits, in name order),
    /// so that anything trained against this model (a pruner) can tell which model it was.
    public var weightsFingerprint: String {
        var hasher = FNV1a()
        for (name, tensor) in namedParameters().sorted(by: { $0.name < $1.name }) {
            hasher.combine(name)
            tensor.withUnsafeBufferPointer { values in
                for value in values { hasher.combine(UInt64(value.bitPattern)) }
            }
        }
        return hasher.hex
    }

    // MARK: Weights on disk

    /// Writes `model.safetensors` (F16 by default, to keep the shipped file small) and `config.json`.
    public func save(to directory: URL, storage: SafeTensorsDType = .float16) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try SafeTensors.write(stateDictionary(), to: directory.appendingPathComponent("model.safetensors"),
                              dtype: storage, metadata: ["format": "pt", "model": "TinyVLM"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(configuration).write(to: directory.appendingPathComponent("config.json"))
    }

    /// Loads a model saved with `save(to:)`; every tensor is checked by name and shape.
    public static func load(from directory: URL) throws -> TinyVLM {
        let configURL = directory.appendingPathComponent("config.json")
        let configuration: TinyVLMConfiguration
        do {
            configuration = try JSONDecoder().decode(TinyVLMConfiguration.self, from: Data(contentsOf: configURL))
        } catch {
            throw TinyVLMError.invalidWeights("\(configURL.path): \(error.localizedDescription)")
        }
        let model = TinyVLM(configuration, seed: 0)
        let file = try SafeTensors.read(contentsOf: directory.appendingPathComponent("model.safetensors"))
        try model.load(file.tensors)
        return model
    }
}

public enum TinyVLMError: Error, CustomStringConvertible {
    case invalidWeights(String)
    case invalidPruningLayer(Int, layers: Int)

    public var description: String {
        switch self {
        case .invalidWeights(let reason): return "invalid model weights: \(reason)"
        case .invalidPruningLayer(let layer, let layers):
            return "cannot prune after layer \(layer): the language model has layers 0...\(layers - 1), and pruning after the last one saves nothing"
        }
    }
}
