import Statistics

/// Builds one item of a family with a given answer, from one random stream. Returns nil when the
/// random placement fails (rare); the caller retries with a fresh stream.
struct ItemGenerator {
    let layout: ImageLayout

    struct Draft {
        var scene: Scene
        var question: [String]
        var relevant: [SceneObject]
        var negativeKind: NegativeKind? = nil
    }

    func draft(_ family: TaskFamily, answer: String, variant: Int, stream: RandomStream) -> Draft? {
        var builder = SceneBuilder(layout: layout, stream: stream)
        let colours = ObjectColour.allCases, shapes = ObjectShape.allCases
        let distractors = 1 + stream.integer(below: 3)

        switch family {
        case .colour:
            let shape = builder.pick(shapes)
            guard let target = builder.place(ObjectColour(rawValue: answer)!, shape, builder.pick(ObjectSize.allCases)),
                  builder.addDistractors(distractors, allowed: { $1 != shape }) else { return nil }
            return Draft(scene: builder.scene(), question: ["what", "colour", "is", "the", shape.rawValue],
                         relevant: [target])

        case .shape:
            let colour = builder.pick(colours)
            guard let target = builder.place(colour, ObjectShape(rawValue: answer)!, builder.pick(ObjectSize.allCases)),
                  builder.addDistractors(distractors, allowed: { c, _ in c != colour }) else { return nil }
            return Draft(scene: builder.scene(), question: ["what", "shape", "is", colour.rawValue],
                         relevant: [target])

        case .position:
            let colour = builder.pick(colours), shape = builder.pick(shapes)
            let quadrant = Quadrant(rawValue: answer)!
            let half = Double(layout.imageSide) / 2, margin = 2.0
            guard let target = builder.place(colour, shape, builder.pick(ObjectSize.allCases), where: { o in
                let left = o.centreX < half - margin, right = o.centreX > half + margin
                let top = o.centreY < half - margin, bottom = o.centreY > half + margin
                switch quadrant {
                case .topLeft: return top && left
                case .topRight: return top && right
                case .bottomLeft: return bottom && left
                case .bottomRight: return bottom && right
                }
            }), builder.addDistractors(distractors, allowed: { $0 != colour || $1 != shape }) else { return nil }
            return Draft(scene: builder.scene(), question: ["where", "is", "the", colour.rawValue, shape.rawValue],
                         relevant: [target])

        case .counting:
            let shape = builder.pick(shapes)
            var targets: [SceneObject] = []
            for _ in 0..<Int(answer)! {
                guard let object = builder.place(builder.pick(colours), shape, stream.integer(below: 4) == 0 ? .large : .small)
                else { return nil }
                targets.append(object)
            }
            guard builder.addDistractors(stream.integer(below: 3), allowed: { $1 != shape }) else { return nil }
            return Draft(scene: builder.scene(), question: ["how", "many", shape.plural],
                         relevant: targets)

        case .existence:
            return existence(answer == "yes", variant: variant, builder: &builder, distractors: distractors)

        case .relation:
            let (a, b) = twoDistinctPairs(builder)
            let relation = Relation(rawValue: answer)!
            guard let second = builder.place(b.0, b.1, builder.pick(ObjectSize.allCases)),
                  let first = builder.place(a.0, a.1, builder.pick(ObjectSize.allCases), where: { o in
                      let dx = o.centreX - second.centreX, dy = o.centreY - second.centreY
                      switch relation {
                      case .left: return dx < -12 && abs(dy) <= abs(dx) / 2
                      case .right: return dx > 12 && abs(dy) <= abs(dx) / 2
                      case .above: return dy < -12 && abs(dx) <= abs(dy) / 2
                      case .below: return dy > 12 && abs(dx) <= abs(dy) / 2
                      }
                  }),
                  builder.addDistractors(stream.integer(below: 3), allowed: { c, _ in c != a.0 && c != b.0 }) else { return nil }
            return Draft(scene: builder.scene(),
                         question: ["where", "is", "the", a.0.rawValue, a.1.rawValue, "relative", "to", "the",
                                    b.0.rawValue, b.1.rawValue],
                         relevant: [first, second])

        case .size:
            let (a, b) = twoDistinctPairs(builder)
            let firstLarge = answer == "yes"
            guard let first = builder.place(a.0, a.1, firstLarge ? .large : .small),
                  let second = builder.place(b.0, b.1, firstLarge ? .small : .large),
                  builder.addDistractors(stream.integer(below: 3), allowed: { c, _ in c != a.0 && c != b.0 }) else { return nil }
            return Draft(scene: builder.scene(),
                         question: ["is", "the", a.0.rawValue, a.1.rawValue, "bigger", "than", "the",
                                    b.0.rawValue, b.1.rawValue],
                         relevant: [first, second])

        case .reading:
            let colour = builder.pick(colours), digit = Int(answer)!
            // Small squares: the glyph lies inside one patch, so reading is about fine detail in one token.
            guard let target = builder.place(colour, .square, .small, digit: digit) else { return nil }
            for _ in 0..<(1 + stream.integer(below: 2)) {
                let other = builder.pick(colours.filter { $0 != colour })
                var otherDigit = stream.integer(below: 10)
                if otherDigit == digit { otherDigit = (digit + 1) % 10 }
                guard builder.place(other, .square, .small, digit: otherDigit) != nil else { return nil }
            }
            return Draft(scene: builder.scene(), question: ["what", "digit", "is", "on", "the", colour.rawValue, "square"],
                         relevant: [target])

        case .scene:
            guard builder.addDistractors(distractors, allowed: { _, _ in true }) else { return nil }
            return Draft(scene: builder.scene(texture: BackgroundTexture(rawValue: answer)!),
                         question: ["what", "is", "the", "background"], relevant: [])

        case .choice:
            let colour = builder.pick(colours)
            var options = shapes
            stream.shuffle(&options)
            let letter = ["A", "B", "C", "D"].firstIndex(of: answer)!
            let shape = options[letter]
            guard let target = builder.place(colour, shape, builder.pick(ObjectSize.allCases)),
                  builder.addDistractors(distractors, allowed: { c, _ in c != colour }) else { return nil }
            return Draft(scene: builder.scene(),
                         question: ["A", options[0].rawValue, "B", options[1].rawValue, "C", options[2].rawValue,
                                    "D", options[3].rawValue, "which", "shape", "is", colour.rawValue],
                         relevant: [target])
        }
    }

