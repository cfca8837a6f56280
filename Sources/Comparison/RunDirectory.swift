import Foundation
import SyntheticVQA

/// A run's directory: `plan.json`, `manifest.json`, one `units/<key>.json` per finished unit, and the
/// report files built from them. Every file is written atomically (temporary file, then rename), so an
/// interrupted run never leaves a half-written result behind.
public struct RunDirectory: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }
    public init(path: String) { self.init(URL(fileURLWithPath: path)) }

    var planURL: URL { url.appendingPathComponent("plan.json") }
    var manifestURL: URL { url.appendingPathComponent("manifest.json") }
    var unitsURL: URL { url.appendingPathComponent("units") }

    public var hasPlan: Bool { FileManager.default.fileExists(atPath: planURL.path) }

    public func readPlan() throws -> ComparisonPlan {
        try decode(ComparisonPlan.self, from: planURL)
    }

    public func readManifest() throws -> RunManifest {
        try decode(RunManifest.self, from: manifestURL)
    }

    /// Starts a run here, or continues one: a directory holding another plan is refused, and one holding
    /// this plan is accepted only with `resume`.
    public func prepare(for plan: ComparisonPlan, resume: Bool) throws {
        if hasPlan {
            let existing = try readPlan()
            guard existing == plan else {
                throw ComparisonError.invalidResults(
                    "\(url.path) holds a run of another configuration (plan \(existing.fingerprint), this one \(plan.fingerprint)); choose another --out")
            }
            guard resume else {
                throw ComparisonError.invalidResults("\(url.path) already holds this run; pass --resume to continue it, or choose another --out")
            }
        } else {
            let existing = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            guard existing.isEmpty else {
                throw ComparisonError.invalidResults("\(url.path) exists and is not a run directory; choose another --out")
            }
            try write(plan, to: planURL)
        }
        try FileManager.default.createDirectory(at: unitsURL, withIntermediateDirectories: true)
        try removeInterruptedWrites()
        if !FileManager.default.fileExists(atPath: manifestURL.path) { try write(RunManifest.current(), to: manifestURL) }
    }

    /// Finished units of `plan`; a unit file that does not belong to the plan or does not parse is an error.
    public func results(of plan: ComparisonPlan) throws -> [ComparisonUnit: UnitResult] {
        let expected = Set(plan.units)
        let files = (try? FileManager.default.contentsOfDirectory(at: unitsURL, includingPropertiesForKeys: nil)) ?? []
        var results: [ComparisonUnit: UnitResult] = [:]
        for file in files where file.pathExtension == "json" && !file.lastPathComponent.hasPrefix(".") {
            let result = try decode(UnitResult.self, from: file)
            guard expected.contains(result.unit), file.deletingPathExtension().lastPathComponent == result.unit.key else {
                throw ComparisonError.invalidResults("\(file.path) is not a unit of this run's plan")
            }
            try Self.check(result, plan: plan, file: file)
            results[result.unit] = result
        }
        return results
    }

    /// Deletes the temporary files an atomic write leaves when the process is killed mid-write (their
    /// names start with a dot; results never do).
    func removeInterruptedWrites() throws {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: unitsURL.path)) ?? [] where name.hasPrefix(".") {
            try FileManager.default.removeItem(at: unitsURL.appendingPathComponent(name))
        }
    }

    /// Stores a finished unit.
    public func store(_ result: UnitResult) throws {
        try write(result, to: unitsURL.appendingPathComponent(result.unit.key + ".json"))
    }

    /// Writes `text` to `name` inside the directory, atomically.
    public func writeFile(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: url.appendingPathComponent(name), options: .atomic)
    }

    func write(_ value: some Encodable, to file: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoder.encode(value).write(to: file, options: .atomic)
    }

    private func decode<T: Decodable>(_ type: T.Type, from file: URL) throws -> T {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw ComparisonError.invalidResults("cannot read \(file.path)")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw ComparisonError.invalidResults("\(file.path) is malformed: \(Self.describe(error))")
        }
    }

    static func check(_ result: UnitResult, plan: ComparisonPlan, file: URL) throws {
        let families = TaskFamily.allCases.count
        let timing = result.timing
        guard result.correct.utf8.count == plan.itemsPerFamily * families, result.recall.count == families,
              result.correct.utf8.allSatisfy({ $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") }),
              result.recall.allSatisfy({ $0.items >= 0 && $0.items <= plan.itemsPerFamily && $0.sum >= 0 && $0.sum <= Double($0.items) + 1e-9 }),
              result.keepTokens == plan.budget(result.unit.keepRatio),
              result.flops.isFinite, result.flops > 0,
              result.tokensPerLayer.count == plan.configuration.layers,
              result.tokensPerLayer.allSatisfy({ $0.isFinite && $0 >= 1 }),
              timing.prefillMilliseconds.isFinite, timing.prefillMilliseconds > 0,
              timing.prunerMilliseconds.isFinite, timing.prunerMilliseconds >= 0,
              timing.unprunedPrefillMilliseconds.isFinite, timing.unprunedPrefillMilliseconds > 0,
              timing.speedup.isFinite, timing.speedup > 0, timing.prunerShare.isFinite, timing.prunerShare >= 0 else {
            throw ComparisonError.invalidResults("\(file.path) does not match the plan (item count, budget or values)")
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _):
            return "missing field '\(key.stringValue)' (written by an older prune-bench? remove the run directory and run again)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : "at '\(path)': ") + context.debugDescription
        default: return "\(error)"
        }
    }
}
