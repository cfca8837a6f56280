/// The ten task families, each mirroring a kind of real VLM benchmark.
public enum TaskFamily: String, CaseIterable, Sendable, Codable {
    /// Colour attribute of a named object (GQA-like).
    case colour
    /// Shape of the object with a given colour.
    case shape
    /// Absolute position (image quadrant) of an object.
    case position
    /// How many objects of a shape there are.
    case counting
    /// Whether an object exists, with random, popular and adversarial negatives (POPE-like).
    case existence
    /// Where one object lies relative to another.
    case relation
    /// Whether one object is bigger than another.
    case size
    /// Reading the small digit drawn on an object (TextVQA-like fine detail).
    case reading
    /// The background texture, a property of the whole image.
    case scene
    /// Multiple choice among four lettered options (MMBench-like).
    case choice

    /// Every answer the family can give; answers are balanced over this list.
    public var answers: [String] {
        switch self {
        case .colour: return ObjectColour.allCases.map(\.rawValue)
        case .shape: return ObjectShape.allCases.map(\.rawValue)
        case .position: return Quadrant.allCases.map(\.rawValue)
        case .counting: return ["1", "2", "3", "4"]
        case .existence, .size: return ["yes", "no"]
        case .relation: return Relation.allCases.map(\.rawValue)
        case .reading: return (0...9).map(String.init)
        case .scene: return BackgroundTexture.allCases.map(\.rawValue)
        case .choice: return ["A", "B", "C", "D"]
        }
    }

    /// Accuracy of always guessing one answer: the chance level the README compares against.
    public var chanceAccuracy: Double { 1 / Double(answers.count) }
}

/// Which kind of absent object a "no" existence question asks about (POPE's three settings).
public enum NegativeKind: String, CaseIterable, Sendable, Codable {
    /// A random absent colour/shape combination.
    case random
    /// One of the combinations that appear most often across the suite.
    case popular
    /// A combination sharing its shape or its colour with an object that is present.
    case adversarial
}
