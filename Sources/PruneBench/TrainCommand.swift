import ArgumentParser
import Autograd
import Foundation
import SyntheticVQA
import TinyVLM
import TokenPruning

/// `prune-bench train …`: regenerate the shipped weights.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train the built-in model (substrate) or a learnable pruner.",
        subcommands: [TrainSubstrateCommand.self, TrainPrunerCommand.self])
}

/// `prune-bench train substrate`: trains the built-in VLM from scratch, deterministically per seed.
struct TrainSubstrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "substrate",
        abstract: "Train the built-in VLM from scratch on the task suite (deterministic per seed).")

    @Option(help: "Seed of the initialisation and the data order.")
    var seed: UInt64 = 0

    @Option(help: "Training steps.")
    var steps: Int = SubstrateTrainer.Settings().steps

    @Option(help: "Items per step.")
    var batchSize: Int = SubstrateTrainer.Settings().batchSize

    @Option(help: "Comma-separated task families to train on; one named k times gets k batch slots per cycle (default: the weighted mix of SubstrateTrainer.Settings).")
    var families: String?

    @Option(help: "Share of the steps over which distractors ramp in (0 disables the curriculum).")
    var curriculum: Double = SubstrateTrainer.Settings().curriculumShare

    @Option(help: "Peak learning rate.")
    var learningRate: Float = SubstrateTrainer.Settings().peakLearningRate

    @Option(help: "Weight of the grounding (pointer) loss (0: off).")
    var pointerWeight: Float = SubstrateTrainer.Settings().pointerWeight

    @Option(help: "Language-model layers whose attention the grounding loss supervises, comma-separated.")
    var pointerLayers: String = SubstrateTrainer.Settings().pointerLayers.map(String.init).joined(separator: ",")

    @Option(help: "Supervised attention heads of the grounding loss (1 or 2).")
    var pointerHeads: Int = SubstrateTrainer.Settings().pointerHeads

    @Flag(inversion: .prefixedNo, help: "Point the last layer's head 1 at the answer's option word (multiple choice).")
    var textPointer = SubstrateTrainer.Settings().textPointer

    @Flag(help: "Probe each patch's grid row and column from the vision features (training aid).")
    var probePositions = SubstrateTrainer.Settings().probePositions

    @Option(help: "Weight of the per-patch attribute loss.")
    var attributeWeight: Float = SubstrateTrainer.Settings().attributeWeight

    @Option(help: "Warm-up steps (capped at a tenth of the steps).")
    var warmup: Int = SubstrateTrainer.Settings().warmupSteps

    @Option(help: "Share of post-curriculum batches with dropped background.")
    var dropoutShare: Double = SubstrateTrainer.Settings().dropoutShare

    @Option(help: "Also save the model every N steps to <checkpoints>/step-N (0: never).")
    var checkpointEvery: Int = 0

    @Option(help: "Directory for the intermediate checkpoints.")
    var checkpoints: String = ".build/substrate-checkpoints"

    @Option(help: "Directory for model.safetensors and config.json.")
    var out: String = BuiltInModel.sourceDirectory

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        let layers = TinyVLMConfiguration.standard.layers
        for field in pointerLayers.split(separator: ",", omittingEmptySubsequences: false) {
            guard let layer = Int(field), (0..<layers).contains(layer) else {
                throw ValidationError("--pointer-layers: '\(field)' is not a layer in 0...\(layers - 1)")
            }
        }
        guard (1...2).contains(pointerHeads) else { throw ValidationError("--pointer-heads must be 1 or 2, got \(pointerHeads)") }
        guard pointerWeight >= 0 && attributeWeight >= 0 else { throw ValidationError("loss weights must not be negative") }
    }

    func run() throws {
        var settings = SubstrateTrainer.Settings()
        settings.steps = steps
        settings.batchSize = batchSize
        settings.warmupSteps = min(warmup, max(1, steps / 10))
        settings.pointerWeight = pointerWeight
        settings.pointerLayers = pointerLayers.split(separator: ",").compactMap { Int($0) }
        settings.attributeWeight = attributeWeight
        settings.pointerHeads = pointerHeads
        settings.textPointer = textPointer
        settings.probePositions = probePositions
        settings.dropoutShare = dropoutShare
        settings.curriculumShare = curriculum
        settings.peakLearningRate = learningRate
        if let families { settings.families = try TaskFamily.list(families) }
        let suite = TaskSuite(seed: 0)
        let model = TinyVLM(.standard, seed: seed)
        var line = ProgressLine("train substrate", total: steps)
        var checkpointError: Error? = nil
        SubstrateTrainer(settings: settings, suite: suite, seed: seed).train(model) { step, loss, accuracy in
            line.update(step, detail: String(format: "loss %.3f  train acc %.3f", loss, accuracy))
            if checkpointEvery > 0 && step % checkpointEvery == 0 && step < steps && checkpointError == nil {
                do {
                    try model.save(to: URL(fileURLWithPath: checkpoints).appendingPathComponent("step-\(step)"), storage: .float32)
                } catch { checkpointError = error }
            }
        }
        if let checkpointError { throw checkpointError }
        try model.save(to: URL(fileURLWithPath: out))
        StandardError.write("saved the model to \(out)\n")
    }
}

/// `prune-bench train pruner NAME`: trains a learnable pruner against the frozen built-in model and caches
/// its weights by configuration hash.
struct TrainPrunerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pruner", abstract: "Train a learnable pruner (diffprune, gumbel) for one keep ratio.")

    @Argument(help: "The pruner to train.")
    var name: String

    @Option(help: "Share of the visual tokens the pruner keeps, in (0, 1).")
    var keepRatio: Double = 1.0 / 9

    @Option(help: "Seed of the initialisation, the training items and the noise.")
    var seed: UInt64 = 0

    @Option(help: "Pruner options, key=value[,key=value].")
    var options: String = ""

    @Flag(help: "Train even if cached or shipped weights exist.")
    var retrain = false

    @Option(help: "Also copy the trained weights into this directory (e.g. the shipped resources).")
    var out: String?

    @Option(help: "Engine threads (default: all processors). The weights do not depend on it.")
    var threads: Int?

    func validate() throws {
        guard keepRatio > 0 && keepRatio < 1 else { throw ValidationError("--keep-ratio must be in (0, 1), got \(keepRatio)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
    }

    func run() throws {
        let descriptor = try PrunerRegistry.shared.descriptor(named: name)
        guard descriptor.trainable else { throw ValidationError("'\(name)' has nothing to train") }
        if let threads { BLAS.setThreadCount(threads) }
        let model = try BuiltInModel.load()
        var environment = PrunerEnvironment(model: model, keepRatio: keepRatio, seed: seed,
                                            options: try PrunerOptions(parsing: options), retrain: retrain)
        environment.progress = ProgressLine.training("train \(name)")
        guard let pruner = try PrunerRegistry.shared.make(name, environment: environment) as? any TrainablePruner else {
            throw ValidationError("'\(name)' is not a trainable pruner")
        }
        let cached = environment.weightsCache.appendingPathComponent(pruner.weightsFileName)
        if let out {
            try pruner.saveWeights(to: URL(fileURLWithPath: out).appendingPathComponent(pruner.weightsFileName))
        }
        StandardError.write("weights: \(out.map { "\($0)/\(pruner.weightsFileName)" } ?? cached.path) (configuration \(pruner.configurationHash))\n")
    }
}
