import Testing
import YonkeCore

/// One record with every kind of field, and the bytes it must be (big-endian, prefix then body).
private func sampleRecord() -> ByteWriter {
    var w = ByteWriter()
    w.u8(0xAB)
    w.u16(0x0102)
    w.u32(0x0304_0506)
    w.u64(0x0708_090A_0B0C_0D0E)
    w.i64(-2)
    w.raw([0xEE, 0xFF])
    w.lengthPrefixed([9], prefix: .u8)
    w.string("ñ", prefix: .u16)
    w.string("", prefix: .u32)
    w.lengthPrefixed([7, 7], prefix: .u64)
    return w
}

private let sampleBytes: [UInt8] = [
    0xAB, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xEE, 0xFF,
    1, 9, 0, 2, 0xC3, 0xB1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 7, 7,
]

private func readSample(_ r: inout ByteReader<ByteReadError>) throws(ByteReadError) {
    #expect(try r.u8("u8") == 0xAB)
    #expect(try r.u16("u16") == 0x0102)
    #expect(try r.u32("u32") == 0x0304_0506)
    #expect(try r.u64("u64") == 0x0708_090A_0B0C_0D0E)
    #expect(try r.i64("i64") == -2)
    #expect(Array(try r.take("raw", count: 2)) == [0xEE, 0xFF])
    #expect(Array(try r.lengthPrefixed("bytes8", prefix: .u8, limit: 1)) == [9])
    #expect(try r.string("string16", prefix: .u16, limit: 2) == "ñ")
    #expect(try r.string("string32", prefix: .u32, limit: 0) == "")
    #expect(Array(try r.lengthPrefixed("bytes64", prefix: .u64, limit: 2)) == [7, 7])
    try r.expectEnd()
}

@Suite struct ByteReaderTests {
    @Test func writerProducesBigEndianFieldsAndReaderReadsThemBack() throws {
        #expect(sampleRecord().bytes == sampleBytes)
        var r = ByteReader<ByteReadError>(sampleBytes)
        try readSample(&r)
    }

