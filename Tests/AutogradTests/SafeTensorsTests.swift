import Foundation
import XCTest
@testable import Autograd

/// Round trips, hand-built files, and every kind of corruption the reader must reject by name.
final class SafeTensorsTests: XCTestCase {
    /// A file with the given header text and data bytes, the length field set to `declaredLength` or the
    /// header's true length.
    func file(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
        let headerBytes = Array(header.utf8)
        let length = declaredLength ?? UInt64(headerBytes.count)
        return Data((0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + headerBytes + data)
    }

    func assertRejected(_ data: Data, tensor: String?, containing text: String, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors.decode(data), line: line) { error in
            guard let error = error as? SafeTensorsError else { return XCTFail("unexpected \(error)", line: line) }
            XCTAssertEqual(error.tensor, tensor, "\(error)", line: line)
            XCTAssertTrue(error.reason.contains(text), "\(error)", line: line)
        }
    }

    func testFloat32RoundTripIsExactAndKeepsMetadata() throws {
        let tensors = ["b": randomTensor([2, 3], seed: 60), "a.weight": randomTensor([4], seed: 61), "empty": Tensor(zeros: [0, 3])]
        let data = SafeTensors.encode(tensors, metadata: ["format": "pt", "note": "quote \" and \\"])
        XCTAssertEqual((data.count - 8) % 4, 0)
        let decoded = try SafeTensors.decode(data)
        XCTAssertEqual(decoded.metadata, ["format": "pt", "note": "quote \" and \\"])
        for (name, tensor) in tensors {
            XCTAssertEqual(decoded.tensors[name]?.shape, tensor.shape)
            XCTAssertEqual(decoded.tensors[name]?.values, tensor.values)
            XCTAssertEqual(decoded.dtypes[name], .float32)
        }
    }

    func testHalfPrecisionRoundTrips() throws {
        let tensor = Tensor(shape: [5], values: [1, -2.5, 0.1, 65504, 1e-3])
        for dtype in [SafeTensorsDType.float16, .bfloat16] {
            let decoded = try SafeTensors.decode(SafeTensors.encode(["x": tensor], dtype: dtype))
            XCTAssertEqual(decoded.dtypes["x"], dtype)
            for (value, original) in zip(decoded.tensors["x"]!.values, tensor.values) {
                XCTAssertEqual(value, original, accuracy: Swift.abs(original) * (dtype == .float16 ? 1e-3 : 8e-3))
            }
        }
    }

    func testHandWrittenBFloat16AndFloat16Read() throws {
        // BF16 0x3FC0 = 1.5, 0xC020 = -2.5; F16 0x3C00 = 1, 0xC000 = -2.
        let data = file(header: #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[4,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}"#,
                        data: [0xC0, 0x3F, 0x20, 0xC0, 0x00, 0x3C, 0x00, 0xC0])
        let decoded = try SafeTensors.decode(data)
        XCTAssertEqual(decoded.tensors["b"]?.values, [1.5, -2.5])
        XCTAssertEqual(decoded.tensors["h"]?.values, [1, -2])
    }

    func testTruncatedFiles() {
        assertRejected(Data([1, 0, 0]), tensor: nil, containing: "truncated")
        assertRejected(file(header: "{}", declaredLength: 50), tensor: nil, containing: "truncated")
        let valid = SafeTensors.encode(["w": randomTensor([3, 3], seed: 62)])
        assertRejected(valid.prefix(valid.count - 4), tensor: "w", containing: "outside")
    }

