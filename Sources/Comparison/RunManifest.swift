import Autograd
import Foundation

/// Where and when a run was made: git commit, date, machine and threads; `summary.json`'s manifest.
public struct RunManifest: Codable, Sendable, Equatable {
    public var commit: String
    public var date: String
    public var machine: String
    public var threads: Int

    /// The manifest of a run made now, in the current directory's git checkout.
    public static func current() -> RunManifest {
        RunManifest(commit: gitCommit(), date: ISO8601DateFormatter().string(from: Date()), machine: machineDescription,
                    threads: BLAS.threadCount)
    }

    /// Host name, CPU model, processor count and the widest vectors a kernel takes (timings depend on them;
    /// 16 lanes is GELU on AVX-512), e.g. `node17, AMD EPYC 7B13, 2 processors, 8-lane vectors`.
    public static let machineDescription: String = {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        return "\(ProcessInfo.processInfo.hostName), \(model), \(ProcessInfo.processInfo.activeProcessorCount) processors, "
            + "\(BLAS.widestVectorLanes)-lane vectors"
    }()

    /// `git rev-parse HEAD` (with `-dirty` when tracked files changed), or "unknown" outside a checkout.
    static func gitCommit() -> String {
        func git(_ arguments: [String]) -> String? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git"] + arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return nil }
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let head = git(["rev-parse", "HEAD"]) else { return "unknown" }
        let dirty = !(git(["status", "--porcelain", "--untracked-files=no"]) ?? "").isEmpty
        return head + (dirty ? "-dirty" : "")
    }
}
