import Autograd
import Foundation
import Statistics
import TinyVLM

/// How a learned pruner is trained: the keep ratio it is trained for (K = round(ratio · N)) and the
/// optimisation schedule (AdamW, warm-up and cosine decay).
public struct PrunerTrainingSettings: Codable, Sendable, Equatable {
    public var keepRatio = 1.0 / 9
    public var steps = 300
    public var batchSize = 32
    public var learningRate: Float = 1e-3
    public var seed: UInt64 = 0
    /// `TinyVLM.weightsFingerprint` of the model trained against (empty when not yet bound to one).
    public var model = ""

    public init() {}

    /// The settings a registry factory uses: the environment's ratio and seed, `steps` from the options.
    init(_ environment: inout PrunerEnvironment) throws {
        keepRatio = environment.keepRatio
        seed = environment.seed
        model = environment.modelFingerprint
        steps = try environment.options.number("steps", default: steps, in: 1...100_000)
    }

    /// Part of every trainable pruner's `trainingIdentity`.
    var identity: String {
        "ratio=\(keepRatio) steps=\(steps) batch=\(batchSize) lr=\(learningRate) seed=\(seed) model=\(model)"
    }
}

/// A pruner with learned parameters, trained against the frozen built-in model.
public protocol TrainablePruner: TokenPruner, Module {
    /// Everything that determines the trained weights (method, variant, budget, training settings, seed),
    /// as a canonical string; its hash names the cached weights.
    var trainingIdentity: String { get }
    /// The budget it is trained for and its optimisation schedule.
    var training: PrunerTrainingSettings { get }
    /// The loss of one training batch at `progress` ∈ [0, 1) through the schedule. The model is frozen;
    /// only the pruner's parameters receive gradients.
    func trainingLoss(model: TinyVLM, batch: TrainingBatch, progress: Double, random: RandomStream) -> Tensor
}

extension TrainablePruner {
    /// 16 hex digits of the FNV-1a hash of `trainingIdentity`.
    public var configurationHash: String {
        var hasher = FNV1a()
        hasher.combine(trainingIdentity)
        return hasher.hex
    }

    /// File name of the trained weights: `<name>-<hash>.safetensors`.
    public var weightsFileName: String { "\(name)-\(configurationHash).safetensors" }

    /// Saves the parameters (F32) with the identity in the metadata.
    public func saveWeights(to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try SafeTensors.write(stateDictionary(), to: url, dtype: .float32,
                              metadata: ["pruner": name, "identity": trainingIdentity])
    }

    /// Loads parameters saved by `saveWeights`; a file for another configuration is refused.
    public func loadWeights(from url: URL) throws {
        let file = try SafeTensors.read(contentsOf: url)
        guard file.metadata["identity"] == trainingIdentity else {
            throw PruningError.invalidWeights(pruner: name, reason: "\(url.lastPathComponent) was trained for another configuration")
        }
        try load(file.tensors)
    }
}
