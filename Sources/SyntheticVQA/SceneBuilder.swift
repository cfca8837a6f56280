import Statistics

/// Places objects at random, non-overlapping positions, drawing every choice from one stream.
struct SceneBuilder {
    let layout: ImageLayout
    let stream: RandomStream
    private(set) var objects: [SceneObject] = []

    /// Colour/shape pairs that appear more often than others across the suite, so that POPE's
    /// "popular" negatives ask about objects the model has seen a lot.
    static let popular: [(ObjectColour, ObjectShape)] = [(.red, .circle), (.blue, .square), (.green, .triangle)]

    init(layout: ImageLayout, stream: RandomStream) {
        self.layout = layout
        self.stream = stream
    }

    func pick<T>(_ values: [T]) -> T { values[stream.integer(below: values.count)] }

    /// Adds an object at a random free cell of the patch grid satisfying `accept`; nil when none is found.
    @discardableResult
    mutating func place(_ colour: ObjectColour, _ shape: ObjectShape, _ size: ObjectSize, digit: Int? = nil,
                        where accept: (SceneObject) -> Bool = { _ in true }) -> SceneObject? {
        let cells = layout.patchesPerSide - size.cells + 1
        for _ in 0..<400 {
            let candidate = SceneObject(colour: colour, shape: shape, size: size,
                                        x: stream.integer(below: cells) * layout.patchSide,
                                        y: stream.integer(below: cells) * layout.patchSide,
                                        side: size.pixels(layout), digit: digit)
            if accept(candidate) && !objects.contains(where: { $0.overlaps(candidate, margin: 1) }) {
                objects.append(candidate)
                return candidate
            }
        }
        return nil
    }

    /// Adds `count` distractors whose colour/shape pair passes `allowed`, a third of them popular pairs.
    /// Returns false when one cannot be placed.
    mutating func addDistractors(_ count: Int, allowed: (ObjectColour, ObjectShape) -> Bool) -> Bool {
        for _ in 0..<count {
            var pair: (ObjectColour, ObjectShape)
            var tries = 0
            repeat {
                pair = stream.integer(below: 3) == 0 ? pick(Self.popular)
                    : (pick(ObjectColour.allCases), pick(ObjectShape.allCases))
                tries += 1
            } while !allowed(pair.0, pair.1) && tries < 100
            guard allowed(pair.0, pair.1), place(pair.0, pair.1, pick(ObjectSize.allCases)) != nil else { return false }
        }
        return true
    }

    /// The finished scene with a random background.
    func scene(texture: BackgroundTexture? = nil) -> Scene {
        let base = Float(0.22 + 0.16 * stream.uniform())
        let tint = (0..<3).map { _ in base + Float(0.06 * (stream.uniform() - 0.5)) }
        return Scene(texture: texture ?? pick(BackgroundTexture.allCases), backgroundTint: tint,
                     objects: objects, noiseSeed: UInt64(stream.nextRaw()))
    }
}
