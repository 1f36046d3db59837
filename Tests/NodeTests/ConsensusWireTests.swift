import YonkeProtocol
import YonkeClient
import Catalog
import Consensus
import NIOCore
import Testing
import YonkeCore
@testable import Node

/// The node's binary forms of Raft messages and catalog operations: every
/// message kind round-trips, and hostile bytes give a typed `WireError`.
struct ConsensusWireTests {
    static let snapshot = Raft.Snapshot(
        metadata: Raft.SnapshotMetadata(index: 40, term: 3, configuration: Raft.Configuration(voters: ["m1", "m2", "m3"], learners: ["w4"])),
        data: Array("YCAT snapshot bytes".utf8))

    static let messages: [Raft.Message.Kind] = [
        .preVote(lastIndex: 7, lastTerm: 2),
        .preVoteResponse(granted: true),
        .vote(lastIndex: 9, lastTerm: 3, transfer: true),
        .voteResponse(granted: false),
        .append(prevIndex: 10, prevTerm: 2, entries: [
            Raft.Entry(term: 3, index: 11, kind: .normal, data: [1, 2, 3]),
            Raft.Entry(term: 3, index: 12, kind: .configuration, data: Raft.Configuration(voters: ["a"]).encoded()),
            Raft.Entry(term: 3, index: 13),
        ], commit: 11),
        .append(prevIndex: 0, prevTerm: 0, entries: [], commit: 0),
        .appendResponse(success: false, index: 12, hintIndex: 8, hintTerm: 2),
        .heartbeat(commit: 5, readContext: 99),
        .heartbeat(commit: 5, readContext: nil),
        .heartbeatResponse(readContext: UInt64.max),
        .heartbeatResponse(readContext: nil),
        .installSnapshot(snapshot),
        .timeoutNow,
    ]

    @Test(arguments: messages)
    func raftMessagesRoundTrip(kind: Raft.Message.Kind) throws {
        let message = Raft.Message(from: "m1", to: "m2", term: 1 << 40, kind: kind)
        #expect(try RaftWire.decode(RaftWire.encode(message)) == message)
    }

    /// Every strict prefix of a valid message is truncated, never a crash or a different message.
    @Test(arguments: messages)
    func truncatedRaftMessagesAreRefused(kind: Raft.Message.Kind) {
        let bytes = RaftWire.encode(Raft.Message(from: "m1", to: "m2", term: 4, kind: kind)).readableBytesView.map { $0 }
        for length in 0..<bytes.count {
            #expect(throws: WireError.self) { try RaftWire.decode(ByteBuffer(bytes: bytes[..<length])) }
        }
        var extra = ByteBuffer(bytes: bytes)
        extra.writeWireInteger(UInt8(0))
        #expect(throws: WireError.self) { try RaftWire.decode(extra) }
    }

