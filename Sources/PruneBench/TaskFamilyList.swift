import ArgumentParser
import Foundation
import SyntheticVQA

extension TaskFamily {
    /// Families from a comma-separated `--families` value, in order and with any repeats; an unknown name
    /// or an empty list is an error listing the known ones.
    static func list(_ text: String) throws -> [TaskFamily] {
        let known = "families: \(allCases.map(\.rawValue).joined(separator: ", "))"
        let families = try text.split(separator: ",").map { name in
            guard let family = TaskFamily(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("unknown task family '\(name)' (\(known))")
            }
            return family
        }
        guard !families.isEmpty else { throw ValidationError("--families names no family (\(known))") }
        return families
    }
}
