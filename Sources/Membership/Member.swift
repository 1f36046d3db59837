extension SWIM {
    public enum Status: UInt8, Sendable, CustomStringConvertible {
        case alive = 0, suspect = 1, dead = 2, left = 3

        /// Dead and left members are tombstones: kept, never probed as live.
        public var isTombstone: Bool { self == .dead || self == .left }
        public var description: String {
            switch self {
            case .alive: "alive"
            case .suspect: "suspect"
            case .dead: "dead"
            case .left: "left"
            }
        }
    }

    /// One member as this instance sees it.
    public struct Member: Hashable, Sendable {
        public var id: MemberID
        public var incarnation: UInt64
        public var status: Status
        public var metadata: Metadata
        /// When `status` last changed here; tombstones are forgotten after
        /// `Config.tombstoneRetentionTicks`.
        public var statusSinceTicks: Tick

        public init(id: MemberID, incarnation: UInt64, status: Status, metadata: Metadata, statusSinceTicks: Tick) {
            self.id = id
            self.incarnation = incarnation
            self.status = status
            self.metadata = metadata
            self.statusSinceTicks = statusSinceTicks
        }
    }

    /// A gossip item: one claim about one member. `accuser` names who suspects
    /// (Lifeguard counts distinct accusers); `metadata` rides on `alive`
    /// claims and on full-state transfers.
    public struct MemberUpdate: Hashable, Sendable {
        public var id: MemberID
        public var incarnation: UInt64
        public var status: Status
        public var accuser: String?
        public var metadata: Metadata?

        public init(id: MemberID, incarnation: UInt64, status: Status, accuser: String? = nil, metadata: Metadata? = nil) {
            self.id = id
            self.incarnation = incarnation
            self.status = status
            self.accuser = accuser
            self.metadata = metadata
        }
    }
}

extension SWIM.Member {
    /// The full claim, metadata included (join replies and alive gossip).
    public var update: SWIM.MemberUpdate {
        SWIM.MemberUpdate(id: id, incarnation: incarnation, status: status, metadata: metadata)
    }
}
