import Consensus
import NIOCore

/// The bytes of a `Raft.Message` on a `.raft` one-way channel. Consensus is
/// sans-I/O and has no wire form, so the node defines it here:
///
/// `[u8 version=1][str from][str to][u64 term][u8 tag][fields…]`, little-endian
/// like every node message, strings and byte fields `u32`-length-prefixed.
/// Every count and length is checked against a limit before anything is
/// allocated, and a message with bytes left over is refused: a peer that sends
/// garbage gets its message dropped, never a crash (`WireError`).
public enum RaftWire {
    public static let version: UInt8 = 1
    /// Node names are topology names (Transport caps them far below this).
    public static let maxNameBytes = 255
    /// Raft batches at most `Config.maxEntriesPerMessage` entries; this only
    /// bounds what a hostile peer can make us reserve.
    public static let maxEntriesPerMessage = 4_096
    /// A transport frame is ~1 MiB, so nothing larger can arrive anyway.
    public static let maxDataBytes = 2 << 20

    private enum Tag: UInt8 {
        case preVote = 1, preVoteResponse, vote, voteResponse, append, appendResponse
        case heartbeat, heartbeatResponse, installSnapshot, timeoutNow
        /// Not a Raft kind: "fetch snapshot N from me" (see `SnapshotReference`).
        case snapshotReference = 100
    }

    /// An `installSnapshot` too large for one transport frame travels as this
    /// reference; the receiver fetches the data in chunks (`CatalogOps.Op.snapshotChunk`)
    /// and then steps the whole message, so Raft never sees the difference.
    public struct SnapshotReference: Hashable, Sendable {
        public var from: Raft.NodeID
        public var to: Raft.NodeID
        public var term: Raft.Term
        public var metadata: Raft.SnapshotMetadata
        public var sizeBytes: UInt64
        /// CRC-32C of the data, checked once reassembled.
        public var checksum: UInt32

        public init(from: Raft.NodeID, to: Raft.NodeID, term: Raft.Term, metadata: Raft.SnapshotMetadata, sizeBytes: UInt64, checksum: UInt32) {
            self.from = from
            self.to = to
            self.term = term
            self.metadata = metadata
            self.sizeBytes = sizeBytes
            self.checksum = checksum
        }
    }

    public enum Envelope: Hashable, Sendable {
        case message(Raft.Message)
        case snapshotReference(SnapshotReference)
    }

    /// Largest snapshot a node accepts by reference.
    /// 1 GiB, fetched in chunks but assembled (and decoded) in memory: far above a
    /// catalog of millions of files, far below what would take a node's memory.
    public static let maxSnapshotBytes: UInt64 = 1 << 30

