import ArgumentParser
import Foundation
import SyntheticVQA

/// `prune-bench tasks --samples DIR`: example images of every task family, with their questions and
/// answers, so a person can see what the model sees.
struct TasksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "Describe the task suite and write example images (PNG) with their questions and answers.")

    @Option(help: "Directory to write the samples to (created if missing).")
    var samples: String

    @Option(help: "Examples per task family.")
    var perFamily: Int = 2

    @Option(help: "Suite seed.")
    var seed: UInt64 = 0

    @Option(help: "Pixel enlargement of the written PNGs.")
    var scale: Int = 4

    func validate() throws {
        guard perFamily >= 1 && perFamily <= 100 else { throw ValidationError("--per-family must be in 1...100, got \(perFamily)") }
        guard scale >= 1 && scale <= 16 else { throw ValidationError("--scale must be in 1...16, got \(scale)") }
    }

    func run() throws {
        let directory = URL(fileURLWithPath: samples)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("cannot create '\(samples)': \(error.localizedDescription)")
        }
        let suite = TaskSuite(seed: seed, testItemsPerFamily: perFamily)
        var index = "# Task suite samples (seed \(seed))\n\n| image | family | question | answer | relevant patches |\n|---|---|---|---|---|\n"
        for family in TaskFamily.allCases {
            for item in suite.testSplit(family) {
                let name = item.id.replacingOccurrences(of: "/", with: "-") + ".png"
                let png = PNGEncoder.encode(item.scene.render(suite.layout), scale: scale)
                try Data(png).write(to: directory.appendingPathComponent(name))
                index += "| ![](\(name)) | \(family.rawValue) | \(item.question.joined(separator: " ")) | \(item.answer) | \(item.relevantPatches.count) of \(suite.layout.patchCount) |\n"
            }
        }
        try index.write(to: directory.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        StandardError.write("wrote \(TaskFamily.allCases.count * perFamily) samples and README.md to \(samples)\n")
    }
}
