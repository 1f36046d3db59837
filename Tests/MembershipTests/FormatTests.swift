import Testing
import Membership

/// SWIM's datagrams cross builds during a rolling upgrade: their bytes must not move.
@Suite struct FormatTests {
    @Test func pingKeepsItsLayout() {
        let update = SWIM.MemberUpdate(id: .init(name: "w2", generation: 300), incarnation: 1, status: .suspect, accuser: "a")
        let ping = SWIM.Message.ping(SWIM.Ping(from: .init(name: "a", generation: 1), target: .init(name: "b", generation: 2),
                                               sequence: 128, gossip: [update], fromIncarnation: 0, fromMetadataVersion: 5))
        // version, tag, from ("a", 1), incarnation 0, metadata version 5, target ("b", 2), sequence 128 (varint 0x80 0x01),
        // 1 update: "w2", generation 300 (0xAC 0x02), incarnation 1, status, flags (accuser), accuser "a".
        let expected: [UInt8] = [1, 1, 1, 0x61, 1, 0, 5, 1, 0x62, 2, 0x80, 0x01,
                                 1, 2, 0x77, 0x32, 0xAC, 0x02, 1, SWIM.Status.suspect.rawValue, 1, 1, 0x61]
        #expect(SWIM.Codec.encode(ping) == expected)
    }
}