    static func header(tag: UInt8, version: UInt8 = 1) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeWireInteger(version)
        out.writeWireString("m1")
        out.writeWireString("m2")
        out.writeWireInteger(UInt64(1))
        out.writeWireInteger(tag)
        return out
    }

    @Test func hostileRaftMessagesGetTypedErrors() {
        #expect(throws: WireError.self) { try RaftWire.decode(Self.header(tag: 10, version: 2)) }
        #expect(throws: WireError.self) { try RaftWire.decode(Self.header(tag: 0)) }
        #expect(throws: WireError.self) { try RaftWire.decode(Self.header(tag: 99)) }
        // A boolean that is neither 0 nor 1.
        var vote = Self.header(tag: 2)
        vote.writeWireInteger(UInt8(7))
        #expect(throws: WireError.self) { try RaftWire.decode(vote) }
        // An entry count far beyond what the message holds must not reserve memory.
        var flood = Self.header(tag: 5)
        flood.writeWireInteger(UInt64(0))
        flood.writeWireInteger(UInt64(0))
        flood.writeWireInteger(UInt32(4_000))
        #expect(throws: WireError.self) { try RaftWire.decode(flood) }
        // Entries that do not follow prevIndex are forged.
        let gap = Raft.Message(from: "m1", to: "m2", term: 1, kind: .append(
            prevIndex: 4, prevTerm: 1, entries: [Raft.Entry(term: 1, index: 6)], commit: 0))
        #expect(throws: WireError.self) { try RaftWire.decode(RaftWire.encode(gap)) }
        // An unknown entry kind.
        var badEntry = Self.header(tag: 5)
        badEntry.writeWireInteger(UInt64(0))
        badEntry.writeWireInteger(UInt64(0))
        badEntry.writeWireInteger(UInt32(1))
        badEntry.writeWireInteger(UInt64(1))
        badEntry.writeWireInteger(UInt64(1))
        badEntry.writeWireInteger(UInt8(9))
        badEntry.writeWireBytes([UInt8]())
        badEntry.writeWireInteger(UInt64(0))
        #expect(throws: WireError.self) { try RaftWire.decode(badEntry) }
        // A snapshot whose configuration does not decode.
        var badSnapshot = Self.header(tag: 9)
        badSnapshot.writeWireInteger(UInt64(1))
        badSnapshot.writeWireInteger(UInt64(1))
        badSnapshot.writeWireBytes([0, 5, 0])
        badSnapshot.writeWireBytes([UInt8]())
        #expect(throws: WireError.self) { try RaftWire.decode(badSnapshot) }
    }

    @Test func snapshotReferencesRoundTripAndAreNotMessages() throws {
        let reference = RaftWire.SnapshotReference(
            from: "m1", to: "m3", term: 6, metadata: Self.snapshot.metadata, sizeBytes: 5 << 20, checksum: 0xDEAD_BEEF)
        #expect(try RaftWire.decodeEnvelope(RaftWire.encode(reference)) == .snapshotReference(reference))
        #expect(throws: WireError.self) { try RaftWire.decode(RaftWire.encode(reference)) }
        var tooLarge = reference
        tooLarge.sizeBytes = RaftWire.maxSnapshotBytes + 1
        #expect(throws: WireError.self) { try RaftWire.decodeEnvelope(RaftWire.encode(tooLarge)) }
    }

    /// An append too large for a frame becomes consecutive appends that chain
    /// (each prevIndex/prevTerm is the previous part's last entry: Raft §5.3's consistency check holds).
    @Test(arguments: [200, 400, 1_000, 100_000])
    func largeAppendsAreCutIntoChainedAppends(limitBytes: Int) throws {
        let entries = (1...20).map { Raft.Entry(term: 2, index: 40 + $0, data: [UInt8](repeating: UInt8($0), count: 60)) }
        let message = Raft.Message(from: "m1", to: "m2", term: 2, kind: .append(prevIndex: 40, prevTerm: 1, entries: entries, commit: 45))
        let payloads = try #require(RaftWire.encode(message, limitBytes: limitBytes))
        #expect(payloads.allSatisfy { $0.readableBytes <= limitBytes })
        var rebuilt: [Raft.Entry] = []
        var previous: (Raft.Index, Raft.Term) = (40, 1)
        for payload in payloads {
            guard case let .append(prevIndex, prevTerm, part, commit) = try RaftWire.decode(payload).kind else {
                Issue.record("not an append")
                return
            }
            #expect(prevIndex == previous.0 && prevTerm == previous.1 && commit == 45)
            rebuilt += part
            if let last = part.last { previous = (last.index, last.term) }
        }
        #expect(rebuilt == entries)
        if limitBytes >= 100_000 { #expect(payloads.count == 1) } else { #expect(payloads.count > 1) }
        // One entry larger than the limit cannot be cut.
        #expect(RaftWire.encode(message, limitBytes: 50) == nil)
    }

    static let block = BlockID(bytes: Array(repeating: 0xAB, count: BlockID.byteCount))!

    @Test func commitRequestRoundTripsAndRefusesGarbage() throws {
        let request = CatalogOps.CommitRequest(
            path: try LakePath("lake://bronze/sales/2026-11-27.csv"), sizeBytes: 30,
            blocks: [Catalog.BlockEntry(id: Self.block, sizeBytes: 20), Catalog.BlockEntry(id: Self.block, sizeBytes: 10)],
            source: "crm", contentType: "text/csv", tier: .cold, loadTimeMillis: 1_764_000_000_000, overwrite: false)
        #expect(try CatalogOps.CommitRequest.decode(request.encoded()) == request)
        let bytes = request.encoded().readableBytesView.map { $0 }
        for length in 0..<bytes.count {
            #expect(throws: WireError.self) { try CatalogOps.CommitRequest.decode(ByteBuffer(bytes: bytes[..<length])) }
        }
        var badPath = ByteBuffer()
        badPath.writeWireString("/etc/passwd")
        #expect(throws: WireError.self) { try CatalogOps.CommitRequest.decode(badPath) }
    }

    @Test func repliesRoundTrip() throws {
        let info = CatalogOps.FileInfo(
            path: "lake://bronze/a.csv", isDirectory: false, sizeBytes: 20, loadedAtEpochMillis: 5, source: "crm",
            contentType: "text/csv", tier: "hot", version: 9, rowCount: 3, blocks: [CatalogOps.Block(id: Self.block, sizeBytes: 20)])
        var buffer = ByteBuffer()
        buffer.writeFileInfo(info)
        #expect(try buffer.readFileInfo() == info)

        let status = CatalogOps.ClusterStatus(
            master: "m2", term: 4, commitIndex: 17, answeredBy: "w4", role: "nonVoter",
            members: [.init(name: "m1", address: "127.0.0.1:7401", state: "alive", incarnation: 2, roles: ["voter", "worker"])],
            blockSizeBytes: 64 << 20, replicationFactor: 3)
        var encoded = CatalogOps.encodeStatus(status)
        #expect(try CatalogOps.decodeStatus(&encoded) == status)

        var empty = CatalogOps.encodeListing([])
        #expect(try CatalogOps.decodeListing(&empty) == CatalogOps.Listing(entries: [], truncated: false))
    }
}
