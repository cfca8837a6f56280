import Foundation

/// Element types of safetensors data the engine reads and writes; values become Float32 in memory.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case float32 = "F32", float16 = "F16", bfloat16 = "BF16"

    /// Bytes per element.
    public var byteWidth: Int { self == .float32 ? 4 : 2 }
}

/// The contents of a safetensors file.
public struct SafeTensorsFile {
    /// The tensors by name, converted to Float32.
    public var tensors: [String: Tensor]
    /// Each tensor's stored element type.
    public var dtypes: [String: SafeTensorsDType]
    /// The free-form `__metadata__` strings.
    public var metadata: [String: String]
}

/// Reading and writing the Hugging Face safetensors format: an 8-byte little-endian header length, a JSON
/// header mapping each name to `dtype`, `shape` and `data_offsets` (relative to the data section), then
/// the raw little-endian data.
///
/// Reading validates everything before touching the data: the length fields, the header's size (at most
/// `maximumHeaderSize`) and JSON, every entry's dtype, shape and offsets (inside the data section, not
/// overlapping, spanning exactly `elements × width` bytes). Problems are thrown as `SafeTensorsError`
/// naming the tensor; no input makes the reader trap or read out of bounds.
public enum SafeTensors {
    /// The largest header accepted, as in the reference implementation (100 MB).
    public static let maximumHeaderSize = 100_000_000

