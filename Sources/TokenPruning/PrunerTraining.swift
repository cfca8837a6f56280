import Autograd
import Foundation
import Statistics
import SyntheticVQA
import TinyVLM

/// Trains learnable pruners against the frozen built-in model and caches their weights by
/// configuration hash, so a comparison trains each configuration once.
public enum PrunerTraining {
    /// Loads `pruner`'s weights from the shipped resources or the cache, or trains and caches them.
    public static func loadOrTrain(_ pruner: some TrainablePruner, environment: PrunerEnvironment) throws {
        let cached = environment.weightsCache.appendingPathComponent(pruner.weightsFileName)
        if !environment.retrain {
            // The cache first: it holds what `--retrain` produced last.
            for url in [cached, ShippedPrunerWeights.url(pruner.weightsFileName)].compactMap({ $0 })
            where FileManager.default.fileExists(atPath: url.path) {
                try pruner.loadWeights(from: url)
                return
            }
        }
        guard environment.allowTraining else {
            throw PruningError.invalidWeights(
                pruner: pruner.name,
                reason: "no trained weights for this configuration (\(pruner.weightsFileName)); run 'prune-bench train pruner \(pruner.name)'")
        }
        try train(pruner, model: environment.model, progress: environment.progress)
        try pruner.saveWeights(to: cached)
    }

    /// How pruner training draws its batches from the training stream: every visual token shown, and
    /// every family equally often, whatever mix the substrate's recipe uses (a budget serves all of them).
    static func batchSettings(batchSize: Int) -> SubstrateTrainer.Settings {
        var settings = SubstrateTrainer.Settings()
        settings.batchSize = batchSize
        settings.dropoutShare = 0
        settings.curriculumShare = 0
        settings.families = TaskFamily.allCases
        return settings
    }

    /// Trains `pruner` with its `training` settings: AdamW with warm-up and cosine decay, gradient
    /// clipping at 1, batches cycling through every family. The model is frozen. The items come from a
    /// stretch of the training stream the substrate never used, chosen by the seed; a non-finite loss
    /// stops training with an error.
    public static func train(_ pruner: some TrainablePruner, model: TinyVLM,
                             progress: (Int, Int, Float) -> Void = { _, _, _ in }) throws {
        model.freeze()
        let (steps, learningRate, seed) = (pruner.training.steps, pruner.training.learningRate, pruner.training.seed)
        let optimizer = AdamW(parameters: pruner.trainableParameters(), learningRate: learningRate, weightDecay: 0.01,
                              decays: { $0.tensor.rank >= 2 })
        let schedule = WarmupCosineSchedule(peak: learningRate, warmupSteps: max(1, steps / 10), totalSteps: steps,
                                            floor: learningRate / 100)
        let batches = SubstrateTrainer(settings: batchSettings(batchSize: pruner.training.batchSize),
                                       suite: TaskSuite(layout: model.configuration.layout, seed: 0), seed: seed)
        let firstBatch = 100_000 + Int(seed % 1_000) * 10_000
        for step in 0..<steps {
            let random = RandomStream(seed: seed, path: ["pruner", pruner.name, "step \(step)"])
            let loss = pruner.trainingLoss(model: model, batch: batches.batch(firstBatch + step),
                                           progress: Double(step) / Double(steps), random: random)
            guard loss.item.isFinite else {
                throw PruningError.invalidWeights(pruner: pruner.name, reason: "training diverged (loss \(loss.item) at step \(step))")
            }
            optimizer.zeroGradients()
            loss.backward()
            _ = clipGradientNorm(pruner.trainableParameters(), maxNorm: 1)
            optimizer.learningRate = schedule(step)
            optimizer.step()
            progress(step + 1, steps, loss.item)
        }
    }
}

/// Trained pruner weights shipped as resources (so the default comparison needs no training).
enum ShippedPrunerWeights {
    static func url(_ fileName: String) -> URL? {
        Bundle.module.url(forResource: fileName, withExtension: nil, subdirectory: "Resources/pruners")
    }
}

