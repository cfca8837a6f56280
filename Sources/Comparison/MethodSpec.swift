import TokenPruning

/// One method of a run: a registered pruner with its options, under the label the report uses. In a
/// comparison the label is the pruner's name; in an ablation it is the variant's name.
public struct MethodSpec: Codable, Sendable, Equatable {
    public var label: String
    public var pruner: String
    /// Canonical `key=value` pairs, sorted by key (see `PrunerOptions`).
    public var options: String
    /// Whether results depend on the seed (else it runs once and is reused for every seed).
    public var usesSeed: Bool
    /// A reference point such as the oracle: reported, but left out of the significance families.
    public var isReference: Bool

    /// A spec for the registered pruner `pruner`; unknown names and options are errors.
    public init(label: String? = nil, pruner: String, options: String = "",
                registry: PrunerRegistry = .shared) throws {
        let descriptor = try registry.descriptor(named: pruner)
        self.label = label ?? pruner
        self.pruner = pruner
        self.options = try PrunerOptions(parsing: options).canonical
        self.usesSeed = descriptor.usesSeed || descriptor.trainable
        self.isReference = descriptor.isReference
    }

    /// Label of the unpruned model's row.
    public static let unprunedLabel = "unpruned"
}