    public static func encode(_ reference: SnapshotReference) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeWireInteger(version)
        out.writeWireString(reference.from.name)
        out.writeWireString(reference.to.name)
        out.writeWireInteger(reference.term)
        out.writeWireInteger(Tag.snapshotReference.rawValue)
        out.writeWireInteger(reference.metadata.index)
        out.writeWireInteger(reference.metadata.term)
        out.writeWireBytes(reference.metadata.configuration.encoded())
        out.writeWireInteger(reference.sizeBytes)
        out.writeWireInteger(reference.checksum)
        return out
    }

    /// `message`'s payloads, each at most `limitBytes`: an append too large for one
    /// frame is cut into consecutive appends (each one a valid Raft append: the
    /// follower acknowledges each, and the leader's progress takes the highest).
    /// nil when it cannot be cut (one huge entry, a snapshot, …).
    public static func encode(_ message: Raft.Message, limitBytes: Int) -> [ByteBuffer]? {
        let whole = encode(message)
        if whole.readableBytes <= limitBytes { return [whole] }
        guard case let .append(prevIndex, prevTerm, entries, commit) = message.kind, entries.count > 1 else { return nil }
        let half = entries.count / 2
        let first = Array(entries[..<half])
        let second = Array(entries[half...])
        guard let last = first.last,
              let head = encode(Raft.Message(from: message.from, to: message.to, term: message.term,
                                             kind: .append(prevIndex: prevIndex, prevTerm: prevTerm, entries: first, commit: commit)),
                                limitBytes: limitBytes),
              let tail = encode(Raft.Message(from: message.from, to: message.to, term: message.term,
                                             kind: .append(prevIndex: last.index, prevTerm: last.term, entries: second, commit: commit)),
                                limitBytes: limitBytes)
        else { return nil }
        return head + tail
    }

    public static func encode(_ message: Raft.Message) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeWireInteger(version)
        out.writeWireString(message.from.name)
        out.writeWireString(message.to.name)
        out.writeWireInteger(message.term)
        switch message.kind {
        case let .preVote(lastIndex, lastTerm):
            out.writeWireInteger(Tag.preVote.rawValue)
            out.writeWireInteger(lastIndex)
            out.writeWireInteger(lastTerm)
        case let .preVoteResponse(granted):
            out.writeWireInteger(Tag.preVoteResponse.rawValue)
            out.writeConsensusBool(granted)
        case let .vote(lastIndex, lastTerm, transfer):
            out.writeWireInteger(Tag.vote.rawValue)
            out.writeWireInteger(lastIndex)
            out.writeWireInteger(lastTerm)
            out.writeConsensusBool(transfer)
        case let .voteResponse(granted):
            out.writeWireInteger(Tag.voteResponse.rawValue)
            out.writeConsensusBool(granted)
        case let .append(prevIndex, prevTerm, entries, commit):
            out.writeWireInteger(Tag.append.rawValue)
            out.writeWireInteger(prevIndex)
            out.writeWireInteger(prevTerm)
            out.writeWireInteger(UInt32(entries.count))
            for entry in entries {
                out.writeWireInteger(entry.term)
                out.writeWireInteger(entry.index)
                out.writeWireInteger(entry.kind.rawValue)
                out.writeWireBytes(entry.data)
            }
            out.writeWireInteger(commit)
        case let .appendResponse(success, index, hintIndex, hintTerm):
            out.writeWireInteger(Tag.appendResponse.rawValue)
            out.writeConsensusBool(success)
            out.writeWireInteger(index)
            out.writeWireInteger(hintIndex)
            out.writeWireInteger(hintTerm)
        case let .heartbeat(commit, readContext):
            out.writeWireInteger(Tag.heartbeat.rawValue)
            out.writeWireInteger(commit)
            out.writeConsensusOptional(readContext)
        case let .heartbeatResponse(readContext):
            out.writeWireInteger(Tag.heartbeatResponse.rawValue)
            out.writeConsensusOptional(readContext)
        case let .installSnapshot(snapshot):
            out.writeWireInteger(Tag.installSnapshot.rawValue)
            out.writeWireInteger(snapshot.metadata.index)
            out.writeWireInteger(snapshot.metadata.term)
            out.writeWireBytes(snapshot.metadata.configuration.encoded())
            out.writeWireBytes(snapshot.data)
        case .timeoutNow:
            out.writeWireInteger(Tag.timeoutNow.rawValue)
        }
        return out
    }

    /// A plain Raft message (a snapshot reference is refused here).
    public static func decode(_ payload: ByteBuffer) throws(WireError) -> Raft.Message {
        guard case .message(let message) = try decodeEnvelope(payload) else {
            throw WireError("a snapshot reference where a raft message was expected")
        }
        return message
    }

    public static func decodeEnvelope(_ payload: ByteBuffer) throws(WireError) -> Envelope {
        var input = payload
        let version: UInt8 = try input.readWireInteger("raft version")
        guard version == Self.version else { throw WireError("raft message version \(version), expected \(Self.version)") }
        let from = try input.readWireString("raft from", maxBytes: maxNameBytes)
        let to = try input.readWireString("raft to", maxBytes: maxNameBytes)
        guard !from.isEmpty, !to.isEmpty else { throw WireError("raft message with an empty node name") }
        let term: Raft.Term = try input.readWireInteger("raft term")
        let rawTag: UInt8 = try input.readWireInteger("raft kind")
        guard let tag = Tag(rawValue: rawTag) else { throw WireError("unknown raft message kind \(rawTag)") }
        let kind: Raft.Message.Kind
        switch tag {
        case .snapshotReference:
            let index: Raft.Index = try input.readWireInteger("snapshot index")
            let snapshotTerm: Raft.Term = try input.readWireInteger("snapshot term")
            let configuration = try input.readRaftConfiguration()
            let size: UInt64 = try input.readWireInteger("snapshot size")
            guard size <= maxSnapshotBytes else { throw WireError("snapshot of \(size) bytes exceeds \(maxSnapshotBytes)") }
            let checksum: UInt32 = try input.readWireInteger("snapshot checksum")
            try input.expectFullyRead("snapshot reference")
            return .snapshotReference(SnapshotReference(
                from: Raft.NodeID(from), to: Raft.NodeID(to), term: term,
                metadata: Raft.SnapshotMetadata(index: index, term: snapshotTerm, configuration: configuration),
                sizeBytes: size, checksum: checksum))
        case .preVote:
            kind = .preVote(lastIndex: try input.readWireInteger("lastIndex"), lastTerm: try input.readWireInteger("lastTerm"))
        case .preVoteResponse:
            kind = .preVoteResponse(granted: try input.readConsensusBool("granted"))
        case .vote:
            kind = .vote(lastIndex: try input.readWireInteger("lastIndex"), lastTerm: try input.readWireInteger("lastTerm"),
                         transfer: try input.readConsensusBool("transfer"))
        case .voteResponse:
            kind = .voteResponse(granted: try input.readConsensusBool("granted"))
        case .append:
            let prevIndex: Raft.Index = try input.readWireInteger("prevIndex")
            let prevTerm: Raft.Term = try input.readWireInteger("prevTerm")
            let count = try input.readWireCount("entries", max: maxEntriesPerMessage)
            // Each entry takes at least 21 bytes: a forged count cannot reserve more than the message holds.
            guard count * 21 <= input.readableBytes else { throw WireError("entries: \(count) do not fit in \(input.readableBytes) bytes") }
            var entries: [Raft.Entry] = []
            entries.reserveCapacity(count)
            for _ in 0..<count {
                let entryTerm: Raft.Term = try input.readWireInteger("entry term")
                let index: Raft.Index = try input.readWireInteger("entry index")
                let rawKind: UInt8 = try input.readWireInteger("entry kind")
                guard let entryKind = Raft.EntryKind(rawValue: rawKind) else { throw WireError("unknown entry kind \(rawKind)") }
                let data = try input.readWireBytes("entry data", maxBytes: maxDataBytes)
                entries.append(Raft.Entry(term: entryTerm, index: index, kind: entryKind, data: data))
            }
            // Raft's log assumes contiguous batches right after prevIndex; anything else is forged.
            for (offset, entry) in entries.enumerated() where entry.index != prevIndex &+ 1 &+ Raft.Index(offset) {
                throw WireError("entry \(offset) has index \(entry.index), expected \(prevIndex &+ 1 &+ Raft.Index(offset))")
            }
            kind = .append(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: try input.readWireInteger("commit"))
        case .appendResponse:
            kind = .appendResponse(success: try input.readConsensusBool("success"), index: try input.readWireInteger("index"),
                                   hintIndex: try input.readWireInteger("hintIndex"), hintTerm: try input.readWireInteger("hintTerm"))
        case .heartbeat:
            kind = .heartbeat(commit: try input.readWireInteger("commit"), readContext: try input.readConsensusOptional("readContext"))
        case .heartbeatResponse:
            kind = .heartbeatResponse(readContext: try input.readConsensusOptional("readContext"))
        case .installSnapshot:
            let index: Raft.Index = try input.readWireInteger("snapshot index")
            let snapshotTerm: Raft.Term = try input.readWireInteger("snapshot term")
            let configuration = try input.readRaftConfiguration()
            let data = try input.readWireBytes("snapshot data", maxBytes: maxDataBytes)
            kind = .installSnapshot(Raft.Snapshot(
                metadata: Raft.SnapshotMetadata(index: index, term: snapshotTerm, configuration: configuration), data: data))
        case .timeoutNow:
            kind = .timeoutNow
        }
        try input.expectFullyRead("raft message")
        return .message(Raft.Message(from: Raft.NodeID(from), to: Raft.NodeID(to), term: term, kind: kind))
    }
}

extension ByteBuffer {
    public mutating func readRaftConfiguration() throws(WireError) -> Raft.Configuration {
        let bytes = try readWireBytes("snapshot configuration", maxBytes: 64 * 1024)
        guard let configuration = Raft.Configuration(encoded: bytes) else { throw WireError("snapshot configuration does not decode") }
        return configuration
    }

    public mutating func writeConsensusBool(_ value: Bool) { writeWireInteger(UInt8(value ? 1 : 0)) }

    public mutating func readConsensusBool(_ what: String) throws(WireError) -> Bool {
        switch try readWireInteger(what, as: UInt8.self) {
        case 0: return false
        case 1: return true
        case let other: throw WireError("\(what): \(other) is not a boolean")
        }
    }

    public mutating func writeConsensusOptional(_ value: UInt64?) {
        writeConsensusBool(value != nil)
        if let value { writeWireInteger(value) }
    }

    public mutating func readConsensusOptional(_ what: String) throws(WireError) -> UInt64? {
        try readConsensusBool(what + " present") ? try readWireInteger(what, as: UInt64.self) : nil
    }
}
