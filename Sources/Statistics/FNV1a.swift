/// 64-bit FNV-1a: a fast hash that, unlike Swift's `Hasher`, is the same in every process, so it can
/// name things that must be reproducible (random-stream labels, cache files, item fingerprints).
public struct FNV1a: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    /// Folds in one word (a byte, or a whole value such as a float's bit pattern).
    public mutating func combine(_ word: UInt64) {
        value = (value ^ word) &* 0x0000_0100_0000_01b3
    }

    /// Folds in the UTF-8 bytes of `text`.
    public mutating func combine(_ text: String) {
        for byte in text.utf8 { combine(UInt64(byte)) }
    }

    /// The hash as 16 lower-case hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The hash of `text` alone.
    public static func hash(_ text: String) -> UInt64 {
        var hasher = FNV1a()
        hasher.combine(text)
        return hasher.value
    }
}
