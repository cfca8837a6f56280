import Autograd
import SyntheticVQA

/// Accuracy of the model on the test split, per family and per item (items stay paired across methods).
public struct Evaluation: Sendable {
    public struct Outcome: Sendable, Equatable {
        public let id: String
        public let family: TaskFamily
        public let predicted: String
        public let correct: Bool

        public init(id: String, family: TaskFamily, predicted: String, correct: Bool) {
            self.id = id
            self.family = family
            self.predicted = predicted
            self.correct = correct
        }
    }

    public let outcomes: [Outcome]

    public init(outcomes: [Outcome]) { self.outcomes = outcomes }

    /// Accuracy per family, in `TaskFamily.allCases` order (families not evaluated are absent).
    public var perFamily: [(family: TaskFamily, accuracy: Double)] {
        TaskFamily.allCases.compactMap { family in
            let rows = outcomes.filter { $0.family == family }
            return rows.isEmpty ? nil : (family, Double(rows.filter(\.correct).count) / Double(rows.count))
        }
    }

    /// Mean of the per-family accuracies (every family weighs the same).
    public var accuracy: Double {
        let families = perFamily
        return families.isEmpty ? 0 : families.map(\.accuracy).reduce(0, +) / Double(families.count)
    }

    /// Evaluates the unpruned `model` on the test split of `families`, in batches.
    public static func run(_ model: TinyVLM, suite: TaskSuite, families: [TaskFamily] = TaskFamily.allCases,
                           batchSize: Int = 50, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) -> Evaluation {
        run(model, suite: suite, items: families.flatMap(suite.testSplit), batchSize: batchSize, progress: progress)
    }

    /// Evaluates the unpruned `model` on the given test items, in batches.
    public static func run(_ model: TinyVLM, suite: TaskSuite, items: [VQAItem], batchSize: Int = 50,
                           progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) -> Evaluation {
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(items.count)
        for start in stride(from: 0, to: items.count, by: batchSize) {
            let chunk = Array(items[start..<min(items.count, start + batchSize)])
            let batch = TrainingBatch(items: chunk, layout: suite.layout, vocabulary: suite.vocabulary)
            let predictions = withoutGradient { TinyVLM.predictedAnswers(model.answerLogits(batch)) }
            for (item, predicted) in zip(chunk, predictions) {
                let answer = suite.vocabulary.answers[predicted]
                outcomes.append(Outcome(id: item.id, family: item.family, predicted: answer, correct: answer == item.answer))
            }
            progress(outcomes.count, items.count)
        }
        return Evaluation(outcomes: outcomes)
    }
}
