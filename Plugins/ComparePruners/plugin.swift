import Foundation
import PackagePlugin

/// `swift package --allow-writing-to-package-directory compare-pruners [compare options]`: builds
/// `prune-bench` in release (timings from a debug build would be meaningless) and runs
/// `prune-bench compare` in the package directory, so reports land in `Reports/`.
@main
struct ComparePruners: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        let build = try packageManager.build(.product("prune-bench"), parameters: .init(configuration: .release, echoLogs: true))
        guard build.succeeded, let tool = build.builtArtifacts.first(where: { $0.kind == .executable }) else {
            Diagnostics.error("building prune-bench in release failed")
            throw ComparePrunersError.buildFailed
        }
        let process = Process()
        process.executableURL = tool.url
        process.arguments = ["compare"] + arguments
        process.currentDirectoryURL = context.package.directoryURL
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ComparePrunersError.compareFailed(process.terminationStatus) }
    }
}

enum ComparePrunersError: Error, CustomStringConvertible {
    case buildFailed
    case compareFailed(Int32)

    var description: String {
        switch self {
        case .buildFailed: return "could not build prune-bench in release"
        case .compareFailed(let status): return "prune-bench compare exited with status \(status)"
        }
    }
}
