import Foundation
import Yams

/// An ablation: named variants of one method (or of several), each with its options, at some budgets and
/// seeds. Read from YAML or JSON; the first variant is the reference the others are tested against.
///
/// ```yaml
/// name: diffprune-throttlers
/// method: diffprune
/// keep_ratios: [0.333, 0.222, 0.111]
/// seeds: 3
/// variants:
///   - name: vp-noise
///   - name: scale-gate
///     options: {throttler: scale-gate}
/// ```
public struct AblationConfig: Sendable, Equatable {
    public struct Variant: Sendable, Equatable {
        public var name: String
        public var method: String
        public var options: String
    }

    public var name: String
    public var variants: [Variant]
    public var keepRatios: [Double]
    public var seeds: Int
    public var itemsPerFamily: Int

    static let keys: Set<String> = ["name", "method", "keep_ratios", "seeds", "items_per_family", "variants"]
    static let variantKeys: Set<String> = ["name", "method", "options"]

    /// Reads `url` (`.yaml`, `.yml` or `.json`).
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ComparisonError.invalidConfig("cannot read \(url.path)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let document: Any?
        do {
            switch url.pathExtension.lowercased() {
            case "json": document = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            case "yaml", "yml": document = try Yams.load(yaml: text)
            default: throw ComparisonError.invalidConfig("\(url.lastPathComponent): expected a .yaml, .yml or .json file")
            }
        } catch let error as ComparisonError {
            throw error
        } catch {
            throw ComparisonError.invalidConfig("\(url.lastPathComponent) does not parse: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        try self.init(document: document, defaultName: url.deletingPathExtension().lastPathComponent)
    }

    /// From a parsed document (dictionaries, arrays, strings and numbers).
    public init(document: Any?, defaultName: String) throws {
        func fail(_ message: String) -> ComparisonError { .invalidConfig(message) }
        guard let root = document as? [String: Any] else { throw fail("the top level must be a mapping") }
        if let unknown = Set(root.keys).subtracting(Self.keys).sorted().first {
            throw fail("unknown key '\(unknown)' (known: \(Self.keys.sorted().joined(separator: ", ")))")
        }
        name = try Self.string(root["name"], "name") ?? defaultName
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !name.hasPrefix(".") else {
            throw fail("name '\(name)' names the output directory: letters, digits, '-', '_' and '.' only")
        }
        let method = try Self.string(root["method"], "method")
        keepRatios = try Self.numbers(root["keep_ratios"], "keep_ratios") ?? ComparisonPreset.default.keepRatios
        seeds = try Self.integer(root["seeds"], "seeds") ?? ComparisonPreset.default.seeds
        itemsPerFamily = try Self.integer(root["items_per_family"], "items_per_family") ?? ComparisonPreset.default.itemsPerFamily
        guard let list = root["variants"] as? [Any], !list.isEmpty else { throw fail("'variants' must be a non-empty list") }
        variants = try list.enumerated().map { index, entry in
            guard let variant = entry as? [String: Any] else { throw fail("variant \(index + 1) must be a mapping") }
            if let unknown = Set(variant.keys).subtracting(Self.variantKeys).sorted().first {
                throw fail("variant \(index + 1): unknown key '\(unknown)' (known: name, method, options)")
            }
            guard let name = try Self.string(variant["name"], "variants[\(index + 1)].name") else {
                throw fail("variant \(index + 1) has no name")
            }
            guard let pruner = try Self.string(variant["method"], "variants[\(index + 1)].method") ?? method else {
                throw fail("variant '\(name)' has no method, and the config has no top-level 'method'")
            }
            return Variant(name: name, method: pruner, options: try Self.options(variant["options"], variant: name))
        }
        guard seeds >= 1 else { throw fail("'seeds' must be at least 1, got \(seeds)") }
    }

    private static func string(_ value: Any?, _ key: String) throws -> String? {
        guard let value else { return nil }
        guard let text = value as? String else { throw ComparisonError.invalidConfig("'\(key)' must be a string") }
        return text
    }

    private static func integer(_ value: Any?, _ key: String) throws -> Int? {
        guard let value else { return nil }
        guard let number = value as? Int ?? (value as? NSNumber).flatMap({ Int(exactly: $0.doubleValue) }) else {
            throw ComparisonError.invalidConfig("'\(key)' must be an integer")
        }
        return number
    }

    private static func numbers(_ value: Any?, _ key: String) throws -> [Double]? {
        guard let value else { return nil }
        guard let list = value as? [Any] else { throw ComparisonError.invalidConfig("'\(key)' must be a list of numbers") }
        return try list.map { entry in
            guard let number = entry as? Double ?? (entry as? Int).map(Double.init) ?? (entry as? NSNumber)?.doubleValue else {
                throw ComparisonError.invalidConfig("'\(key)' must be a list of numbers; '\(entry)' is not a number")
            }
            return number
        }
    }

    /// Options as a mapping (`{throttler: scale-gate}`) or a `key=value,…` string.
    private static func options(_ value: Any?, variant: String) throws -> String {
        switch value {
        case nil: return ""
        case let text as String: return text
        case let mapping as [String: Any]:
            return try mapping.keys.sorted().map { key in
                let entry = mapping[key]!
                guard let text = Self.scalarText(entry) else {
                    throw ComparisonError.invalidConfig("variant '\(variant)': option '\(key)' must be a scalar")
                }
                return "\(key)=\(text)"
            }.joined(separator: ",")
        default: throw ComparisonError.invalidConfig("variant '\(variant)': 'options' must be a mapping or key=value text")
        }
    }

    /// A YAML or JSON scalar as option text. Checked by exact type, because on Linux an NSNumber 1 also
    /// casts to Bool: JSON's true/false arrive as NSNumber's boolean subclass.
    private static func scalarText(_ value: Any) -> String? {
        switch value {
        case let text as String: return text
        case _ where type(of: value) == Bool.self: return "\(value as! Bool)"
        case _ where type(of: value) == Int.self || type(of: value) == Double.self: return "\(value)"
        case let number as NSNumber:
            return type(of: number) == type(of: NSNumber(value: true)) ? "\(number.boolValue)" : number.stringValue
        default: return nil
        }
    }
}
