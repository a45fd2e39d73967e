import Foundation
import NeuralNet
import Testing

@Suite struct SafeTensorsTests {
    let entries = [
        SafeTensors.Entry(name: "net.0.weight", tensor: Tensor(shape: [2, 3], storage: [1, -2, 3.5, 0, .pi, -0.0])),
        SafeTensors.Entry(name: "net.1.num_batches_tracked", tensor: Tensor(shape: [], storage: [42]), dtype: .i64),
        SafeTensors.Entry(name: "empty", tensor: Tensor(shape: [0, 4])),
    ]

    @Test func roundTrip() throws {
        let bytes = SafeTensors.encode(entries, metadata: [("step", "7"), ("note", "a \"quoted\"\nline")])
        let header = Int(bytes[0]) | Int(bytes[1]) << 8
        #expect((8 + header) % 8 == 0, "data starts aligned")
        let decoded = try SafeTensors.decode(bytes)
        #expect(decoded.entries == entries)
        #expect(decoded.metadata == ["step": "7", "note": "a \"quoted\"\nline"])
    }

    @Test(arguments: [
        ("empty file", [UInt8]()),
        ("header longer than the file", [200, 0, 0, 0, 0, 0, 0, 0, 123, 125]),
        ("header not JSON", [4, 0, 0, 0, 0, 0, 0, 0] + Array("nope".utf8)),
    ])
    func brokenFiles(_ what: String, _ bytes: [UInt8]) {
        #expect(throws: NeuralNetError.self, "\(what)") { try SafeTensors.decode(bytes) }
    }

    @Test func cutAndCorruptedFiles() throws {
        let bytes = SafeTensors.encode(entries)
        for length in [7, 8, 20, bytes.count - 1] {
            #expect(throws: NeuralNetError.self, "cut at \(length)") { try SafeTensors.decode(Array(bytes.prefix(length))) }
        }
        #expect(throws: NeuralNetError.self, "trailing bytes") { try SafeTensors.decode(bytes + [0]) }
        let text = String(decoding: bytes, as: UTF8.self)
        for (from, to) in [("\"F32\"", "\"F16\""), ("[2,3]", "[3,3]"), ("[0,24]", "[0,28]")] {
            let broken = Array(text.replacingOccurrences(of: from, with: to).utf8)
            #expect(throws: NeuralNetError.self, "\(from) → \(to)") { try SafeTensors.decode(broken) }
        }
    }

    /// A file whose header is `json` (padded to 8 bytes) followed by `data` bytes.
    static func file(_ json: String, data: Int) -> [UInt8] {
        var header = Array(json.utf8)
        while (8 + header.count) % 8 != 0 { header.append(0x20) }
        return withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header + [UInt8](repeating: 0, count: data)
    }

    @Test("lying headers are refused before anything is allocated: overflowing and wrapping shapes, fractional offsets")
    func lyingHeaders() {
        let cases: [(String, [UInt8])] = [
            (
                "a shape of 2^30 × 2^30 × 2",
                Self.file(#"{"w":{"dtype":"F32","shape":[1073741824,1073741824,2],"data_offsets":[0,8]}}"#, data: 8)
            ),
            (
                "a shape whose product wraps to zero",
                Self.file(#"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}"#, data: 0)
            ),
            ("a shape past 2^31 per side", Self.file(#"{"w":{"dtype":"F32","shape":[3000000000],"data_offsets":[0,8]}}"#, data: 8)),
            ("fractional offsets", Self.file(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0.0,8.5]}}"#, data: 8)),
            ("a shape of booleans", Self.file(#"{"w":{"dtype":"F32","shape":[true,2],"data_offsets":[0,8]}}"#, data: 8)),
            (
                "a tensor named twice (a parser keeps one silently)",
                Self.file(
                    #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8
                )
            ),
            ("a header that is not JSON", Self.file(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],}}"#, data: 8)),
        ]
        for (what, bytes) in cases {
            #expect(throws: NeuralNetError.self, "\(what)") { try SafeTensors.decode(bytes) }
        }
    }
}
