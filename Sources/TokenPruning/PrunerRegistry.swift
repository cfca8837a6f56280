import Foundation
import Synchronization
import TinyVLM

/// What a pruner factory gets: the model, the budget a learned pruner is trained for, the run seed,
/// variant options, and where trained weights are cached.
public struct PrunerEnvironment {
    public let model: TinyVLM
    /// The model's `weightsFingerprint`, computed once.
    public let modelFingerprint: String
    public let keepRatio: Double
    public let seed: UInt64
    public var options: PrunerOptions
    /// Directory of cached trained weights (`<name>-<hash>.safetensors`).
    public let weightsCache: URL
    /// Whether a learned pruner without weights may be trained now (else it is an error).
    public var allowTraining: Bool
    /// Train even when weights exist.
    public var retrain: Bool
    /// Progress of training, if any: (step, total steps, loss).
    public var progress: (Int, Int, Float) -> Void

    public init(model: TinyVLM, keepRatio: Double, seed: UInt64 = 0, options: PrunerOptions = PrunerOptions(),
                weightsCache: URL = PrunerEnvironment.defaultWeightsCache, allowTraining: Bool = true,
                retrain: Bool = false, progress: @escaping (Int, Int, Float) -> Void = { _, _, _ in }) {
        self.model = model
        self.modelFingerprint = model.weightsFingerprint
        self.keepRatio = keepRatio
        self.seed = seed
        self.options = options
        self.weightsCache = weightsCache
        self.allowTraining = allowTraining
        self.retrain = retrain
        self.progress = progress
    }

    /// `.build/prunelab/pruners` under the current directory.
    public static var defaultWeightsCache: URL {
        URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/prunelab/pruners")
    }
}

/// A registered pruner: its name, what it does, and how to make one.
public struct PrunerDescriptor: Sendable {
    public let name: String
    public let summary: String
    /// Where it prunes with its default options.
    public let location: PruningLocation
    public let trainable: Bool
    /// A reference point (the oracle), reported apart from the methods.
    public let isReference: Bool
    /// Whether its selections depend on the run seed (random choices, or training). A comparison runs a
    /// seed-independent pruner once and reuses its results for every seed.
    public let usesSeed: Bool
    public let make: @Sendable (inout PrunerEnvironment) throws -> any TokenPruner

    public init(name: String, summary: String, location: PruningLocation, trainable: Bool = false,
                isReference: Bool = false, usesSeed: Bool = true, make: @escaping @Sendable (inout PrunerEnvironment) throws -> any TokenPruner) {
        self.name = name
        self.summary = summary
        self.location = location
        self.trainable = trainable
        self.isReference = isReference
        self.usesSeed = usesSeed
        self.make = make
    }
}

/// Pruners by name, so `--methods diffprune,random` works and a pruner from another package joins with
/// one `register` call.
public final class PrunerRegistry: Sendable {
    public static let shared = PrunerRegistry(BuiltInPruners.all)

    private let table: Mutex<[PrunerDescriptor]>

    public init(_ descriptors: [PrunerDescriptor] = []) { table = Mutex(descriptors) }

    /// Adds `descriptor`, replacing any pruner of the same name.
    public func register(_ descriptor: PrunerDescriptor) {
        table.withLock { entries in
            entries.removeAll { $0.name == descriptor.name }
            entries.append(descriptor)
        }
    }

    /// Every registered pruner, in registration order.
    public var descriptors: [PrunerDescriptor] { table.withLock { $0 } }

    public var names: [String] { descriptors.map(\.name) }

    public func descriptor(named name: String) throws -> PrunerDescriptor {
        guard let found = descriptors.first(where: { $0.name == name }) else {
            throw PruningError.unknownPruner(name, known: names)
        }
        return found
    }

    /// Makes the pruner `name` for `environment`; its options must all be known to it.
    public func make(_ name: String, environment: PrunerEnvironment) throws -> any TokenPruner {
        var environment = environment
        let pruner = try descriptor(named: name).make(&environment)
        try environment.options.requireAllUsed(by: name)
        return pruner
    }
}