    private func twoDistinctPairs(_ builder: SceneBuilder) -> ((ObjectColour, ObjectShape), (ObjectColour, ObjectShape)) {
        let first = (builder.pick(ObjectColour.allCases), builder.pick(ObjectShape.allCases))
        let second = (builder.pick(ObjectColour.allCases.filter { $0 != first.0 }), builder.pick(ObjectShape.allCases))
        return (first, second)
    }

    /// POPE-style existence: "yes" asks about a present object; "no" cycles through random, popular and
    /// adversarial negatives by `variant`.
    private func existence(_ present: Bool, variant: Int, builder: inout SceneBuilder, distractors: Int) -> Draft? {
        let colours = ObjectColour.allCases, shapes = ObjectShape.allCases
        var query = (builder.pick(colours), builder.pick(shapes))
        var kind: NegativeKind? = nil
        var relevant: [SceneObject] = []
        if present {
            guard let target = builder.place(query.0, query.1, builder.pick(ObjectSize.allCases)) else { return nil }
            relevant = [target]
        } else {
            kind = NegativeKind.allCases[variant % NegativeKind.allCases.count]
            switch kind! {
            case .random: break
            case .popular: query = builder.pick(SceneBuilder.popular)
            case .adversarial:  // a near miss: same shape in another colour, or same colour on another shape
                let sameShape = builder.stream.bernoulli(0.5)
                let colour = sameShape ? builder.pick(colours.filter { $0 != query.0 }) : query.0
                let shape = sameShape ? query.1 : builder.pick(shapes.filter { $0 != query.1 })
                guard let decoy = builder.place(colour, shape, builder.pick(ObjectSize.allCases)) else { return nil }
                relevant = [decoy]
            }
        }
        let asked = query
        guard builder.addDistractors(distractors, allowed: { $0 != asked.0 || $1 != asked.1 }) else { return nil }
        if !present {  // every object sharing an attribute with the query helps to answer "no"
            relevant = builder.objects.filter { $0.colour == asked.0 || $0.shape == asked.1 }
        }
        return Draft(scene: builder.scene(), question: ["is", "there", "a", query.0.rawValue, query.1.rawValue],
                     relevant: relevant, negativeKind: kind)
    }
}
