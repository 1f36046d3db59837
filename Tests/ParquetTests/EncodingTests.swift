@testable import Parquet
import Testing
import YonkeCore

@Suite struct EncodingTests {
    @Test(arguments: [0, 1, 2, 3, 5, 8, 13, 20, 32])
    func rleHybridRoundTrips(_ width: Int) throws {
        var g = SeededGenerator(seed: UInt64(width) + 1)
        let maxValue: UInt32 = width == 32 ? .max : (1 << UInt32(width)) - 1
        for length in [0, 1, 7, 8, 9, 63, 64, 65, 1000, 5003] {
            var values: [UInt32] = []
            while values.count < length {
                // Alternate long runs and noise so both run kinds appear.
                let v = UInt32(truncatingIfNeeded: g.next()) & maxValue
                let run = g.next() % 3 == 0 ? Int(g.next() % 40) + 1 : 1
                values += repeatElement(v, count: min(run, length - values.count))
            }
            var encoded: [UInt8] = []
            values.withUnsafeBufferPointer { RLEHybrid.encode($0, bitWidth: width, into: &encoded) }
            var decoded: [UInt32] = []
            try RLEHybrid.decode(encoded[...], bitWidth: width, count: length, maxValue: maxValue, into: &decoded)
            #expect(decoded == values, "width \(width) length \(length)")
        }
    }

    @Test func rleRunsAreUsedForRepeats() {
        let values = [UInt32](repeating: 1, count: 10_000)
        var encoded: [UInt8] = []
        values.withUnsafeBufferPointer { RLEHybrid.encode($0, bitWidth: 1, into: &encoded) }
        #expect(encoded.count <= 4)
    }

    @Test func rleDecodeRejectsValuesPastTheMaximum() {
        // RLE run of 8 × value 5 with bit width 3, but the dictionary has 4 entries.
        var out: [UInt32] = []
        #expect(throws: ParquetError.self) {
            try RLEHybrid.decode([0x10, 0x05][...], bitWidth: 3, count: 8, maxValue: 3, into: &out)
        }
        #expect(throws: ParquetError.self) {
            try RLEHybrid.decode([0x10][...], bitWidth: 3, count: 8, maxValue: 7, into: &out)
        }
    }

    @Test func plainByteArraysRoundTrip() throws {
        let values = ByteArrays(strings: ["", "a", "ñandú", String(repeating: "x", count: 300)])
        var out: [UInt8] = []
        Plain.encode(values, range: 0..<values.count, fixedLength: false, into: &out)
        var decoded = ByteArrays()
        try Plain.decodeByteArrays(out[...], count: 4, into: &decoded)
        #expect(decoded == values)
        var short = ByteArrays()
        #expect(throws: ParquetError.self) { try Plain.decodeByteArrays(out.dropLast()[...], count: 4, into: &short) }
    }

    @Test(arguments: [(1, 1), (2, 1), (3, 2), (4, 2), (9, 4), (10, 5), (18, 8), (19, 9), (38, 16), (39, 17), (76, 32)])
    func decimalByteLengths(_ precision: Int, _ bytes: Int) {
        #expect(Decimal.byteLength(precision: precision) == bytes)
    }

    @Test(arguments: [("123.45", 2, "123.45"), ("-0.5", 3, "-0.500"), ("7", 2, "7.00"), ("-12.300", 2, "-12.30"),
                      ("0", 0, "0"), ("+3.1", 1, "3.1"), ("-99999999999999999999999999999999999999", 0,
                                                          "-99999999999999999999999999999999999999")])
    func decimalTextRoundTrips(_ text: String, _ scale: Int, _ expected: String) throws {
        let bytes = try Decimal.unscaledBytes(text, scale: scale, byteLength: 16)
        #expect(Decimal.text(unscaledBytes: bytes, scale: scale) == expected)
        if expected.count < 18 {
            #expect(Decimal.text(unscaled: try Decimal.unscaledInt64(text, scale: scale), scale: scale) == expected)
        }
    }

    @Test(arguments: ["", "-", "1.2.3", "abc", "1e5", "NaN", "1.234"])
    func decimalRejectsBadText(_ text: String) {
        #expect(throws: ParquetError.self) { _ = try Decimal.unscaledBytes(text, scale: 2, byteLength: 16) }
    }

    @Test func decimalRejectsOverflow() {
        #expect(throws: ParquetError.self) { _ = try Decimal.unscaledInt64("99999999999999999999", scale: 0) }
        #expect(throws: ParquetError.self) { _ = try Decimal.unscaledBytes("128", scale: 0, byteLength: 1) }
    }

    @Test func lz4RawRoundTripsAndRejectsGarbage() throws {
        let input = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        var compressed: [UInt8] = []
        let length = PageCompression.compress(input, codec: .lz4Raw, into: &compressed)
        compressed.removeSubrange(length...)
        #expect(compressed.count < input.count / 10)
        #expect(try PageCompression.decompress(compressed[...], codec: .lz4Raw, size: input.count) == input)
        #expect(throws: ParquetError.self) { _ = try PageCompression.decompress(compressed[...], codec: .lz4Raw, size: input.count - 1) }
        #expect(throws: ParquetError.self) { _ = try PageCompression.decompress([0xFF, 0xFF, 0xFF][...], codec: .lz4Raw, size: 1000) }
        #expect(throws: ParquetError.unsupportedCodec("SNAPPY")) { _ = try PageCompression.decompress([1][...], codec: .snappy, size: 1) }
    }
}
