import Consensus
import YonkeCore

/// The global record the invariants are checked against: what any node ever
/// stored, committed and applied. It is the simulator's omniscient view, never
/// visible to the nodes.
struct RaftHistory {
    struct Key: Hashable { let index: Raft.Index; let term: Raft.Term }
    struct Stored: Equatable { let dataHash: UInt64; let prevTerm: Raft.Term? }

    /// The candidate each node voted for, per term, as seen on the wire (§5.2: one vote per term).
    var votes: [Key: Int] = [:]
    /// Leader per term (at most one, §5.2).
    var leaders: [Raft.Term: Int] = [:]
    /// (index, term) → what the entry held and the term before it: two logs
    /// with the same (index, term) must agree on both (Log Matching, §5.3).
    var stored: [Key: Stored] = [:]
    /// Term of each committed index, 1-based contiguous (Leader Completeness, §5.4).
    var committedTerms: [Raft.Term] = []
    /// State-machine hash chain after applying each index (State Machine Safety, §5.4.3).
    var chain: [UInt64] = []
    /// Highest index whose entry was an acknowledged client write.
    var lastAcknowledgedIndex: Raft.Index = 0

    static func hash(_ entry: Raft.Entry) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(entry.kind.rawValue)
        for byte in entry.data { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    static func chain(_ previous: UInt64, _ entry: Raft.Entry) -> UInt64 {
        var h = previous ^ (entry.index &* 0x9E37_79B9_7F4A_7C15) ^ (entry.term << 32) ^ hash(entry)
        h = (h ^ (h >> 31)) &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 29)
    }

    func chainValue(at index: Raft.Index) -> UInt64? {
        index == 0 ? 0 : (index <= UInt64(chain.count) ? chain[Int(index - 1)] : nil)
    }
}

/// The replicated application: a hash chain over applied entries, so that
/// two replicas agree on their whole history iff their chains agree.
struct ChainApp: Equatable {
    var appliedIndex: Raft.Index = 0
    var hash: UInt64 = 0

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 16)
        w.u64(appliedIndex)
        w.u64(hash)
        return w.bytes
    }

    init() {}

    init?(encoded bytes: [UInt8]) {
        var r = ByteReader<ByteReadError>(bytes)
        guard let applied = try? r.u64("appliedIndex"), let hash = try? r.u64("hash"), r.isAtEnd else { return nil }
        appliedIndex = applied
        self.hash = hash
    }
}
