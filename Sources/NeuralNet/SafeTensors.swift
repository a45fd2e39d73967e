internal import Foundation
internal import StudioCore

/// An error in NeuralNet's inputs: a tensor file that cannot be read.
public struct NeuralNetError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Not a well-formed safetensors file (header, dtype, shape or byte ranges).
        case safetensors
    }

    public let code: Code
    public var description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

/// The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian
/// header length, a JSON header naming each tensor's dtype, shape and byte range, then the data.
/// PyTorch loads it with `safetensors.torch.load_file`.
public enum SafeTensors {
    public enum DType: String, Sendable {
        case f32 = "F32"
        case i64 = "I64"

        var size: Int { self == .f32 ? 4 : 8 }
    }

    public struct Entry: Sendable, Equatable {
        public var name: String
        public var tensor: Tensor
        /// How the values are stored; `i64` for counters such as `num_batches_tracked`.
        public var dtype: DType

        public init(name: String, tensor: Tensor, dtype: DType = .f32) {
            self.name = name
            self.tensor = tensor
            self.dtype = dtype
        }
    }

    /// The file's bytes. Tensors are stored in the given order; the header is padded with spaces
    /// so the data starts 8-byte aligned.
    public static func encode(_ entries: [Entry], metadata: [(String, String)] = []) -> [UInt8] {
        var header = "{"
        var offset = 0
        var parts: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.map { "\(quoted($0.0)):\(quoted($0.1))" }.joined(separator: ",")
            parts.append("\"__metadata__\":{\(fields)}")
        }
        for entry in entries {
            let size = entry.tensor.count * entry.dtype.size
            let shape = entry.tensor.shape.map(String.init).joined(separator: ",")
            parts.append(
                "\(quoted(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + size)]}"
            )
            offset += size
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: headerBytes)
        for entry in entries {
            switch entry.dtype {
            case .f32:
                for value in entry.tensor.storage {
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
                }
            case .i64:
                for value in entry.tensor.storage {
                    withUnsafeBytes(of: Int64(value).littleEndian) { bytes.append(contentsOf: $0) }
                }
            }
        }
        return bytes
    }

    /// The tensors (in file order) and metadata of a safetensors file, checked: header length,
    /// JSON, dtypes, shapes against byte ranges, ranges inside the data and covering it exactly.
    public static func decode(_ bytes: [UInt8]) throws(NeuralNetError) -> (entries: [Entry], metadata: [String: String]) {
        guard bytes.count >= 8 else { throw NeuralNetError(.safetensors, "not a safetensors file: \(bytes.count) bytes") }
        let headerLength = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(bytes.count - 8), headerLength <= 100_000_000 else {
            throw NeuralNetError(
                .safetensors, "not a safetensors file: header length \(headerLength) exceeds the file (\(bytes.count) bytes)")
        }
        let dataStart = 8 + Int(headerLength)
        let parsed: (node: JSONValue, duplicates: [(key: String, line: Int)])
        do {
            parsed = try JSONReader.parseNotingDuplicates(Array(bytes[8..<dataStart]))
        } catch {
            throw NeuralNetError(.safetensors, "safetensors header is not valid JSON (\(error))")
        }
        guard let header = parsed.node.members else { throw NeuralNetError(.safetensors, "safetensors header is not a JSON object") }
        if let repeated = parsed.duplicates.first {
            throw NeuralNetError(.safetensors, "safetensors header names \(quoted(repeated.key)) twice")
        }
        var metadata: [String: String] = [:]
        var entries: [(start: Int, entry: Entry)] = []
        var ranges: [(Int, Int)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let fields = value.members, fields.allSatisfy({ $0.1.string != nil }) else {
                    throw NeuralNetError(.safetensors, "safetensors __metadata__ must map strings to strings")
                }
                for (key, text) in fields { metadata[key] = text.string }
                continue
            }
            // Integers only: 3.7 is no offset (it was truncated and accepted), 1e30 no dimension.
            func integers(_ raw: JSONValue?) -> [Int]? {
                guard let list = raw?.array else { return nil }
                let values = list.compactMap(\.integer)
                return values.count == list.count ? values : nil
            }
            guard
                let dtypeName = value["dtype"]?.string,
                let shape = integers(value["shape"]), let offsets = integers(value["data_offsets"]), offsets.count == 2
            else {
                throw NeuralNetError(
                    .safetensors, "safetensors entry \(quoted(name)) lacks dtype, an integer shape or two integer data_offsets")
            }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw NeuralNetError(
                    .safetensors, "safetensors entry \(quoted(name)) has dtype \(quoted(dtypeName)); only F32 and I64 are read")
            }
            guard shape.allSatisfy({ $0 >= 0 && $0 < 1 << 31 }) else {
                throw NeuralNetError(.safetensors, "safetensors entry \(quoted(name)) has a bad shape")
            }
            let (begin, end) = (offsets[0], offsets[1])
            // The element count, checked as it is multiplied: a shape whose product overflows (or
            // wraps to zero) is refused before anything is allocated.
            var elements = 1
            for dimension in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard !overflow, product <= bytes.count else {
                    throw NeuralNetError(
                        .safetensors, "safetensors entry \(quoted(name)) has shape \(shape), more values than the file holds")
                }
                elements = product
            }
            guard begin >= 0, end >= begin, end <= bytes.count - dataStart, end - begin == elements * dtype.size else {
                throw NeuralNetError(
                    .safetensors,
                    "safetensors entry \(quoted(name)): bytes \(begin)..<\(end) do not hold shape \(shape) of \(dtypeName) inside the file")
            }
            ranges.append((begin, end))
            var values = [Float](repeating: 0, count: elements)
            let base = dataStart + begin
            for i in 0..<elements {
                var raw: UInt64 = 0
                for b in 0..<dtype.size { raw |= UInt64(bytes[base + i * dtype.size + b]) << (8 * UInt64(b)) }
                values[i] = dtype == .f32 ? Float(bitPattern: UInt32(truncatingIfNeeded: raw)) : Float(Int64(bitPattern: raw))
            }
            entries.append((begin, Entry(name: name, tensor: Tensor(shape: shape, storage: values), dtype: dtype)))
        }
        ranges.sort { $0.0 < $1.0 }
        var expected = 0
        for (begin, end) in ranges {
            guard begin == expected else { throw NeuralNetError(.safetensors, "safetensors data ranges overlap or leave gaps") }
            expected = end
        }
        guard expected == bytes.count - dataStart else {
            throw NeuralNetError(
                .safetensors, "safetensors file has \(bytes.count - dataStart - expected) bytes after its last tensor (or is cut short)")
        }
        return (entries.sorted { $0.start < $1.start }.map(\.entry), metadata)
    }

    /// A JSON string literal (names are ours, but escape everything JSON requires anyway).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
