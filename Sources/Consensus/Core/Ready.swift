extension Raft {
    /// The work a node hands to its driver after a batch of inputs. The driver
    /// must, in this order:
    /// 1. persist `snapshotToPersist` (then drop stored entries it covers),
    ///    `entriesToPersist` (first deleting stored entries at or after the first
    ///    one's index: that is how conflicts truncate) and `hardState`, and fsync;
    /// 2. call `node.advance(ready)`, which returns the messages to send — there
    ///    is no other way to get them, so nothing leaves before it is durable;
    /// 3. restore the state machine from `snapshotToApply` if present, then apply
    ///    `committedEntries` in order, and serve `readStates` once applied.
    /// New inputs may be stepped while a Ready is being persisted, but there is
    /// at most one Ready outstanding: `ready()` again before `advance` is a bug.
    public struct Ready: Sendable {
        public let hardState: HardState?
        public let entriesToPersist: [Entry]
        public let snapshotToPersist: Snapshot?
        /// A snapshot received from the leader: replaces the state machine.
        public let snapshotToApply: Snapshot?
        public let committedEntries: [Entry]
        public let readStates: [ReadState]
        /// Set when the log holds many applied entries: the driver should take
        /// a snapshot of its state machine at this index (after applying
        /// `committedEntries`) and call `compact`. Comes only with committed entries.
        public let snapshotRequest: Index?
        /// The node's role, leader and term when this Ready was made, for logs and metrics.
        public let role: Role
        public let leader: NodeID?
        public let term: Term

        let messages: [Message]
        let stableThrough: (index: Index, term: Term)?
        let appliedThrough: Index?
        let snapshotStable: Index?

        /// Whether the driver has anything to do.
        public var isEmpty: Bool {
            hardState == nil && entriesToPersist.isEmpty && snapshotToPersist == nil && snapshotToApply == nil
                && committedEntries.isEmpty && readStates.isEmpty && messages.isEmpty
        }

        /// How many messages `advance` will release (for tests and metrics; the
        /// messages themselves stay sealed until then).
        public var messageCount: Int { messages.count }
    }
}
