import Testing
@testable import Consensus

/// A configuration travels in log entries and snapshots: its bytes must not move.
@Suite struct ConfigurationFormatTests {
    static let configuration = Raft.Configuration(voters: ["m2", "m1"], learners: ["l"])
    static let bytes: [UInt8] = [0, 2, 0, 1, 0, 2, 0x6D, 0x31, 0, 2, 0x6D, 0x32, 0, 1, 0x6C]

    @Test func keepsItsLayout() {
        #expect(Self.configuration.encoded() == Self.bytes)
        #expect(Raft.Configuration(encoded: Self.bytes) == Self.configuration)
    }

    @Test(arguments: [
        [], [0, 1], [0, 1, 0, 0, 0, 2, 0x6D], // short
        Self.bytes + [0], // trailing
        [0, 1, 0, 0, 0, 2, 0xC3, 0x28], // not UTF-8
        [0xFF, 0xFF, 0xFF, 0xFF], // counts the bytes could not hold
    ] as [[UInt8]])
    func malformedBytesAreRefused(bytes: [UInt8]) {
        #expect(Raft.Configuration(encoded: bytes) == nil)
    }

    @Test func everyTruncationIsRefused() {
        for cut in 0..<Self.bytes.count { #expect(Raft.Configuration(encoded: Array(Self.bytes.prefix(cut))) == nil) }
    }
}
