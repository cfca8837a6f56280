/// The pruners PruneLab ships, one registry line each.
enum BuiltInPruners {
    static let all: [PrunerDescriptor] = [
        PrunerDescriptor(
            name: "diffprune", summary: "DiffPrune: scorer trained through LapSum soft top-K and VP-noise throttling",
            location: .beforeLanguageModel, trainable: true, make: DiffPrunePruner.make),
        PrunerDescriptor(
            name: "gumbel", summary: "DynamicViT-style predictor trained with hard Gumbel-Softmax (straight-through)",
            location: .beforeLanguageModel, trainable: true, make: GumbelPruner.make),
        PrunerDescriptor(
            name: "random", summary: "uniformly random K-subset (GSL gsl_ran_choose)",
            location: .beforeLanguageModel) { _ in RandomPruner() },
        PrunerDescriptor(
            name: "attention-norm", summary: "attention received from the question at an LLM layer (FastV; VATP with value-norm=true)",
            location: .insideLanguageModel(afterLayer: 2), usesSeed: false, make: AttentionNormPruner.make),
        PrunerDescriptor(
            name: "topk", summary: "training-free top-K by a token score (default: L2 norm of the projected token)",
            location: .beforeLanguageModel, usesSeed: false, make: TopKPruner.make),
        PrunerDescriptor(
            name: "oracle", summary: "reference: the ground-truth relevant patches first, then random fill",
            location: .beforeLanguageModel, isReference: true) { _ in OraclePruner() },
    ]
}
