import ArgumentParser
import Comparison
import Foundation
import SyntheticVQA
import TinyVLM
import TokenPruning

/// `prune-bench evaluate`: accuracy of one configuration on the full test split, per task family.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Evaluate the built-in model on the test split, per task family.")

    @Option(help: "A registered pruner (see 'prune-bench methods'), or none for the unpruned model.")
    var method = "none"

    @Option(help: "Share of the visual tokens kept, in (0, 1]; K = round(ratio · N).")
    var keepRatio: Double = 1

    @Option(help: "Run seed (random selections, learned pruners' training).")
    var seed: UInt64 = 0

    @Option(help: "Pruner options, key=value[,key=value] (e.g. throttler=scale-gate).")
    var options: String = ""

    @Option(help: "Directory with model.safetensors and config.json (default: the built-in model).")
    var weights: String?

    @Option(help: "Comma-separated families to evaluate (default: all).")
    var families: String?

    @Option(help: "Evaluate only the first N test items per family (0: all).")
    var limit: Int = 0

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    func validate() throws {
        guard keepRatio > 0 && keepRatio <= 1 else { throw ValidationError("--keep-ratio must be in (0, 1], got \(keepRatio)") }
        if method == "none" && keepRatio < 1 { throw ValidationError("--keep-ratio below 1 needs a --method") }
        if method == "none" && !options.isEmpty { throw ValidationError("--options need a --method") }
        guard limit >= 0 else { throw ValidationError("--limit must not be negative, got \(limit)") }
    }

    func run() throws {
        let model = try weights.map { try TinyVLM.load(from: URL(fileURLWithPath: $0)) } ?? BuiltInModel.load()
        let suite = TaskSuite(layout: model.configuration.layout, seed: 0)
        let tokens = model.configuration.visualTokens
        let budget = max(1, Int((keepRatio * Double(tokens)).rounded()))
        // A family named twice is evaluated once: the average is over families.
        var named = Set<TaskFamily>()
        let chosen = try (families.map(TaskFamily.list) ?? TaskFamily.allCases).filter { named.insert($0).inserted }
        let perFamily = limit > 0 ? min(limit, suite.testItemsPerFamily) : suite.testItemsPerFamily
        let split = { (family: TaskFamily) in (0..<perFamily).map { suite.testItem(family, $0) } }
        let total = chosen.count * perFamily
        var line = ProgressLine("evaluate \(method) @ \(budget)/\(tokens)", total: total)
        let evaluation: Evaluation
        if method == "none" {
            evaluation = Evaluation.run(model, suite: suite, items: chosen.flatMap(split)) { done, _ in line.update(done) }
        } else {
            var environment = PrunerEnvironment(model: model, keepRatio: keepRatio, seed: seed,
                                                options: try PrunerOptions(parsing: options))
            environment.progress = ProgressLine.training("train \(method)")
            let pruner = try PrunerRegistry.shared.make(method, environment: environment)
            var outcomes: [Evaluation.Outcome] = []
            for family in chosen {
                for item in split(family) {
                    let answer = try PrunedInference.answer(model: model, pruner: pruner, item: item, suite: suite,
                                                            budget: budget, seed: seed)
                    let predicted = suite.vocabulary.answers[answer.predicted]
                    outcomes.append(.init(id: item.id, family: family, predicted: predicted, correct: predicted == item.answer))
                    line.update(outcomes.count)
                }
            }
            evaluation = Evaluation(outcomes: outcomes)
        }
        print(report(evaluation, budget: budget))
    }

    private func report(_ evaluation: Evaluation, budget: Int) -> String {
        let perTask = evaluation.perFamily
        if json {
            return JSONValue.object([
                ("method", .string(method)), ("keep_ratio", .number(keepRatio)), ("kept_tokens", .integer(budget)),
                ("accuracy", .number(evaluation.accuracy)),
                ("per_task", .object(perTask.map { ($0.family.rawValue, .number($0.accuracy)) })),
                ("items", .integer(evaluation.outcomes.count)), ("seed", .unsigned(seed)),
            ]).text
        }
        var lines = perTask.map { family, accuracy in
            family.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                + String(format: "%6.1f%%  (chance %.1f%%)", 100 * accuracy, 100 * family.chanceAccuracy)
        }
        lines.append(String(format: "average   %6.1f%%  over %d items", 100 * evaluation.accuracy, evaluation.outcomes.count))
        return lines.joined(separator: "\n")
    }
}
