import CKernels
import XCTest
@testable import Autograd

/// The inference kernel of `linear` (packed weights, inside `BLAS.latencyBound` without gradients).
final class PackedLinearTests: XCTestCase {
    /// `linear` as a prefill runs it.
    func inference(_ body: () -> Tensor) -> [Float] { BLAS.latencyBound { withoutGradient(body) }.values }

    /// `x · weightᵀ + bias` in double precision, and the sum of the magnitudes of its terms (the scale of
    /// the rounding error a single-precision sum may make).
    func reference(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> (values: [Double], magnitudes: [Double]) {
        let (rows, outputs, inputs) = (x.shape[0], weight.shape[0], weight.shape[1])
        let (xs, ws, bs) = (x.values, weight.values, bias?.values)
        var values = [Double](), magnitudes = [Double]()
        for r in 0..<rows {
            for o in 0..<outputs {
                var sum = Double(bs?[o] ?? 0), magnitude = abs(sum)
                for i in 0..<inputs {
                    let term = Double(xs[r * inputs + i]) * Double(ws[o * inputs + i])
                    sum += term
                    magnitude += abs(term)
                }
                values.append(sum)
                magnitudes.append(magnitude)
            }
        }
        return (values, magnitudes)
    }

    func assertMatchesReference(_ x: Tensor, _ linear: Linear, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let got = inference { linear(x) }
        let (expected, magnitudes) = reference(x, linear.weight, linear.bias)
        XCTAssertEqual(got.count, expected.count, label, file: file, line: line)
        for (index, value) in got.enumerated() {
            let bound = 1e-6 * Double(linear.weight.shape[1] + 1) * magnitudes[index] + 1e-30
            guard abs(Double(value) - expected[index]) <= bound else {
                return XCTFail("\(label), element \(index): \(value), expected \(expected[index])", file: file, line: line)
            }
        }
    }

    /// Row counts around the kernel's 6-row blocks, output counts around its 16-column panels (the last
    /// one partly padded), and input counts from 1 to a 512-wide MLP.
    func testMatchesADoublePrecisionReference() {
        var source = SplitMix64(seed: 90)
        for inputs in [1, 3, 96, 512] {
            for outputs in [1, 16, 17, 40, 128] {
                for bias in [true, false] {
                    let layer = Linear(inputs: inputs, outputs: outputs, bias: bias, using: &source)
                    if let b = layer.bias { b.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] = 0.1 * Float(i % 5) - 0.2 } } }
                    for rows in [1, 5, 6, 7, 13, 22] {
                        let x = randomTensor([rows, inputs], seed: UInt64(rows * 1000 + inputs))
                        assertMatchesReference(x, layer, "\(rows)×\(inputs) → \(outputs), bias \(bias)")
                    }
                }
            }
        }
    }

    /// Packing gives the documented layout: panel `p` holds, for each input `i`, outputs
    /// `16p ..< 16p + 16`, zero past the last output.
    func testPackingGivesThePanelLayout() {
        for (outputs, inputs) in [(5, 3), (16, 7), (21, 32), (33, 21), (3, 0)] {
            let weight = (0..<(outputs * inputs)).map { Float($0 % 97) - 48 }
            let size = prunelab_packed_size(Int32(outputs), Int32(inputs)), panel = Int(PRUNELAB_PANEL_WIDTH)
            let expected = (0..<size).map { index -> Float in
                let (p, within) = index.quotientAndRemainder(dividingBy: inputs * panel)
                let (i, j) = within.quotientAndRemainder(dividingBy: panel)
                let o = p * panel + j
                return o < outputs ? weight[o * inputs + i] : 0
            }
            var got = [Float](repeating: .nan, count: size)
            prunelab_pack_weights(Int32(outputs), Int32(inputs), weight, &got)
            XCTAssertEqual(got, expected, "\(outputs) outputs × \(inputs) inputs")
        }
    }

    /// Each output is computed the same way whatever else a call covers: rows one at a time, layers
    /// together or apart, and any thread count give the same bits.
    func testEveryGroupingGivesTheSameBits() {
        let original = BLAS.threadCount
        defer { BLAS.setThreadCount(original) }
        var source = SplitMix64(seed: 91)
        let layers = [Linear(inputs: 128, outputs: 128, using: &source), Linear(inputs: 128, outputs: 512, using: &source),
                      Linear(inputs: 128, outputs: 40, bias: false, using: &source)]
        let x = randomTensor([23, 128], seed: 92)
        let whole = layers.map { layer in inference { layer(x) } }
        for threads in [1, 2, 3] {
            BLAS.setThreadCount(threads)
            let together = BLAS.latencyBound { withoutGradient { linear(x, layers: layers.map { ($0.weight, $0.bias) }) } }
            XCTAssertEqual(together.map(\.values), whole, "\(threads) threads")
            for (layer, expected) in zip(layers, whole) {
                let byRow = (0..<23).flatMap { row in inference { layer(x.sliced(axis: 0, row..<(row + 1))) } }
                XCTAssertEqual(byRow, expected, "\(threads) threads, row by row")
            }
        }
    }

    /// The MLP's fused `linear` + GELU gives exactly the bits of the two operations one after the other.
    func testFusedGELUGivesTheBitsOfLinearThenGELU() {
        var source = SplitMix64(seed: 97)
        for outputs in [40, 512] {
            let layer = Linear(inputs: 128, outputs: outputs, using: &source)
            for rows in [1, 7, 22] {
                let x = randomTensor([rows, 128], seed: UInt64(rows))
                XCTAssertEqual(inference { linearGELU(x, weight: layer.weight, bias: layer.bias) },
                               inference { layer(x).gelu() }, "\(rows) rows, \(outputs) outputs")
            }
        }
    }

    /// A residual connection fused into the product gives exactly the bits of the product, then the
    /// addition, with the work split over one thread or two; recording, its gradients match finite
    /// differences.
    func testFusedResidualGivesTheBitsOfLinearThenAdd() {
        var source = SplitMix64(seed: 96)
        let savedThreads = Parallel.threadCount
        defer { Parallel.threadCount = savedThreads }
        for outputs in [40, 128] {
            let layer = Linear(inputs: 512, outputs: outputs, using: &source)
            for rows in [1, 7, 22] {
                let x = randomTensor([rows, 512], seed: UInt64(rows)), residual = randomTensor([rows, outputs], seed: 5)
                let expected = inference { residual + layer(x) }
                for threads in [1, 2] {
                    Parallel.threadCount = threads
                    XCTAssertEqual(inference { layer(x, adding: residual) }, expected,
                                   "\(rows) rows, \(outputs) outputs, \(threads) threads")
                }
            }
        }
        let layer = Linear(inputs: 12, outputs: 5, using: &source)
        assertGradientsMatch([randomTensor([3, 12], seed: 1), randomTensor([3, 5], seed: 2), layer.weight, layer.bias!]) {
            linear($0[0], weight: $0[2], bias: $0[3], adding: $0[1])
        }
    }

    /// The portable path (what a machine without AVX2 and FMA runs) gives the vector path's bits, for whole
    /// and partial panels, with and without a (non-zero) bias, and for sums that underflow to −0.
    func testPortablePathGivesTheSameBits() {
        var source = SplitMix64(seed: 98)
        for (rows, outputs, inputs) in [(1, 16, 128), (2, 32, 8), (7, 40, 96), (21, 128, 512), (13, 17, 3), (3, 16, 4)] {
            let layer = Linear(inputs: inputs, outputs: outputs, using: &source)
            var x = randomTensor([rows, inputs], seed: UInt64(rows + outputs))
            layer.bias!.withUnsafeMutableBufferPointer { bias in
                for i in bias.indices { bias[i] = 0.1 * Float(i % 5) - 0.2 + 0.01 * Float(i) }
            }
            if (rows, outputs, inputs) == (3, 16, 4) {  // products of −1e-60: every sum is −0
                x = Tensor(shape: [rows, inputs], values: [Float](repeating: 1e-30, count: rows * inputs))
                layer.weight.withUnsafeMutableBufferPointer { weights in
                    for i in weights.indices { weights[i] = -1e-30 }
                }
            }
            let packed = PackedWeights.of(layer.weight)!
            for bias in [layer.bias!.pointer, nil] {
                let results = [prunelab_packed_linear, prunelab_packed_linear_portable].map { kernel in
                    [Float](unsafeUninitializedCapacity: rows * outputs) { target, initialized in
                        kernel(Int32(rows), Int32(outputs), Int32(inputs), x.pointer, Int32(inputs), packed.base, bias,
                               target.baseAddress!, Int32(outputs), 0, prunelab_panel_count(Int32(outputs)))
                        initialized = rows * outputs
                    }.map(\.bitPattern)
                }
                XCTAssertEqual(results[0], results[1], "\(rows)×\(inputs) → \(outputs), bias: \(bias != nil)")
                if rows == 3 && bias == nil {
                    XCTAssertEqual(Set(results[0]), [(-0.0 as Float).bitPattern], "the underflowing sums stay −0")
                }
            }
        }
    }

    /// Layers of one input go the way each would go alone, also when only some can use the kernel (a
    /// weight that is a view on a larger storage cannot); and an input of width 0 gives the bias.
    func testLayersTogetherTakeTheirOwnPathsAndEmptyInputsGiveTheBias() {
        var source = SplitMix64(seed: 99)
        let whole = Linear(inputs: 32, outputs: 24, using: &source)
        let view = randomTensor([48, 32], seed: 100).sliced(axis: 0, 8..<32)
        let x = randomTensor([9, 32], seed: 101)
        let together = BLAS.latencyBound { withoutGradient { linear(x, layers: [(whole.weight, whole.bias), (view, nil)]) } }
        XCTAssertEqual(together[0].values, inference { whole(x) })
        XCTAssertEqual(together[1].values, inference { linear(x, weight: view) })

        let bias = Tensor(shape: [5], values: [1, 2, 3, 4, 5])
        let empty = Tensor(shape: [3, 0], values: []), weight = Tensor(shape: [5, 0], values: [])
        let expected = Array(repeating: bias.values, count: 3).flatMap { $0 }
        XCTAssertEqual(inference { linear(empty, weight: weight, bias: bias) }, expected)
        XCTAssertEqual(linear(empty, weight: weight, bias: bias).values, expected)
    }

    /// The packed weights are rebuilt after every kind of in-place update: an optimiser step, loading a
    /// state dictionary, and writing through `withUnsafeMutableBufferPointer`.
    func testPackedWeightsFollowInPlaceUpdates() throws {
        var source = SplitMix64(seed: 93)
        let layer = Linear(inputs: 32, outputs: 24, using: &source)
        let x = randomTensor([5, 32], seed: 94)
        assertMatchesReference(x, layer, "fresh")
        let before = inference { layer(x) }

        let optimizer = AdamW(parameters: layer.namedParameters(), learningRate: 0.1)
        (layer(x) * layer(x)).mean().backward()
        optimizer.step()
        XCTAssertNotEqual(inference { layer(x) }, before)
        assertMatchesReference(x, layer, "after an AdamW step")

        let other = Linear(inputs: 32, outputs: 24, using: &source)
        try layer.load(other.stateDictionary())
        XCTAssertEqual(inference { layer(x) }, inference { other(x) })
        assertMatchesReference(x, layer, "after load")

        layer.weight.withUnsafeMutableBufferPointer { $0[0] += 1 }
        assertMatchesReference(x, layer, "after a write through withUnsafeMutableBufferPointer")
    }

    /// A weight that is a view on part of a larger storage is not packed; the general path computes it.
    func testAWeightViewUsesTheGeneralPath() {
        let storage = randomTensor([48, 32], seed: 95)
        let weight = storage.sliced(axis: 0, 16..<40)
        XCTAssertNil(PackedWeights.of(weight))
        XCTAssertNotNil(PackedWeights.of(storage))
        let x = randomTensor([7, 32], seed: 96)
        let got = inference { linear(x, weight: weight) }
        let (expected, magnitudes) = reference(x, weight, nil)
        for index in got.indices { XCTAssertEqual(Double(got[index]), expected[index], accuracy: 1e-5 * magnitudes[index] + 1e-30) }
    }
}
