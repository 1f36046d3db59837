import Testing
import Membership

@Suite struct CodecTests {
    static var richMetadata: SWIM.Metadata {
        SWIM.Metadata(address: "10.0.0.5:7400", rack: "rack-b", diskClass: .hdd,
                      hot: .init(capacityBytes: 2 << 40, usedBytes: 5 << 30),
                      cold: .init(capacityBytes: 8 << 40, usedBytes: 0),
                      glacier: .init(capacityBytes: 0, usedBytes: 0),
                      labels: ["zone": "basement", "ü": "ñ"], version: 300)
    }

    static var gossip: [SWIM.MemberUpdate] {
        [SWIM.MemberUpdate(id: .init(name: "w1", generation: 1_764_230_400_000), incarnation: 7, status: .alive, metadata: richMetadata),
         SWIM.MemberUpdate(id: .init(name: "w2", generation: 2), incarnation: 0, status: .suspect, accuser: "w1"),
         SWIM.MemberUpdate(id: .init(name: "w3", generation: 3), incarnation: UInt64.max, status: .dead),
         SWIM.MemberUpdate(id: .init(name: "w4", generation: 0), incarnation: 1, status: .left)]
    }

    static let a = SWIM.MemberID(name: "m1", generation: 9)
    static let b = SWIM.MemberID(name: "master-1", generation: 10)

    static let messages: [SWIM.Message] = [
        .ping(SWIM.Ping(from: a, target: b, sequence: 1, gossip: [])),
        .ping(SWIM.Ping(from: a, target: b, sequence: 300, gossip: gossip)),
        .pingRequest(SWIM.PingRequest(from: a, target: b, targetAddress: "[::1]:7400", sequence: .max, gossip: gossip)),
        .ack(SWIM.Ack(from: b, sequence: 0, gossip: gossip)),
        .nack(SWIM.Nack(from: b, sequence: 77, gossip: [])),
        .joinRequest(SWIM.JoinRequest(member: gossip[0])),
        .joinReply(SWIM.JoinReply(from: b, members: gossip)),
        .sync(SWIM.Sync(from: a, wantsReply: true, members: gossip)),
        .sync(SWIM.Sync(from: b, wantsReply: false, members: [])),
        .ping(SWIM.Ping(from: a, target: b, sequence: 2, gossip: [], fromIncarnation: 1 << 40, fromMetadataVersion: 3)),
        .ack(SWIM.Ack(from: b, sequence: 2, gossip: [], fromIncarnation: 9, fromMetadataVersion: .max)),
    ]

    @Test(arguments: messages)
    func roundTrip(_ message: SWIM.Message) throws {
        let bytes = SWIM.Codec.encode(message)
        #expect(try SWIM.Codec.decode(bytes) == message)
        #expect(SWIM.Codec.encode(try SWIM.Codec.decode(bytes)) == bytes, "encoding is canonical")
    }

    /// Every strict prefix of a valid message is malformed and must throw,
    /// never trap.
    @Test(arguments: messages)
    func everyTruncationThrows(_ message: SWIM.Message) {
        let bytes = SWIM.Codec.encode(message)
        for length in 0..<bytes.count {
            #expect(throws: SWIM.Codec.DecodeError.self) { try SWIM.Codec.decode(Array(bytes.prefix(length))) }
        }
    }

    @Test func pingIsSmall() {
        // A probe must fit a datagram with room for gossip.
        #expect(SWIM.Codec.encodedSize(of: Self.messages[0]) < 32)
    }

    static let ping = SWIM.Codec.encode(messages[0])

    @Test(arguments: [
        (ping.replacing(at: 0, with: 9), SWIM.Codec.DecodeError.unsupportedVersion(9)),
        (ping.replacing(at: 1, with: 200), .unknownMessageTag(200)),
        (ping + [0], .trailingBytes(count: 1)),
        ([1, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], .varintOverflow(field: "member name", offset: 11)),
        ([1, 1, 100] + [UInt8](repeating: 65, count: 100), .truncated(field: "generation", offset: 103)),
        ([1, 1, 0x80, 0x04] + [UInt8](repeating: 65, count: 10), .tooMany(field: "member name", count: 512, limit: 255)),
        ([1, 1, 2, 0xC3, 0x28, 1], .invalidUTF8(field: "member name", offset: 2)),
    ] as [([UInt8], SWIM.Codec.DecodeError)])
    func malformedInputGetsATypedError(bytes: [UInt8], expected: SWIM.Codec.DecodeError) {
        #expect(throws: expected) { try SWIM.Codec.decode(bytes) }
    }

    @Test func aForgedGossipCountDoesNotAllocate() {
        // ack from "a"#1 (incarnation 0, metadata v0) seq 1 claiming 100,000 updates in 0 bytes.
        let bytes: [UInt8] = [1, 3, 1, 97, 1, 0, 0, 1, 0xA0, 0x8D, 0x06]
        #expect(throws: SWIM.Codec.DecodeError.truncated(field: "gossip count", offset: 11)) { try SWIM.Codec.decode(bytes) }
    }

    @Test func unknownStatusAndFlagsAreRefused() {
        var update = SWIM.Codec.encode(.joinRequest(SWIM.JoinRequest(member: Self.gossip[3])))
        // version, tag, name "w4" (3 bytes), generation, incarnation, status, flags
        let statusOffset = 2 + 3 + 1 + 1
        update[statusOffset] = 9
        #expect(throws: SWIM.Codec.DecodeError.unknownStatus(9, offset: statusOffset)) { try SWIM.Codec.decode(update) }
        update[statusOffset] = 0
        update[statusOffset + 1] = 0x80
        #expect(throws: SWIM.Codec.DecodeError.unknownFlags(0x80, offset: statusOffset + 1)) { try SWIM.Codec.decode(update) }
    }

    @Test func oversizedMessagesAreRefusedBeforeParsing() {
        let limits = SWIM.Codec.Limits(messageBytesMax: 16, stringBytesMax: 255, labelsMax: 4, updatesMax: 10)
        let big = SWIM.Codec.encode(Self.messages[1])
        #expect(throws: SWIM.Codec.DecodeError.messageTooLarge(bytes: big.count, limit: 16)) {
            try SWIM.Codec.decode(big, limits: limits)
        }
        let manyUpdates = SWIM.Codec.encode(.joinReply(SWIM.JoinReply(from: Self.a, members: Array(repeating: Self.gossip[3], count: 11))))
        let roomy = SWIM.Codec.Limits(messageBytesMax: 1 << 20, stringBytesMax: 255, labelsMax: 4, updatesMax: 10)
        #expect(throws: SWIM.Codec.DecodeError.tooMany(field: "gossip count", count: 11, limit: 10)) {
            try SWIM.Codec.decode(manyUpdates, limits: roomy)
        }
    }
}

extension Array where Element == UInt8 {
    func replacing(at index: Int, with byte: UInt8) -> [UInt8] {
        var copy = self
        copy[index] = byte
        return copy
    }
}
