import Foundation

/// Combines the shard directories of one plan into one run directory. Everything is checked before
/// anything is written: the plans must be identical, and a unit present twice must have identical
/// results (timings aside), so a merge never overwrites a result with a different one.
public enum RunMerger {
    /// Merges `sources` into `target`; returns the number of units the merged run has.
    @discardableResult
    public static func merge(_ sources: [RunDirectory], into target: RunDirectory) throws -> Int {
        guard let first = sources.first else { throw ComparisonError.invalidResults("merge needs at least one run directory") }
        for source in sources where !source.hasPlan {
            throw ComparisonError.invalidResults("\(source.url.path) holds no run (no plan.json)")
        }
        let plan = try first.readPlan()
        for source in sources.dropFirst() {
            let other = try source.readPlan()
            guard other == plan else {
                throw ComparisonError.invalidResults(
                    "\(source.url.path) is a run of another configuration than \(first.url.path) (plan \(other.fingerprint) vs \(plan.fingerprint))")
            }
        }
        let manifest = try first.readManifest()
        if target.hasPlan, try target.readPlan() != plan {
            throw ComparisonError.invalidResults("\(target.url.path) already holds a run of another configuration")
        }
        var merged = target.hasPlan ? try target.results(of: plan) : [:]
        var origin: [ComparisonUnit: String] = merged.mapValues { _ in target.url.path }
        var incoming: [UnitResult] = []
        for source in sources {
            for (unit, result) in try source.results(of: plan) {
                if let existing = merged[unit] {
                    guard existing.withoutTiming == result.withoutTiming else {
                        throw ComparisonError.invalidResults(
                            "unit \(unit.key) differs between \(origin[unit]!) and \(source.url.path); they are not shards of one run")
                    }
                    continue
                }
                merged[unit] = result
                origin[unit] = source.url.path
                incoming.append(result)
            }
        }
        if !target.hasPlan {
            try target.write(plan, to: target.planURL)
            try target.write(manifest, to: target.manifestURL)
        }
        for result in incoming { try target.store(result) }
        return merged.count
    }
}
