/// The attributes objects in a scene can have. Their raw values are the words used in questions and
/// answers.
public enum ObjectColour: String, CaseIterable, Sendable, Codable {
    case red, green, blue, yellow, magenta, cyan

    /// Linear RGB in [0, 1]; saturated so that colours stay distinct on the dim, textured background.
    var rgb: (Float, Float, Float) {
        switch self {
        case .red: return (0.95, 0.15, 0.12)
        case .green: return (0.15, 0.85, 0.2)
        case .blue: return (0.15, 0.3, 0.95)
        case .yellow: return (0.95, 0.9, 0.15)
        case .magenta: return (0.9, 0.2, 0.85)
        case .cyan: return (0.15, 0.9, 0.9)
        }
    }
}

public enum ObjectShape: String, CaseIterable, Sendable, Codable {
    case circle, square, triangle, cross

    /// The plural used in counting questions.
    public var plural: String { self == .cross ? "crosses" : rawValue + "s" }
}

public enum ObjectSize: String, CaseIterable, Sendable, Codable {
    case small, large

    /// Patches per side of the object's cell: a small object fills one patch, a large one 2 × 2.
    var cells: Int { self == .small ? 1 : 2 }

    /// Side of the object's bounding box in pixels: its cells less a one-pixel gap.
    func pixels(_ layout: ImageLayout) -> Int { cells * layout.patchSide - 1 }
}

/// The background texture: what the "global scene" family asks about. It covers the whole image, so
/// any handful of background patches reveals it.
public enum BackgroundTexture: String, CaseIterable, Sendable, Codable {
    case plain, stripes, dots, checker
}

/// Image quadrants, the answers of the position family.
public enum Quadrant: String, CaseIterable, Sendable, Codable {
    case topLeft = "top-left", topRight = "top-right", bottomLeft = "bottom-left", bottomRight = "bottom-right"
}

/// Where one object lies relative to another, the answers of the relation family.
public enum Relation: String, CaseIterable, Sendable, Codable {
    case left, right, above, below
}
