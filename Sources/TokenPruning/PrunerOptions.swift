/// Variant options of one pruner (`key=value` pairs from the command line or an ablation file), read
/// with typed accessors; a key no accessor asked for is reported as unknown.
public struct PrunerOptions: Sendable, Equatable {
    public let values: [String: String]
    private var consumed: Set<String> = []

    public init(_ values: [String: String] = [:]) { self.values = values }

    /// Parses `key=value,key=value`; a key given twice is an error.
    public init(parsing text: String) throws {
        var values: [String: String] = [:]
        for pair in text.split(separator: ",") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw PrunerOptionError("'\(pair)' is not key=value")
            }
            guard values.updateValue(parts[1], forKey: parts[0]) == nil else {
                throw PrunerOptionError("option '\(parts[0])' is given twice")
            }
        }
        self.init(values)
    }

    /// `key=value` pairs sorted by key: one spelling per set of options.
    public var canonical: String {
        values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    mutating func string(_ key: String) -> String? {
        consumed.insert(key)
        return values[key]
    }

    mutating func choice<T: RawRepresentable>(_ key: String, default fallback: T) throws -> T
        where T.RawValue == String, T: CaseIterable {
        guard let text = string(key) else { return fallback }
        guard let value = T(rawValue: text) else {
            throw PrunerOptionError("\(key)=\(text): expected one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    mutating func number<T: LosslessStringConvertible & Comparable>(_ key: String, default fallback: T,
                                                                    in range: ClosedRange<T>) throws -> T {
        guard let text = string(key) else { return fallback }
        guard let value = T(text), range.contains(value) else {
            throw PrunerOptionError("\(key)=\(text): expected a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    mutating func flag(_ key: String, default fallback: Bool) throws -> Bool {
        guard let text = string(key) else { return fallback }
        switch text {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: throw PrunerOptionError("\(key)=\(text): expected true or false")
        }
    }

    /// Throws for any option no accessor read.
    func requireAllUsed(by pruner: String) throws {
        if let unknown = Set(values.keys).subtracting(consumed).sorted().first {
            throw PrunerOptionError("pruner '\(pruner)' has no option '\(unknown)'")
        }
    }
}

public struct PrunerOptionError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
