import Statistics

/// The procedural multimodal benchmark: deterministic from a seed, with a fixed held-out test split per
/// family that training never sees (training items identical to a test item are regenerated).
///
/// Item i of a family has answer `answers[i % answers.count]`, so every split is balanced; its random
/// choices come from the stream `(seed, [split, family, i, attempt])`.
public struct TaskSuite: Sendable {
    public enum Split: String, Sendable, Codable { case train, test }

    public let layout: ImageLayout
    public let seed: UInt64
    public let testItemsPerFamily: Int
    public let vocabulary: Vocabulary

    /// 600 test items per family: a multiple of every family's answer count, so tests are exactly balanced.
    public static let defaultTestItemsPerFamily = 600

    private let testFingerprints: Set<Int>

    public init(layout: ImageLayout = .standard, seed: UInt64 = 0,
                testItemsPerFamily: Int = TaskSuite.defaultTestItemsPerFamily) {
        self.layout = layout
        self.seed = seed
        self.testItemsPerFamily = testItemsPerFamily
        self.vocabulary = .standard
        let generator = ItemGenerator(layout: layout)
        var fingerprints = Set<Int>()
        for family in TaskFamily.allCases {
            for index in 0..<testItemsPerFamily {
                fingerprints.insert(Self.make(family, index: index, split: .test, seed: seed, generator: generator,
                                              excluding: []).fingerprint)
            }
        }
        self.testFingerprints = fingerprints
    }

    /// Test item `index` of `family` (0 ≤ index < testItemsPerFamily).
    public func testItem(_ family: TaskFamily, _ index: Int) -> VQAItem {
        precondition(index >= 0 && index < testItemsPerFamily, "test index \(index) out of range")
        return Self.make(family, index: index, split: .test, seed: seed, generator: ItemGenerator(layout: layout),
                         excluding: []).item
    }

    /// The whole test split of `family`, in index order.
    public func testSplit(_ family: TaskFamily) -> [VQAItem] {
        (0..<testItemsPerFamily).map { testItem(family, $0) }
    }

    /// Training item `index` of `family`; any index ≥ 0 is valid, and none equals a test item.
    public func trainingItem(_ family: TaskFamily, _ index: Int) -> VQAItem {
        Self.make(family, index: index, split: .train, seed: seed, generator: ItemGenerator(layout: layout),
                  excluding: testFingerprints).item
    }

    private static func make(_ family: TaskFamily, index: Int, split: Split, seed: UInt64, generator: ItemGenerator,
                             excluding forbidden: Set<Int>) -> (item: VQAItem, fingerprint: Int) {
        let answer = family.answers[index % family.answers.count]
        let variant = index / family.answers.count
        for attempt in 0... {
            let stream = RandomStream(seed: seed, path: [split.rawValue, family.rawValue, "\(index)", "\(attempt)"])
            guard let draft = generator.draft(family, answer: answer, variant: variant, stream: stream) else { continue }
            let fingerprint = Self.fingerprint(draft, answer: answer)
            if forbidden.contains(fingerprint) { continue }
            let item = VQAItem(id: "\(split.rawValue)/\(family.rawValue)/\(index)", family: family, scene: draft.scene,
                               question: draft.question, answer: answer,
                               relevantPatches: draft.scene.patches(of: draft.relevant, layout: generator.layout),
                               negativeKind: draft.negativeKind)
            return (item, fingerprint)
        }
        fatalError("unreachable: the attempt loop only ends by returning")
    }

    /// Identity of an item up to pixel noise and background tint: same objects, texture and question.
    private static func fingerprint(_ draft: ItemGenerator.Draft, answer: String) -> Int {
        var hasher = FNV1a()
        let fields = [draft.scene.texture.rawValue]
            + draft.scene.objects.map { "\($0.colour.rawValue) \($0.shape.rawValue) \($0.size.rawValue) \($0.x) \($0.y) \($0.digit ?? -1)" }
            + [draft.question.joined(separator: " "), answer]
        for field in fields {
            hasher.combine(field)
            hasher.combine(0xff)  // separator, so ("ab", "c") and ("a", "bc") differ
        }
        return Int(truncatingIfNeeded: hasher.value)
    }
}
