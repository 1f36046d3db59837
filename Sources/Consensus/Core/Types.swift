extension Raft {
    public typealias Term = UInt64
    public typealias Index = UInt64

    /// A node's name as the cluster knows it ("m1", "w2"): a String, because
    /// machines in a topology file are named, and names sort stably.
    public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
        public let name: String
        public init(_ name: String) { self.name = name }
        public init(stringLiteral name: String) { self.name = name }
        public var description: String { name }
        public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.name < rhs.name }
    }

    public enum EntryKind: UInt8, Hashable, Sendable {
        case normal = 0
        /// Data is an encoded `Raft.Configuration`; it takes effect when appended.
        case configuration = 1
    }

    public struct Entry: Hashable, Sendable, CustomStringConvertible {
        public var term: Term
        public var index: Index
        public var kind: EntryKind
        public var data: [UInt8]

        public init(term: Term, index: Index, kind: EntryKind = .normal, data: [UInt8] = []) {
            self.term = term
            self.index = index
            self.kind = kind
            self.data = data
        }

        public var description: String { "\(index)@\(term)\(kind == .configuration ? "c" : "")" }
    }

    /// What must be on disk before a node answers anyone (Raft §5, Figure 2).
    public struct HardState: Hashable, Sendable, CustomStringConvertible {
        public var term: Term
        public var vote: NodeID?
        public var commit: Index

        public init(term: Term = 0, vote: NodeID? = nil, commit: Index = 0) {
            self.term = term
            self.vote = vote
            self.commit = commit
        }

        public var description: String { "term \(term) vote \(vote?.description ?? "-") commit \(commit)" }
    }

    public struct SnapshotMetadata: Hashable, Sendable {
        public var index: Index
        public var term: Term
        public var configuration: Configuration
        public init(index: Index, term: Term, configuration: Configuration) {
            self.index = index
            self.term = term
            self.configuration = configuration
        }
    }

    /// The application's state through `metadata.index`; Raft treats `data` as opaque.
    public struct Snapshot: Hashable, Sendable {
        public var metadata: SnapshotMetadata
        public var data: [UInt8]
        public init(metadata: SnapshotMetadata, data: [UInt8]) {
            self.metadata = metadata
            self.data = data
        }
    }

    /// What a restarting node reads back from its storage.
    public struct PersistentState: Hashable, Sendable {
        public var hardState: HardState
        public var snapshot: Snapshot?
        /// Entries after the snapshot, contiguous.
        public var entries: [Entry]
        public init(hardState: HardState = HardState(), snapshot: Snapshot? = nil, entries: [Entry] = []) {
            self.hardState = hardState
            self.snapshot = snapshot
            self.entries = entries
        }
    }

    public enum Role: String, Hashable, Sendable {
        case follower, preCandidate, candidate, leader
    }

    /// A linearizable read point (thesis §6.4): once the node has applied
    /// through `index`, a read tagged `context` sees every write acknowledged
    /// before the read was requested. `index == nil` means refused: retry later
    /// (not leader, or the leader has not committed in its term yet).
    public struct ReadState: Hashable, Sendable {
        public var context: UInt64
        public var index: Index?
    }
}
