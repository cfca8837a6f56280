import XCTest
@testable import SyntheticVQA

final class TaskSuiteTests: XCTestCase {
    static let suite = TaskSuite(seed: 7, testItemsPerFamily: 120)

    func testGenerationIsDeterministic() {
        let other = TaskSuite(seed: 7, testItemsPerFamily: 120)
        for family in TaskFamily.allCases {
            for index in [0, 5, 119] {
                let a = Self.suite.testItem(family, index), b = other.testItem(family, index)
                XCTAssertEqual(a, b)
                XCTAssertEqual(a.scene.render(.standard), b.scene.render(.standard))
            }
            XCTAssertEqual(Self.suite.trainingItem(family, 31), other.trainingItem(family, 31))
        }
        XCTAssertNotEqual(TaskSuite(seed: 8, testItemsPerFamily: 12).testItem(.colour, 0).scene,
                          Self.suite.testItem(.colour, 0).scene)
    }

    func testSplitsAreDisjoint() {
        var test = Set<String>()
        for family in TaskFamily.allCases {
            for item in Self.suite.testSplit(family) { test.insert(Self.key(item)) }
        }
        for family in TaskFamily.allCases {
            for index in 0..<400 {
                XCTAssertFalse(test.contains(Self.key(Self.suite.trainingItem(family, index))), "\(family) \(index)")
            }
        }
    }

    private static func key(_ item: VQAItem) -> String {
        "\(item.scene.texture) \(item.scene.objects.map { "\($0)" }) \(item.question) \(item.answer)"
    }

    func testAnswersAreBalancedWithinEveryFamily() {
        for family in TaskFamily.allCases {
            var counts: [String: Int] = [:]
            for item in Self.suite.testSplit(family) { counts[item.answer, default: 0] += 1 }
            XCTAssertEqual(Set(counts.keys), Set(family.answers), "\(family)")
            XCTAssertEqual(Set(counts.values).count, 1, "\(family) unbalanced: \(counts)")
        }
        XCTAssertEqual(TaskSuite.defaultTestItemsPerFamily % 60, 0, "the default split must balance every family")
    }

    func testQuestionsAreInTheVocabularyAndVisualTokensDominate() {
        let vocabulary = Vocabulary.standard
        for family in TaskFamily.allCases {
            for item in Self.suite.testSplit(family).prefix(30) {
                XCTAssertEqual(vocabulary.encode(question: item.question).count, item.question.count)
                XCTAssertTrue(family.answers.contains(item.answer))
                _ = vocabulary.answerID(item.answer)
                let visualShare = Double(ImageLayout.standard.patchCount)
                    / Double(ImageLayout.standard.patchCount + item.question.count)
                XCTAssertGreaterThanOrEqual(visualShare, 0.85)
            }
        }
    }

    func testObjectsCoverAMinorityAndRelevantPatchesHoldThem() {
        let layout = ImageLayout.standard
        var coveredShare = 0.0, count = 0
        for family in TaskFamily.allCases {
            for item in Self.suite.testSplit(family).prefix(40) {
                let all = item.scene.patches(of: item.scene.objects, layout: layout)
                coveredShare += Double(all.count) / Double(layout.patchCount)
                count += 1
                XCTAssertTrue(Set(item.relevantPatches).isSubset(of: Set(all)))
                XCTAssertEqual(item.relevantPatches, item.relevantPatches.sorted())
                if family == .scene { XCTAssertTrue(item.relevantPatches.isEmpty) }
                else if family != .existence { XCTAssertFalse(item.relevantPatches.isEmpty, item.id) }
            }
        }
        XCTAssertLessThan(coveredShare / Double(count), 0.35, "objects should cover a minority of patches")
    }

    func testAnswersAreTrueOfTheScene() {
        for item in Self.suite.testSplit(.counting).prefix(40) {
            let shape = ObjectShape.allCases.first { item.question.contains($0.plural) }!
            XCTAssertEqual(item.scene.objects.filter { $0.shape == shape }.count, Int(item.answer))
        }
        for item in Self.suite.testSplit(.existence).prefix(60) {
            let colour = ObjectColour(rawValue: item.question[3])!, shape = ObjectShape(rawValue: item.question[4])!
            let present = item.scene.objects.contains { $0.colour == colour && $0.shape == shape }
            XCTAssertEqual(present ? "yes" : "no", item.answer)
            XCTAssertEqual(item.negativeKind == nil, item.answer == "yes")
        }
        for item in Self.suite.testSplit(.reading).prefix(40) {
            let colour = ObjectColour(rawValue: item.question[5])!
            let targets = item.scene.objects.filter { $0.colour == colour && $0.shape == .square }
            XCTAssertEqual(targets.count, 1)
            XCTAssertEqual(targets.first?.digit.map(String.init), item.answer)
        }
        let kinds = Set(Self.suite.testSplit(.existence).compactMap(\.negativeKind))
        XCTAssertEqual(kinds, Set(NegativeKind.allCases))
    }

    func testPatchesFlattenTheImage() {
        let layout = ImageLayout.standard
        let image = Self.suite.testItem(.colour, 0).scene.render(layout)
        let patches = image.patches(layout)
        XCTAssertEqual(patches.count, layout.patchCount * layout.patchDimension)
        // Patch 13 = row 1, column 1; its first value is pixel (p, p), channel 0.
        XCTAssertEqual(patches[13 * layout.patchDimension], image[layout.patchSide, layout.patchSide, 0])
        XCTAssertTrue(patches.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    func testPNGIsWellFormed() {
        let image = Self.suite.testItem(.reading, 0).scene.render(.standard)
        let png = PNGEncoder.encode(image, scale: 2)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(PNGEncoder.crc32(Array("IEND".utf8)), 0xAE42_6082)  // the constant every PNG ends with
        XCTAssertEqual(PNGEncoder.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
        XCTAssertEqual(Array(png.suffix(4)), [0xAE, 0x42, 0x60, 0x82])
    }
}
