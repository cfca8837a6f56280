import Autograd
import SyntheticVQA

/// A training-only linear probe on the vision features that predicts, for every patch, the colour,
/// shape, size and digit of the object drawn on it (or "none"). Its loss gives the vision encoder dense
/// supervision, so visual tokens come to carry object attributes quickly and the language model's
/// attention has something to match the question against. Not part of the shipped model.
final class AttributeProbe: Module {
    /// Classes per attribute, each with a trailing "none" class.
    static let classes = [ObjectColour.allCases.count + 1, ObjectShape.allCases.count + 1,
                          ObjectSize.allCases.count + 1, 10 + 1]
    let head: Linear
    /// Optional row/column probe (`positions`): every patch's grid row and column from its features.
    let positionHead: Linear?

    init(width: Int, positions: Int? = nil, using source: inout some RandomSource) {
        head = Linear(inputs: width, outputs: Self.classes.reduce(0, +), using: &source)
        positionHead = positions.map { Linear(inputs: width, outputs: 2 * $0, using: &source) }
    }

    /// Mean cross-entropy over the four attributes of every patch; `features` `[batch, N, width]`.
    func loss(_ features: Tensor, items: [VQAItem], layout: ImageLayout) -> Tensor {
        let (batch, tokens, width) = (features.shape[0], features.shape[1], features.shape[2])
        let logits = head(features.reshaped([batch * tokens, width]))
        var targets = Self.classes.map { _ in [Int]() }
        for item in items {
            for owner in item.scene.objectPerPatch(layout: layout) {
                let object = owner.map { item.scene.objects[$0] }
                let labels = [object.map { ObjectColour.allCases.firstIndex(of: $0.colour)! },
                              object.map { ObjectShape.allCases.firstIndex(of: $0.shape)! },
                              object.map { ObjectSize.allCases.firstIndex(of: $0.size)! },
                              object?.digit]
                for (attribute, label) in labels.enumerated() {
                    targets[attribute].append(label ?? Self.classes[attribute] - 1)
                }
            }
        }
        var start = 0, total: Tensor? = nil
        for (attribute, count) in Self.classes.enumerated() {
            let term = crossEntropy(logits: logits.sliced(axis: 1, start..<(start + count)), targets: targets[attribute])
            total = total.map { $0 + term } ?? term
            start += count
        }
        if let positionHead {
            let side = layout.patchesPerSide
            let positionLogits = positionHead(features.reshaped([batch * tokens, width]))
            let rows = (0..<(batch * tokens)).map { ($0 % tokens) / side }
            let columns = (0..<(batch * tokens)).map { ($0 % tokens) % side }
            let term = crossEntropy(logits: positionLogits.sliced(axis: 1, 0..<side), targets: rows)
                + crossEntropy(logits: positionLogits.sliced(axis: 1, side..<(2 * side)), targets: columns)
            return (total! + term * 0.5) / Float(Self.classes.count + 1)
        }
        return total! / Float(Self.classes.count)
    }

    func namedParameters() -> [NamedParameter] {
        head.namedParameters(prefix: "head") + (positionHead?.namedParameters(prefix: "position_head") ?? [])
    }
}
