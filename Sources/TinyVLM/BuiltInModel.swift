import Foundation

/// The shipped, pre-trained TinyVLM (a SwiftPM resource made by `prune-bench train substrate`).
public enum BuiltInModel {
    /// Where `prune-bench train substrate` writes by default, relative to the package root.
    public static let sourceDirectory = "Sources/TinyVLM/Resources/substrate"

    /// The resource directory holding `model.safetensors` and `config.json`.
    public static var directory: URL? {
        Bundle.module.url(forResource: "substrate", withExtension: nil, subdirectory: "Resources")
    }

    /// Whether the shipped weights are present.
    public static var isAvailable: Bool {
        directory.map { FileManager.default.fileExists(atPath: $0.appendingPathComponent("model.safetensors").path) } ?? false
    }

    /// Loads the shipped model.
    public static func load() throws -> TinyVLM {
        guard isAvailable, let directory else {
            throw TinyVLMError.invalidWeights("the built-in model is missing; run 'prune-bench train substrate'")
        }
        return try TinyVLM.load(from: directory)
    }
}