    /// Reads a file from disk.
    public static func read(contentsOf url: URL) throws(SafeTensorsError) -> SafeTensorsFile {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SafeTensorsError(tensor: nil, reason: "cannot read \(url.path): \(error.localizedDescription)")
        }
        return try decode(data)
    }

    /// Writes `tensors` to disk with every tensor stored as `dtype`.
    public static func write(
        _ tensors: [String: Tensor], to url: URL, dtype: SafeTensorsDType = .float32, metadata: [String: String] = [:]
    ) throws(SafeTensorsError) {
        do { try encode(tensors, dtype: dtype, metadata: metadata).write(to: url, options: .atomic) } catch {
            throw SafeTensorsError(tensor: nil, reason: "cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    /// Parses and validates a whole file held in memory.
    public static func decode(_ data: Data) throws(SafeTensorsError) -> SafeTensorsFile {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw fileError("truncated: \(bytes.count) bytes, shorter than the 8-byte header length") }
        let declared = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard declared <= UInt64(maximumHeaderSize) else {
            throw fileError("header length \(declared) exceeds the \(maximumHeaderSize)-byte limit")
        }
        let headerLength = Int(declared)
        guard 8 + headerLength <= bytes.count else {
            throw fileError("truncated: header of \(headerLength) bytes but only \(bytes.count - 8) bytes follow")
        }
        let header = try parseHeader(bytes[8..<8 + headerLength])
        let dataStart = 8 + headerLength, dataSize = bytes.count - dataStart

        var spans: [(name: String, range: Range<Int>)] = []
        for name in header.entries.keys.sorted() {
            let entry = header.entries[name]!
            guard let dtype = SafeTensorsDType(rawValue: entry.dtype) else {
                throw SafeTensorsError(tensor: name, reason: "unsupported dtype '\(entry.dtype)'")
            }
            guard entry.shape.allSatisfy({ $0 >= 0 }) else {
                throw SafeTensorsError(tensor: name, reason: "negative extent in shape \(entry.shape)")
            }
            guard entry.data_offsets.count == 2, entry.data_offsets[0] >= 0,
                  entry.data_offsets[0] <= entry.data_offsets[1], entry.data_offsets[1] <= dataSize
            else {
                throw SafeTensorsError(tensor: name, reason: "data_offsets \(entry.data_offsets) outside the \(dataSize)-byte data section")
            }
            let span = entry.data_offsets[0]..<entry.data_offsets[1]
            var expected = dtype.byteWidth, overflow = false
            for extent in entry.shape where !overflow { (expected, overflow) = expected.multipliedReportingOverflow(by: extent) }
            guard !overflow, expected == span.count else {
                throw SafeTensorsError(tensor: name, reason: "shape \(entry.shape) of \(dtype.rawValue) does not match the \(span.count) bytes at \(entry.data_offsets)")
            }
            spans.append((name, span))
        }
        let ordered = spans.filter { !$0.range.isEmpty }.sorted { ($0.range.lowerBound, $0.name) < ($1.range.lowerBound, $1.name) }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.range.lowerBound < previous.range.upperBound {
            throw SafeTensorsError(tensor: next.name, reason: "data overlaps tensor '\(previous.name)'")
        }

        var file = SafeTensorsFile(tensors: [:], dtypes: [:], metadata: header.metadata)
        for (name, span) in spans {
            let dtype = SafeTensorsDType(rawValue: header.entries[name]!.dtype)!
            let tensor = Tensor(uninitializedShape: header.entries[name]!.shape)
            bytes.withUnsafeBytes { raw in
                let source = raw.baseAddress! + dataStart + span.lowerBound
                for i in 0..<tensor.count { tensor.pointer[i] = loadElement(source, i, dtype) }
            }
            file.tensors[name] = tensor
            file.dtypes[name] = dtype
        }
        return file
    }

    /// Serialises `tensors` in name order, each stored as `dtype` (F16 and BF16 round to nearest even;
    /// F16 overflows to ±∞), the header padded with spaces to a multiple of 8 bytes.
    public static func encode(
        _ tensors: [String: Tensor], dtype: SafeTensorsDType = .float32, metadata: [String: String] = [:]
    ) -> Data {
        let names = tensors.keys.sorted()
        var entries: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(quoted($0)):\(quoted(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let tensor = tensors[name]!, size = tensor.count * dtype.byteWidth
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\(quoted(name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + header.count + offset)
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: UInt64(header.count) >> UInt64(shift))) }
        bytes += header
        for name in names {
            tensors[name]!.withUnsafeBufferPointer { values in
                for value in values { appendElement(value, dtype, to: &bytes) }
            }
        }
        return Data(bytes)
    }

    /// The entries and metadata of a header, before validation against the data.
    private struct Header: Decodable {
        struct Entry: Decodable {
            let dtype: String
            let shape: [Int]
            let data_offsets: [Int]
        }
        struct Name: CodingKey {
            let stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        /// The first entry that failed to decode, with the decoder's complaint.
        var malformed: (name: String, reason: String)?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Name.self)
            for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                do {
                    if key.stringValue == "__metadata__" {
                        metadata = try container.decode([String: String].self, forKey: key)
                    } else {
                        entries[key.stringValue] = try container.decode(Entry.self, forKey: key)
                    }
                } catch {
                    if malformed == nil { malformed = (key.stringValue, "malformed entry (\(describe(error)))") }
                }
            }
        }
    }

    private static func parseHeader(_ bytes: ArraySlice<UInt8>) throws(SafeTensorsError) -> Header {
        guard bytes.first == UInt8(ascii: "{") else { throw fileError("malformed header: not a JSON object") }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: Data(bytes)) } catch {
            throw fileError("malformed header: \(describe(error))")
        }
        if let (name, reason) = header.malformed { throw SafeTensorsError(tensor: name, reason: reason) }
        return header
    }

    private static func loadElement(_ source: UnsafeRawPointer, _ index: Int, _ dtype: SafeTensorsDType) -> Float {
        switch dtype {
        case .float32:
            return Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)))
        case .float16:
            return Float(Float16(bitPattern: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))))
        case .bfloat16:
            return Float(bitPattern: UInt32(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))) << 16)
        }
    }

    private static func appendElement(_ value: Float, _ dtype: SafeTensorsDType, to bytes: inout [UInt8]) {
        let bits: UInt32
        switch dtype {
        case .float32: bits = value.bitPattern
        case .float16: bits = UInt32(Float16(value).bitPattern)
        case .bfloat16:
            let raw = value.bitPattern
            bits = value.isNaN ? 0x7FC0 : (raw &+ 0x7FFF &+ ((raw >> 16) & 1)) >> 16
        }
        for shift in stride(from: 0, to: 8 * dtype.byteWidth, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
    }

    private static func quoted(_ string: String) -> String {
        String(decoding: (try? JSONEncoder().encode(string)) ?? Data("\"\"".utf8), as: UTF8.self)
    }

    private static func fileError(_ reason: String) -> SafeTensorsError { SafeTensorsError(tensor: nil, reason: reason) }
}

/// A short description of a decoding error, without the coding path noise.
private func describe(_ error: any Error) -> String {
    switch error {
    case DecodingError.dataCorrupted(let context), DecodingError.typeMismatch(_, let context),
         DecodingError.valueNotFound(_, let context):
        return context.debugDescription
    case DecodingError.keyNotFound(let key, _):
        return "missing '\(key.stringValue)'"
    default:
        return "\(error)"
    }
}
