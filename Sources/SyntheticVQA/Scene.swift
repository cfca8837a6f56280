import Statistics

/// A procedurally generated picture: a textured background and a few objects on it. Rendering is a
/// pure function of the scene, so a scene plus its noise seed reproduces the image exactly.
public struct Scene: Sendable, Codable, Equatable {
    public var texture: BackgroundTexture
    /// Mean background brightness, per channel.
    public var backgroundTint: [Float]
    public var objects: [SceneObject]
    /// Seed of the per-pixel sensor noise.
    public var noiseSeed: UInt64

    /// Renders the scene as an RGB image.
    public func render(_ layout: ImageLayout) -> RGBImage {
        var image = RGBImage(width: layout.imageSide, height: layout.imageSide)
        let noise = RandomStream(seed: noiseSeed, path: ["pixel-noise"])
        let side = layout.imageSide
        for py in 0..<side {
            for px in 0..<side {
                let pattern = texture.intensity(px, py)
                for channel in 0..<3 {
                    let value = backgroundTint[channel] + 0.12 * pattern + Float(noise.gaussian(sigma: 0.03))
                    image[px, py, channel] = value
                }
            }
        }
        for object in objects {
            let (r, g, b) = object.colour.rgb
            for py in max(0, object.y)..<min(side, object.y + object.side) {
                for px in max(0, object.x)..<min(side, object.x + object.side) where object.covers(px, py) {
                    let ink = object.glyphCovers(px, py)
                    image[px, py, 0] = ink ? 0.02 : r
                    image[px, py, 1] = ink ? 0.02 : g
                    image[px, py, 2] = ink ? 0.02 : b
                }
            }
        }
        image.clamp()
        return image
    }

    /// For every patch (row-major), the index in `objects` of the object drawn on it, if any.
    public func objectPerPatch(layout: ImageLayout) -> [Int?] {
        var owner = [Int?](repeating: nil, count: layout.patchCount)
        for (index, object) in objects.enumerated() {
            for patch in patches(of: [object], layout: layout) { owner[patch] = index }
        }
        return owner
    }

    /// Indices (row-major, ascending) of the patches that hold any pixel of the given objects.
    public func patches(of selected: [SceneObject], layout: ImageLayout) -> [Int] {
        var covered = Set<Int>()
        for object in selected {
            for py in max(0, object.y)..<min(layout.imageSide, object.y + object.side) {
                for px in max(0, object.x)..<min(layout.imageSide, object.x + object.side) where object.covers(px, py) {
                    covered.insert((py / layout.patchSide) * layout.patchesPerSide + px / layout.patchSide)
                }
            }
        }
        return covered.sorted()
    }
}

extension BackgroundTexture {
    /// Texture pattern in [-1, 1] at pixel (x, y).
    func intensity(_ x: Int, _ y: Int) -> Float {
        switch self {
        case .plain: return 0
        case .stripes: return (x / 3) % 2 == 0 ? 1 : -1
        case .dots: return (x % 6 < 2 && y % 6 < 2) ? 1 : -0.3
        case .checker: return ((x / 5) + (y / 5)) % 2 == 0 ? 1 : -1
        }
    }
}

/// The geometry shared by the renderer, the task generator and the model's patch embedding.
public struct ImageLayout: Sendable, Codable, Equatable {
    /// Pixels per side of a square patch (one visual token).
    public var patchSide: Int
    /// Patches per image side; the image has `patchesPerSide²` visual tokens.
    public var patchesPerSide: Int

    public var imageSide: Int { patchSide * patchesPerSide }
    public var patchCount: Int { patchesPerSide * patchesPerSide }
    /// Values per flattened patch (RGB).
    public var patchDimension: Int { patchSide * patchSide * 3 }

    /// 12 × 12 patches of 8 × 8 pixels: 144 visual tokens on a 96 × 96 image.
    public static let standard = ImageLayout(patchSide: 8, patchesPerSide: 12)

    public init(patchSide: Int, patchesPerSide: Int) {
        self.patchSide = patchSide
        self.patchesPerSide = patchesPerSide
    }
}
