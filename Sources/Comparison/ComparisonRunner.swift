import Autograd
import Foundation
import SyntheticVQA
import TinyVLM
import TokenPruning

/// Runs the units of a plan that have no result yet (all of them, or one shard's), storing each as it
/// finishes; a killed run loses only the unit in flight, and rerunning with `resume` finishes the rest.
public struct ComparisonRunner {
    /// What the runner is doing, for a progress line.
    public enum Event {
        /// A unit started: its position among the units this invocation runs, and their number.
        case unitStarted(ComparisonUnit, index: Int, of: Int)
        /// Items of the current unit evaluated so far.
        case items(done: Int, total: Int)
        /// A learnable pruner is being trained for the current unit.
        case training(step: Int, steps: Int, loss: Float)
        case unitFinished(ComparisonUnit, seconds: Double)
    }

    public let plan: ComparisonPlan
    public let directory: RunDirectory
    public let model: TinyVLM
    public var registry = PrunerRegistry.shared
    public var weightsCache = PrunerEnvironment.defaultWeightsCache
    /// Threads evaluating items side by side.
    public var workers = BLAS.threadCount

    public init(plan: ComparisonPlan, directory: RunDirectory, model: TinyVLM) throws {
        guard model.weightsFingerprint == plan.model else {
            throw ComparisonError.invalidPlan("the plan is for model \(plan.model), not the loaded model \(model.weightsFingerprint)")
        }
        self.plan = plan
        self.directory = directory
        self.model = model
    }

    /// Units of `shard` (or of the whole plan) that have no stored result.
    public func pending(shard: Shard? = nil) throws -> [ComparisonUnit] {
        let done = try directory.results(of: plan)
        return (shard?.select(plan.units) ?? plan.units).filter { done[$0] == nil }
    }

    /// Runs the pending units of `shard`, storing each result as it finishes. Call `directory.prepare`
    /// first.
    public func run(shard: Shard? = nil, events: @escaping (Event) -> Void = { _ in }) throws {
        let units = try pending(shard: shard)
        guard !units.isEmpty else { return }
        let suite = TaskSuite(layout: model.configuration.layout, seed: 0)
        let evaluator = UnitEvaluator(model: model, suite: suite, itemsPerFamily: plan.itemsPerFamily, workers: workers)
        let clock = ContinuousClock()
        for (index, unit) in units.enumerated() {
            events(.unitStarted(unit, index: index, of: units.count))
            let start = clock.now
            let pruner = try makePruner(unit) { events(.training(step: $0, steps: $1, loss: $2)) }
            let result = try evaluator.evaluate(unit, pruner: pruner, budget: plan.budget(unit.keepRatio), timing: plan.timing) {
                events(.items(done: $0, total: evaluator.items.count))
            }
            try directory.store(result)
            events(.unitFinished(unit, seconds: (clock.now - start).seconds))
        }
    }

    /// The pruner of `unit` (nil for the unpruned model), trained first if it must be.
    func makePruner(_ unit: ComparisonUnit, training: @escaping (Int, Int, Float) -> Void) throws -> (any TokenPruner)? {
        guard !unit.isUnpruned else { return nil }
        guard let spec = plan.method(unit.method) else {
            throw ComparisonError.invalidPlan("unit \(unit.key) names no method of the plan")
        }
        let environment = PrunerEnvironment(model: model, keepRatio: unit.keepRatio, seed: unit.seed,
                                            options: try PrunerOptions(parsing: spec.options), weightsCache: weightsCache,
                                            retrain: plan.retrain, progress: training)
        return try registry.make(spec.pruner, environment: environment)
    }
}
