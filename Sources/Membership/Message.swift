extension SWIM {
    /// Everything members say to each other. Every message but the join pair
    /// piggybacks `gossip` (SWIM §4.1: dissemination rides on failure detection).
    public enum Message: Hashable, Sendable {
        /// Direct probe of `target` (an ack only comes if `target` is exactly
        /// the receiver's identity, so a restarted process never answers for
        /// its old run).
        case ping(Ping)
        /// "Probe `target` for me" (SWIM §3.1 ping-req, to k random members).
        case pingRequest(PingRequest)
        /// `from` is the member that was probed, also when relayed.
        case ack(Ack)
        /// Lifeguard §IV.A: an indirect prober had no answer in time; tells the
        /// requester its own network path is fine, so its health is not at fault.
        case nack(Nack)
        case joinRequest(JoinRequest)
        case joinReply(JoinReply)
    }

    public struct Ping: Hashable, Sendable {
        public var from: MemberID
        public var target: MemberID
        public var sequence: UInt64
        public var gossip: [MemberUpdate]
        public init(from: MemberID, target: MemberID, sequence: UInt64, gossip: [MemberUpdate]) {
            self.from = from; self.target = target; self.sequence = sequence; self.gossip = gossip
        }
    }

    public struct PingRequest: Hashable, Sendable {
        public var from: MemberID
        public var target: MemberID
        public var targetAddress: Address
        public var sequence: UInt64
        public var gossip: [MemberUpdate]
        public init(from: MemberID, target: MemberID, targetAddress: Address, sequence: UInt64, gossip: [MemberUpdate]) {
            self.from = from; self.target = target; self.targetAddress = targetAddress
            self.sequence = sequence; self.gossip = gossip
        }
    }

    public struct Ack: Hashable, Sendable {
        public var from: MemberID
        public var sequence: UInt64
        public var gossip: [MemberUpdate]
        public init(from: MemberID, sequence: UInt64, gossip: [MemberUpdate]) {
            self.from = from; self.sequence = sequence; self.gossip = gossip
        }
    }

    public struct Nack: Hashable, Sendable {
        public var from: MemberID
        public var sequence: UInt64
        public var gossip: [MemberUpdate]
        public init(from: MemberID, sequence: UInt64, gossip: [MemberUpdate]) {
            self.from = from; self.sequence = sequence; self.gossip = gossip
        }
    }

    public struct JoinRequest: Hashable, Sendable {
        /// The joiner's own `alive` claim, metadata included.
        public var member: MemberUpdate
        public init(member: MemberUpdate) { self.member = member }
    }

    public struct JoinReply: Hashable, Sendable {
        public var from: MemberID
        /// The seed's full view, tombstones included so the joiner cannot be
        /// fooled by stale `alive` gossip about a dead member.
        public var members: [MemberUpdate]
        public init(from: MemberID, members: [MemberUpdate]) { self.from = from; self.members = members }
    }
}

extension SWIM.Message {
    public var gossip: [SWIM.MemberUpdate] {
        switch self {
        case .ping(let m): m.gossip
        case .pingRequest(let m): m.gossip
        case .ack(let m): m.gossip
        case .nack(let m): m.gossip
        case .joinRequest, .joinReply: []
        }
    }
}
