import ArgumentParser
import Foundation
import Statistics

/// `prune-bench`: the PruneLab command-line tool.
@main
struct PruneBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune-bench",
        abstract: "Compare visual-token pruning strategies for vision-language models.",
        subcommands: [CompareCommand.self, AblateCommand.self, MergeCommand.self, ReportCommand.self, EvaluateCommand.self,
                      TrainCommand.self, BenchCommand.self, StatsCommand.self, TasksCommand.self, MethodsCommand.self])

    /// Bad input of any kind (unknown option, malformed CSV, invalid data) ends with exit code 2.
    static let inputErrorExitCode: Int32 = 2

    static func main() {
        GSLErrors.installHandler()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard exitCode(for: error) != .success else { exit(withError: error) }
            let firstLine = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            StandardError.write("prune-bench: \(firstLine.replacingPrefix("Error: ", with: ""))\n")
            Foundation.exit(inputErrorExitCode)
        }
    }
}

/// Human-readable output and diagnostics go to stderr when stdout carries JSON.
enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

extension String {
    func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