extension DiffPrunePruner {
    /// Registry factory. Options: throttler, denoiser, scorer-depth, scorer-width, tau-start, tau-end, steps, threshold
    /// (inference only: the trained weights are shared with top-K inference).
    static func make(_ environment: inout PrunerEnvironment) throws -> any TokenPruner {
        var c = Configuration()
        c.training = try PrunerTrainingSettings(&environment)
        c.throttler = try environment.options.choice("throttler", default: c.throttler)
        c.denoiser = try environment.options.choice("denoiser", default: c.denoiser)
        c.scorerDepth = try environment.options.number("scorer-depth", default: c.scorerDepth, in: 0...8)
        c.scorerWidth = try environment.options.number("scorer-width", default: c.scorerWidth, in: 4...1024)
        if c.scorerDepth > 0, c.scorerWidth % 4 != 0 {
            throw PrunerOptionError("scorer-width=\(c.scorerWidth): transformer blocks need a multiple of 4 (4 heads)")
        }
        c.temperatureStart = try environment.options.number("tau-start", default: c.temperatureStart, in: 0.01...100)
        c.temperatureEnd = try environment.options.number("tau-end", default: c.temperatureEnd, in: 0.01...100)
        if let threshold = environment.options.string("threshold") {
            guard let value = Float(threshold), value.isFinite else {
                throw PrunerOptionError("threshold=\(threshold): expected a finite score (logit)")
            }
            c.threshold = value
        }
        try environment.options.requireAllUsed(by: "diffprune")  // before any training
        let pruner = DiffPrunePruner(configuration: c, visionWidth: environment.model.configuration.visionWidth)
        try PrunerTraining.loadOrTrain(pruner, environment: environment)
        return pruner
    }
}

extension GumbelPruner {
    /// Registry factory. Options: ratio-weight, distillation, predictor-width, steps.
    static func make(_ environment: inout PrunerEnvironment) throws -> any TokenPruner {
        var c = Configuration()
        c.training = try PrunerTrainingSettings(&environment)
        c.ratioWeight = try environment.options.number("ratio-weight", default: c.ratioWeight, in: 0...100)
        c.distillationWeight = try environment.options.number("distillation", default: c.distillationWeight, in: 0...100)
        c.predictorWidth = try environment.options.number("predictor-width", default: c.predictorWidth, in: 4...1024)
        if c.predictorWidth % 4 != 0 {
            throw PrunerOptionError("predictor-width=\(c.predictorWidth): expected a multiple of 4")
        }
        try environment.options.requireAllUsed(by: "gumbel")  // before any training
        let pruner = GumbelPruner(configuration: c, visionWidth: environment.model.configuration.visionWidth)
        try PrunerTraining.loadOrTrain(pruner, environment: environment)
        return pruner
    }
}

extension AttentionNormPruner {
    /// Registry factory. Options: layer, queries (last|all), value-norm.
    static func make(_ environment: inout PrunerEnvironment) throws -> any TokenPruner {
        let layers = environment.model.configuration.layers
        guard layers >= 2 else {
            throw PruningError.missingContext(pruner: "attention-norm", what: "a language model of at least 2 layers")
        }
        let layer = try environment.options.number("layer", default: min(2, layers - 2), in: 0...(layers - 2))
        let queries = try environment.options.choice("queries", default: Queries.lastToken)
        let valueNorm = try environment.options.flag("value-norm", default: false)
        return AttentionNormPruner(layer: layer, queries: queries, valueNormWeighting: valueNorm)
    }
}

extension TopKPruner {
    /// Registry factory. Options: score (projected-norm|feature-norm).
    static func make(_ environment: inout PrunerEnvironment) throws -> any TokenPruner {
        switch environment.options.string("score") ?? "projected-norm" {
        case "projected-norm": return TopKPruner(score: .projectedNorm)
        case "feature-norm": return TopKPruner(score: .featureNorm)
        case let other: throw PrunerOptionError("score=\(other): expected projected-norm or feature-norm")
        }
    }
}
