/// A row-major RGB image of Float values in [0, 1].
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Interleaved RGB, `(y * width + x) * 3 + channel`.
    public private(set) var pixels: [Float]

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        self.pixels = [Float](repeating: 0, count: width * height * 3)
    }

    public subscript(x: Int, y: Int, channel: Int) -> Float {
        get { pixels[(y * width + x) * 3 + channel] }
        set { pixels[(y * width + x) * 3 + channel] = newValue }
    }

    mutating func clamp() {
        for i in pixels.indices { pixels[i] = min(1, max(0, pixels[i])) }
    }

    /// The image cut into square patches, row-major, each flattened as (row, column, channel):
    /// `patchCount × patchDimension` values, the visual-token inputs of the model.
    public func patches(_ layout: ImageLayout) -> [Float] {
        precondition(width == layout.imageSide && height == layout.imageSide, "image does not match the layout")
        var out = [Float]()
        out.reserveCapacity(layout.patchCount * layout.patchDimension)
        let p = layout.patchSide
        for patchRow in 0..<layout.patchesPerSide {
            for patchColumn in 0..<layout.patchesPerSide {
                for y in 0..<p {
                    let start = ((patchRow * p + y) * width + patchColumn * p) * 3
                    out.append(contentsOf: pixels[start..<(start + p * 3)])
                }
            }
        }
        return out
    }
}
