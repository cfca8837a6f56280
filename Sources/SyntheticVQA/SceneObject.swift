/// One object drawn in a scene: its attributes and its bounding box in pixels. Objects sit on the patch
/// grid, so a small object is one visual token and a large one four.
public struct SceneObject: Sendable, Codable, Equatable {
    public var colour: ObjectColour
    public var shape: ObjectShape
    public var size: ObjectSize
    /// Top-left pixel of the bounding box.
    public var x: Int
    public var y: Int
    /// Side of the bounding box in pixels.
    public var side: Int
    /// A digit drawn in black at the object's centre (fine-detail family), if any.
    public var digit: Int?
    public var centreX: Double { Double(x) + Double(side) / 2 }
    public var centreY: Double { Double(y) + Double(side) / 2 }

    /// Whether pixel (px, py) is covered by the object's shape.
    func covers(_ px: Int, _ py: Int) -> Bool {
        let s = side
        let dx = px - x, dy = py - y
        guard dx >= 0, dy >= 0, dx < s, dy < s else { return false }
        switch shape {
        case .square:
            return true
        case .circle:
            let c = Double(s - 1) / 2, r = Double(s) / 2
            let ex = Double(dx) - c, ey = Double(dy) - c
            return ex * ex + ey * ey <= r * r * 0.95
        case .triangle:  // apex at the top, base on the bottom row
            let halfWidth = Double(dy + 1) / 2
            return abs(Double(dx) - Double(s - 1) / 2) <= halfWidth
        case .cross:
            let bar = max(2, s / 3), start = (s - bar) / 2
            return (dx >= start && dx < start + bar) || (dy >= start && dy < start + bar)
        }
    }

    /// Whether the glyph drawn on this object inks pixel (px, py).
    func glyphCovers(_ px: Int, _ py: Int) -> Bool {
        guard let digit else { return false }
        let gx = px - (x + (side - Glyphs.width) / 2), gy = py - (y + (side - Glyphs.height) / 2)
        guard gx >= 0, gy >= 0, gx < Glyphs.width, gy < Glyphs.height else { return false }
        return Glyphs.isInk(digit: digit, x: gx, y: gy)
    }

    /// Whether the two bounding boxes, grown by `margin` pixels, overlap.
    func overlaps(_ other: SceneObject, margin: Int) -> Bool {
        x < other.x + other.side + margin && other.x < x + side + margin
            && y < other.y + other.side + margin && other.y < y + side + margin
    }
}
