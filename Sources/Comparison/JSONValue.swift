/// A JSON value with object keys kept in insertion order, so command output reads in a stable,
/// documented order. Non-finite numbers are written as `null` (JSON has no NaN or infinity).
public enum JSONValue: Sendable {
    case number(Double)
    case integer(Int)
    case unsigned(UInt64)
    case string(String)
    case bool(Bool)
    case array([JSONValue])
    case object([(String, JSONValue)])
    case null

    /// Compact, on one line (what `--json` prints).
    public var text: String {
        switch self {
        case .number(let value): return value.isFinite ? Self.format(value) : "null"
        case .integer(let value): return String(value)
        case .unsigned(let value): return String(value)
        case .string(let value): return Self.quote(value)
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .array(let values): return "[" + values.map(\.text).joined(separator: ", ") + "]"
        case .object(let pairs):
            return "{" + pairs.map { Self.quote($0.0) + ": " + $0.1.text }.joined(separator: ", ") + "}"
        }
    }

    /// Indented two spaces per level, for files people read.
    public func pretty(_ indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .array(let values) where !values.isEmpty:
            return "[\n" + values.map { inner + $0.pretty(inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let pairs) where !pairs.isEmpty:
            return "{\n" + pairs.map { inner + Self.quote($0.0) + ": " + $0.1.pretty(inner) }.joined(separator: ",\n")
                + "\n" + indent + "}"
        default: return text
        }
    }

    /// Shortest representation that reads back to the same Double (Swift's `description`).
    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) + ".0" : "\(value)"
    }

    private static func quote(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += unicodeEscape(scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}

extension Optional where Wrapped == Double {
    /// The number, or `null` when absent.
    public var json: JSONValue { map(JSONValue.number) ?? .null }
}
