/// Branch-free scalar kernels that the compiler vectorises inside loops, fixed-order SIMD reductions, and
/// element-wise loops vectorised by hand.
///
/// The reductions always combine elements in the same order for a given length, so results never depend
/// on thread count or call site.
enum VectorMath {
    /// `exp(x)` to within 2 ulp (Cephes `expf` polynomial), 0 for `x < −87.3` including `−∞`.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let clamped = Swift.min(Swift.max(x, -87.33654), 88.37626)
        // Round to nearest with the 1.5·2²³ trick, which needs no SSE4.1 rounding instruction.
        let n = (clamped * 1.442695 + 12_582_912) - 12_582_912
        let r = clamped - n * 0.693359375 + n * 2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let y = p * r * r + r + 1
        let scale = Float(bitPattern: UInt32(bitPattern: (Int32(n) &+ 127) &<< 23))
        return x < -87.33654 ? 0 : y * scale
    }

    /// `erfc(z)` for `z ≥ 0` and `exp(−z²)`, to 1.5e-7 absolute (Abramowitz & Stegun 7.1.26).
    @inline(__always)
    static func erfcAndGaussian(_ z: Float) -> (erfc: Float, gaussian: Float) {
        let t = 1 / (1 + 0.3275911 * z)
        var p: Float = 1.061405429
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        let gaussian = exp(-z * z)
        return (p * t * gaussian, gaussian)
    }

    /// Eight floats from `x` (any alignment).
    @inline(__always)
    static func load(_ x: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(x).loadUnaligned(as: SIMD8<Float>.self) }

    /// Eight floats to `x` (any alignment).
    @inline(__always)
    static func store(_ lanes: SIMD8<Float>, to x: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(x).storeBytes(of: lanes, as: SIMD8<Float>.self)
    }

    /// An element-wise loop over `0 ..< count`: `vector(i)` for the eight indices from `i`, four such blocks
    /// an iteration, then single blocks of eight, then `scalar(i)` for the last `count % 8`. The compiler
    /// (AVX2 build) vectorises such a loop 32 floats an iteration and leaves the rest to a four-float loop,
    /// so a 16-float row (a 16-channel layer norm) was written four floats at a time, and the eight-float
    /// loads that read it back next stalled on those narrower stores.
    @inline(__always)
    static func elementwise(_ count: Int, _ vector: (Int) -> Void, scalar: (Int) -> Void) {
        var i = 0
        while i + 32 <= count {
            vector(i)
            vector(i + 8)
            vector(i + 16)
            vector(i + 24)
            i += 32
        }
        while i + 8 <= count {
            vector(i)
            i += 8
        }
        while i < count {
            scalar(i)
            i += 1
        }
    }

    /// The sum of `count` floats, eight lanes at a time, in a fixed order.
    static func sum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var lanes = SIMD8<Float>.zero
        var i = 0
        while i + 8 <= count {
            lanes += load(x + i)
            i += 8
        }
        var total = lanes.sum()
        while i < count { total += x[i]; i += 1 }
        return total
    }

    /// `sums[i] += x[i]` for `i` in `0..<count`, eight at a time (each sum as the scalar loop has it).
    static func accumulate(_ x: UnsafePointer<Float>, into sums: UnsafeMutablePointer<Float>, _ count: Int) {
        var i = 0
        while i + 8 <= count {
            store(load(sums + i) + load(x + i), to: sums + i)
            i += 8
        }
        while i < count { sums[i] += x[i]; i += 1 }
    }

    /// The dot product of two `count`-float vectors, in a fixed order.
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) -> Float {
        var lanes = SIMD8<Float>.zero
        var i = 0
        while i + 8 <= count {
            lanes += load(x + i) * load(y + i)
            i += 8
        }
        var total = lanes.sum()
        while i < count { total += x[i] * y[i]; i += 1 }
        return total
    }

    /// The largest of `count ≥ 1` floats (`−∞` entries allowed), with four independent running maxima.
    static func max(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var (m0, m1, m2, m3) = (-Float.infinity, -Float.infinity, -Float.infinity, -Float.infinity)
        var i = 0
        while i + 4 <= count {
            m0 = x[i] > m0 ? x[i] : m0
            m1 = x[i + 1] > m1 ? x[i + 1] : m1
            m2 = x[i + 2] > m2 ? x[i + 2] : m2
            m3 = x[i + 3] > m3 ? x[i + 3] : m3
            i += 4
        }
        while i < count { m0 = x[i] > m0 ? x[i] : m0; i += 1 }
        return Swift.max(Swift.max(m0, m1), Swift.max(m2, m3))
    }
}
