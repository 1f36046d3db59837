extension SWIM {
    /// Everything members say to each other. Every message but the join pair
    /// piggybacks `gossip` (SWIM §4.1: dissemination rides on failure detection).
    public enum Message: Hashable, Sendable {
        /// Direct probe of `target` (an ack only comes if `target` is exactly
        /// the receiver's identity, so a restarted process never answers for
        /// its old run). Sequence 0 is a gossip push (`Timer.gossip`): no
        /// probe waits for it, so it gets no ack.
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
        /// Anti-entropy (memberlist's push-pull): full views exchanged now
        /// and then, and right after a dead member comes back, so that views
        /// split by a partition reconcile even where gossip has died out.
        case sync(Sync)
    }

    public struct Ping: Hashable, Sendable {
        /// The sequence of a gossip push; probes count from 1.
        public static let gossipSequence: UInt64 = 0
        public var from: MemberID
        /// The sender's own incarnation: a member speaking for itself is the
        /// one source that may revive it in our view, even from a tombstone.
        public var fromIncarnation: UInt64
        /// With `fromIncarnation`: the claim only counts if the metadata we
        /// hold is current, else we would pair new incarnations with old data.
        public var fromMetadataVersion: UInt64
        public var target: MemberID
        public var sequence: UInt64
        public var gossip: [MemberUpdate]
        public init(from: MemberID, target: MemberID, sequence: UInt64, gossip: [MemberUpdate],
                    fromIncarnation: UInt64 = 0, fromMetadataVersion: UInt64 = 0) {
            self.from = from; self.fromIncarnation = fromIncarnation; self.fromMetadataVersion = fromMetadataVersion
            self.target = target; self.sequence = sequence; self.gossip = gossip
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
        /// As in `Ping`; a relayed ack carries the probed member's value.
        public var fromIncarnation: UInt64
        public var fromMetadataVersion: UInt64
        public var sequence: UInt64
        public var gossip: [MemberUpdate]
        public init(from: MemberID, sequence: UInt64, gossip: [MemberUpdate],
                    fromIncarnation: UInt64 = 0, fromMetadataVersion: UInt64 = 0) {
            self.from = from; self.fromIncarnation = fromIncarnation; self.fromMetadataVersion = fromMetadataVersion
            self.sequence = sequence; self.gossip = gossip
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

extension SWIM {
    public struct Sync: Hashable, Sendable {
        public var from: MemberID
        /// False on the answer, so a sync is one round trip, not a loop.
        public var wantsReply: Bool
        public var members: [MemberUpdate]
        public init(from: MemberID, wantsReply: Bool, members: [MemberUpdate]) {
            self.from = from; self.wantsReply = wantsReply; self.members = members
        }
    }
}

extension SWIM.Message {
    public var gossip: [SWIM.MemberUpdate] {
        switch self {
        case .ping(let m): m.gossip
        case .pingRequest(let m): m.gossip
        case .ack(let m): m.gossip
        case .nack(let m): m.gossip
        case .joinRequest, .joinReply, .sync: []
        }
    }
}
