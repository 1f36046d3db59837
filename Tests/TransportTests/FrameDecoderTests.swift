import NIOCore
import Testing
@testable import Transport

/// Wire format (see `Transport`): `[u32 length][u8 version][u8 kind][payload]`.
@Suite struct FrameDecoderTests {
    let decoder = FrameDecoder(maxFrameBytes: Transport.Limits.test.maxFrameBytes)

    func decode(_ bytes: [UInt8]) throws(TransportError) -> Frame? {
        var buffer = ByteBuffer(bytes: bytes)
        return try decoder.nextFrame(&buffer)
    }

    @Test func wholeFrameDecodesToKindAndPayload() throws {
        let frame = try #require(try decode([0, 0, 0, 5, 1, 9, 0xAA, 0xBB, 0xCC]))
        #expect(frame.kind == 9)
        #expect(Array(frame.payload.readableBytesView) == [0xAA, 0xBB, 0xCC])
    }

    @Test(arguments: [
        [UInt8](),                     // nothing yet
        [0, 0],                        // half a length
        [0, 0, 0, 5, 1, 9, 0xAA],      // body incomplete
    ])
    func partialInputWaitsForMore(bytes: [UInt8]) throws {
        #expect(try decode(bytes) == nil)
    }

    /// A hostile length is refused from the 4 length bytes alone.
    @Test(arguments: [
        ([0xFF, 0xFF, 0xFF, 0xFF], TransportError.frameTooLarge(lengthBytes: .max, limitBytes: Transport.Limits.test.maxFrameBytes)),
        ([0x00, 0x11, 0x00, 0x01], .frameTooLarge(lengthBytes: 0x11_0001, limitBytes: Transport.Limits.test.maxFrameBytes)),
        ([0, 0, 0, 0], .frameTooSmall(lengthBytes: 0)),
        ([0, 0, 0, 1, 1], .frameTooSmall(lengthBytes: 1)),
        ([0, 0, 0, 9, 2], .unsupportedFrameVersion(2)),
        ([0, 0, 0, 9, 0], .unsupportedFrameVersion(0)),
    ] as [([UInt8], TransportError)])
    func badHeaderIsATypedError(bytes: [UInt8], expected: TransportError) {
        #expect(throws: expected) { try decode(bytes) }
    }

    @Test func largestAllowedFrameIsAccepted() throws {
        let limit = Transport.Limits.test.maxFrameBytes
        var bytes: [UInt8] = withUnsafeBytes(of: UInt32(limit).bigEndian, Array.init)
        bytes += [1, 3] + [UInt8](repeating: 0x5A, count: limit - 2)
        let frame = try #require(try decode(bytes))
        #expect(frame.payload.readableBytes == limit - 2)
    }

    @Test func wireFrameRoundTrips() throws {
        let wire = Frame.wire(kind: 0x42, payload: [1, 2, 3], allocator: ByteBufferAllocator())
        let frame = try #require(try decode(Array(wire.readableBytesView)))
        #expect(frame.kind == 0x42)
        #expect(Array(frame.payload.readableBytesView) == [1, 2, 3])
    }
}