    func testOversizedAndMalformedHeaders() {
        assertRejected(file(header: "{}", declaredLength: UInt64.max), tensor: nil, containing: "exceeds")
        assertRejected(file(header: "{}", declaredLength: 200_000_000), tensor: nil, containing: "exceeds")
        assertRejected(file(header: #"{"w": {"dtype": "F32""#), tensor: nil, containing: "malformed header")
        assertRejected(file(header: "[1, 2]"), tensor: nil, containing: "not a JSON object")
        assertRejected(file(header: #"{"w": 3}"#), tensor: "w", containing: "malformed entry")
        assertRejected(file(header: #"{"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0]),
                       tensor: "w", containing: "malformed entry")
        assertRejected(file(header: #"{"w": {"dtype": "F32", "shape": [1]}}"#), tensor: "w", containing: "data_offsets")
        assertRejected(file(header: #"{"__metadata__": {"a": 1}}"#), tensor: "__metadata__", containing: "malformed")
        assertRejected(file(header: #"{"w": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}}"#, data: Array(repeating: 0, count: 8)),
                       tensor: "w", containing: "unsupported dtype")
        assertRejected(file(header: #"{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0]),
                       tensor: "w", containing: "negative")
    }

    func testBadOffsetsAndSizes() {
        let data = [UInt8](repeating: 0, count: 16)
        assertRejected(file(header: #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [12, 20]}}"#, data: data),
                       tensor: "w", containing: "outside")
        assertRejected(file(header: #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}"#, data: data),
                       tensor: "w", containing: "outside")
        assertRejected(file(header: #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}}"#, data: data),
                       tensor: "w", containing: "outside")
        assertRejected(file(header: #"{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#, data: data),
                       tensor: "w", containing: "does not match")
        assertRejected(file(header: #"{"w": {"dtype": "F16", "shape": [2], "data_offsets": [0, 8]}}"#, data: data),
                       tensor: "w", containing: "does not match")
        assertRejected(file(header: #"{"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 16]}}"#, data: data),
                       tensor: "w", containing: "does not match")
        assertRejected(file(header: #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#, data: data),
                       tensor: "b", containing: "overlaps tensor 'a'")
    }

    func testRandomCorruptionNeverTraps() {
        let valid = SafeTensors.encode(["layer.weight": randomTensor([4, 4], seed: 63), "layer.bias": randomTensor([4], seed: 64)],
                                       metadata: ["k": "v"])
        var source = SplitMix64(seed: 65)
        for _ in 0..<400 {
            var bytes = [UInt8](valid)
            for _ in 0..<(1 + Int(source.next() % 4)) {
                bytes[Int(source.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: source.next())
            }
            let cut = source.next() % 3 == 0 ? Int(source.next() % UInt64(bytes.count)) : bytes.count
            _ = try? SafeTensors.decode(Data(bytes.prefix(cut)))
        }
    }

    func testModuleLoadAndSaveThroughAFile() throws {
        var source = SplitMix64(seed: 66)
        let saved = TransformerBlock(width: 8, heads: 2, hidden: 16, using: &source)
        let restored = TransformerBlock(width: 8, heads: 2, hidden: 16, using: &source)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("autograd-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(saved.stateDictionary(), to: url)
        try restored.load(SafeTensors.read(contentsOf: url).tensors)
        for (a, b) in zip(saved.namedParameters(), restored.namedParameters()) { XCTAssertEqual(a.tensor.values, b.tensor.values, a.name) }
    }

    func testModuleLoadNamesMismatchedTensors() {
        var source = SplitMix64(seed: 67)
        let linear = Linear(inputs: 3, outputs: 2, using: &source)
        let weight = Tensor(zeros: [2, 3]), bias = Tensor(zeros: [2])
        XCTAssertThrowsError(try linear.load(["weight": Tensor(zeros: [3, 2]), "bias": bias])) {
            XCTAssertEqual(($0 as? SafeTensorsError)?.tensor, "weight")
        }
        XCTAssertThrowsError(try linear.load(["weight": weight])) { XCTAssertEqual(($0 as? SafeTensorsError)?.tensor, "bias") }
        XCTAssertThrowsError(try linear.load(["weight": weight, "bias": bias, "extra": bias])) {
            XCTAssertEqual(($0 as? SafeTensorsError)?.tensor, "extra")
        }
        XCTAssertNoThrow(try linear.load(["weight": weight, "bias": bias, "extra": bias], strict: false))
        XCTAssertEqual(linear.weight.values, weight.values)
    }

    func testMissingFileIsAnError() {
        XCTAssertThrowsError(try SafeTensors.read(contentsOf: URL(fileURLWithPath: "/nonexistent/x.safetensors")))
    }
}
