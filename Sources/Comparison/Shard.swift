/// A deterministic slice of a grid, `i/n` (1-based): unit number u (0-based, in plan order) belongs to
/// shard `u mod n + 1`, so n jobs of a cluster array cover every unit exactly once.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// Parses `i/n` with 1 ≤ i ≤ n.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (1...count).contains(index) else {
            throw ComparisonError.invalidPlan("shard '\(text)' is not i/n with 1 ≤ i ≤ n (e.g. 2/4)")
        }
        self.index = index
        self.count = count
    }

    /// The units of `units` this shard runs.
    public func select(_ units: [ComparisonUnit]) -> [ComparisonUnit] {
        units.enumerated().filter { $0.offset % count == index - 1 }.map(\.element)
    }

    public var description: String { "\(index)/\(count)" }
}
