/// One question about one image, with its answer and the ground truth of which patches matter.
public struct VQAItem: Sendable, Equatable {
    /// Stable identifier, e.g. "test/colour/17".
    public let id: String
    public let family: TaskFamily
    public let scene: Scene
    /// The question as words of `Vocabulary.questionWords`.
    public let question: [String]
    public let answer: String
    /// Patches (row-major indices) holding the objects the question is about; empty when the answer
    /// depends on the whole image (scene family).
    public let relevantPatches: [Int]
    /// For "no" answers of the existence family, which kind of negative was asked about.
    public let negativeKind: NegativeKind?
}
