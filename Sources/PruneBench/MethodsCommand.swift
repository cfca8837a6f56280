import ArgumentParser
import Comparison
import TokenPruning

/// `prune-bench methods`: the registered pruners.
struct MethodsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "methods", abstract: "List the registered pruners.")

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    func run() throws {
        let descriptors = PrunerRegistry.shared.descriptors
        if json {
            print(JSONValue.object([("methods", .array(descriptors.map { d in
                .object([("name", .string(d.name)), ("location", .string(d.location.description)),
                         ("trainable", .bool(d.trainable)), ("reference", .bool(d.isReference)),
                         ("description", .string(d.summary))])
            }))]).text)
            return
        }
        let width = descriptors.map(\.name.count).max() ?? 0
        for d in descriptors {
            let tags = (d.trainable ? " [trained]" : "") + (d.isReference ? " [reference]" : "")
            print(d.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(d.summary)\(tags); \(d.location)")
        }
    }
}
