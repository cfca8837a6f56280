/// The words questions are made of and the answers the model chooses among, with fixed integer ids.
public struct Vocabulary: Sendable, Equatable {
    public let questionWords: [String]
    public let answers: [String]
    private let questionIndex: [String: Int]
    private let answerIndex: [String: Int]

    /// The suite's vocabulary: every word any question template uses, every answer of every family.
    public static let standard: Vocabulary = {
        let templateWords = ["what", "colour", "shape", "is", "the", "object", "where", "how", "many", "are",
                             "there", "a", "relative", "to", "bigger", "than", "digit", "on", "background",
                             "which", "A", "B", "C", "D"]
        let attributeWords = ObjectColour.allCases.map(\.rawValue) + ObjectShape.allCases.map(\.rawValue)
            + ObjectShape.allCases.map(\.plural)
        var answers: [String] = []
        for family in TaskFamily.allCases {
            for answer in family.answers where !answers.contains(answer) { answers.append(answer) }
        }
        return Vocabulary(questionWords: ["<pad>"] + templateWords + attributeWords, answers: answers)
    }()

    init(questionWords: [String], answers: [String]) {
        self.questionWords = questionWords
        self.answers = answers
        self.questionIndex = Dictionary(uniqueKeysWithValues: questionWords.enumerated().map { ($1, $0) })
        self.answerIndex = Dictionary(uniqueKeysWithValues: answers.enumerated().map { ($1, $0) })
    }

    /// Id of the padding word, which never occurs inside a question.
    public var paddingID: Int { 0 }

    /// Token ids of a question.
    public func encode(question: [String]) -> [Int] {
        question.map { word in
            guard let id = questionIndex[word] else { preconditionFailure("'\(word)' is not in the question vocabulary") }
            return id
        }
    }

    /// Class id of an answer.
    public func answerID(_ answer: String) -> Int {
        guard let id = answerIndex[answer] else { preconditionFailure("'\(answer)' is not an answer") }
        return id
    }
}