    /// Every strict prefix of a record is a `truncated` error (never a trap, never a short field).
    @Test func everyTruncationIsATruncatedError() {
        for cut in 0..<sampleBytes.count {
            var r = ByteReader<ByteReadError>(Array(sampleBytes.prefix(cut)))
            #expect("cut at \(cut)") { try readSample(&r) } throws: { error in
                guard case .truncated(_, let offset, let needed, let left)? = error as? ByteReadError else { return false }
                return needed > left && offset <= cut
            }
        }
    }

    @Test(arguments: [
        (LengthPrefix.u8, [3], 2, ByteReadError.lengthTooLarge(field: "f", offset: 0, length: 3, limit: 2)),
        (.u16, [0xFF, 0xFF], 1000, .lengthTooLarge(field: "f", offset: 0, length: 65535, limit: 1000)),
        (.u32, [0xFF, 0xFF, 0xFF, 0xFF], Int(Int32.max), .lengthTooLarge(field: "f", offset: 0, length: 4_294_967_295, limit: Int(Int32.max))),
        (.u64, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], Int.max, .lengthTooLarge(field: "f", offset: 0, length: .max, limit: .max)),
        (.u8, [5, 1, 2], 10, .truncated(field: "f", offset: 0, neededBytes: 5, remainingBytes: 2)),
        (.u32, [0, 0, 0, 100, 65], 1000, .truncated(field: "f", offset: 0, neededBytes: 100, remainingBytes: 1)),
        (.u8, [], 10, .truncated(field: "f", offset: 0, neededBytes: 1, remainingBytes: 0)),
        (.u16, [0], 10, .truncated(field: "f", offset: 0, neededBytes: 2, remainingBytes: 1)),
    ] as [(LengthPrefix, [UInt8], Int, ByteReadError)])
    func lengthsAreCheckedAgainstTheLimitThenTheBytesLeft(prefix: LengthPrefix, bytes: [UInt8], limit: Int, expected: ByteReadError) {
        var r = ByteReader<ByteReadError>(bytes)
        #expect(throws: expected) { _ = try r.lengthPrefixed("f", prefix: prefix, limit: limit) }
        var s = ByteReader<ByteReadError>(bytes)
        #expect(throws: expected) { _ = try s.string("f", prefix: prefix, limit: limit) }
    }

    @Test(arguments: [
        // A count of 3 four-byte elements with 12 bytes left is fine; with 11 it is refused before allocating.
        ([0, 3] + [UInt8](repeating: 0, count: 12), 10, 4, nil),
        ([0, 3] + [UInt8](repeating: 0, count: 11), 10, 4, ByteReadError.truncated(field: "n", offset: 2, neededBytes: 12, remainingBytes: 11)),
        ([0, 11], 10, 1, .lengthTooLarge(field: "n", offset: 0, length: 11, limit: 10)),
        ([0xFF, 0xFF], Int.max, Int.max, .truncated(field: "n", offset: 2, neededBytes: Int.max, remainingBytes: 0)),
    ] as [([UInt8], Int, Int, ByteReadError?)])
    func countsAreCheckedBeforeReserving(bytes: [UInt8], limit: Int, minElementBytes: Int, expected: ByteReadError?) throws {
        var r = ByteReader<ByteReadError>(bytes)
        if let expected {
            #expect(throws: expected) { _ = try r.count("n", prefix: .u16, limit: limit, minElementBytes: minElementBytes) }
        } else {
            #expect(try r.count("n", prefix: .u16, limit: limit, minElementBytes: minElementBytes) == 3)
        }
    }

    @Test func invalidUTF8IsRefusedAtTheFieldStart() {
        var r = ByteReader<ByteReadError>([0xAA, 2, 0xC3, 0x28])
        #expect(throws: ByteReadError.invalidUTF8(field: "name", offset: 1)) {
            _ = try r.u8("tag")
            _ = try r.string("name", prefix: .u8, limit: 10)
        }
    }

    @Test(arguments: [1, 2, 7])
    func trailingBytesAreRefused(extra: Int) throws {
        var r = ByteReader<ByteReadError>(sampleBytes + [UInt8](repeating: 0, count: extra))
        #expect(throws: ByteReadError.trailingBytes(offset: sampleBytes.count, count: extra)) { try readSample(&r) }
    }

    /// A reader over a slice reports positions in the whole buffer, so a log line points at the right byte.
    @Test func offsetsOverASliceAreIndicesIntoTheWholeBuffer() throws {
        let bytes: [UInt8] = [0xFF, 0xFF, 0, 1, 0xAB]
        var r = ByteReader<ByteReadError>(bytes[2...])
        #expect(r.offset == 2)
        #expect(try r.u16("u16") == 1)
        #expect(Array(r.rest()) == [0xAB])
        #expect(r.isAtEnd)
        #expect(throws: ByteReadError.truncated(field: "more", offset: 5, neededBytes: 1, remainingBytes: 0)) { _ = try r.u8("more") }
    }

    /// A module's own error type, made in one place, is what every read throws.
    @Test func readsThrowTheCallersErrorType() {
        struct CodecError: ByteReadFailure, Equatable {
            var why: String
            init(_ error: ByteReadError) { why = "codec: \(error)" }
        }
        var r = ByteReader<CodecError>([0, 0, 0])
        #expect(throws: CodecError(.truncated(field: "u32", offset: 0, neededBytes: 4, remainingBytes: 3))) { _ = try r.u32("u32") }
        #expect(r.offset == 0, "a failed read consumes nothing")
    }

    @Test func descriptionsNameTheFieldAndTheBytes() {
        #expect(ByteReadError.truncated(field: "term", offset: 4, neededBytes: 8, remainingBytes: 3).description
                == "truncated at term (byte 4): need 8 bytes, 3 left")
        #expect(ByteReadError.lengthTooLarge(field: "name", offset: 0, length: 300, limit: 255).description
                == "name (byte 0) length 300 exceeds 255")
    }
}
