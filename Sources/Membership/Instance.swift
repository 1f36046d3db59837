import YonkeCore

extension SWIM {
    /// One member's SWIM state machine. Every handler takes the current tick,
    /// mutates the state and returns directives; nothing else leaves it.
    public struct Instance: Sendable {
        public let config: Config
        public internal(set) var myself: Member
        public internal(set) var nowTicks: Tick

        /// Everyone else, tombstones included, by name (one entry per name: a
        /// newer generation replaces an older one).
        var members: [String: Member] = [:]
        /// Alive and suspect members other than us, kept up to date on every
        /// change so N-dependent formulas cost nothing per message.
        var otherLiveCount = 0
        /// SWIM §4.3 round-robin probe order, reshuffled each round, so every
        /// member is probed within a bounded number of periods.
        var probeOrder: [String] = []
        var probeIndex = 0
        var suspicions: [String: Suspicion] = [:]
        var dissemination = Dissemination()
        var probe: Probe?
        /// Probes we relay for ping-requests, by our own sequence number.
        var forwards: [UInt64: Forward] = [:]
        var nextSequence: UInt64 = 0
        var health: LocalHealth
        var generator: SeededGenerator
        var periods: UInt64 = 0
        var joining: JoinState?
        /// Period of the next scheduled anti-entropy sync (0: not yet drawn).
        var nextSyncPeriod: UInt64 = 0
        /// A revived member to sync with at the next period.
        var syncPeer: MemberID?
        var lastTriggeredSyncPeriod: UInt64?
        var applyingJoinReply = false
        /// Claims about ourselves at an incarnation we never announced (forged; ignored).
        public internal(set) var forgedClaimsAboutMyself = 0

        /// Ping-requests relayed at once; beyond this we stay silent (the
        /// requester's other k−1 helpers cover) rather than grow without bound.
        static let forwardsMax = 1024
        /// Tombstone sweeps run this often, in periods.
        static let sweepIntervalPeriods: UInt64 = 10

        struct Probe: Sendable {
            var sequence: UInt64
            var target: MemberID
            var expectedNacks = 0
            var nacks = 0
        }

        struct Forward: Sendable {
            var requesterAddress: Address
            var requesterSequence: UInt64
            var target: MemberID
        }

        struct JoinState: Sendable {
            var seeds: [Address]
            var attempt: Int
        }

        public init(config: Config, id: MemberID, metadata: Metadata, generator: SeededGenerator, nowTicks: Tick = 0) {
            self.config = config
            self.myself = Member(id: id, incarnation: 0, status: .alive, metadata: metadata, statusSinceTicks: nowTicks)
            self.nowTicks = nowTicks
            self.health = LocalHealth(awarenessMax: config.awarenessMax)
            self.generator = generator
        }

        // MARK: views for the shell and for tests

        /// Members other than us, sorted by name.
        public var peers: [Member] { members.values.sorted { $0.id < $1.id } }

        public func member(named name: String) -> Member? {
            name == myself.id.name ? myself : members[name]
        }

        /// N in the config formulas: alive and suspect members, us included.
        public var liveMemberCount: Int { otherLiveCount + 1 }

        /// Lifeguard local health score, 0 = healthy.
        public var localHealthScore: Int { health.score }

        public var isJoining: Bool { joining != nil }

        // MARK: helpers shared by the handlers

        mutating func advance(to now: Tick) {
            nowTicks = max(nowTicks, now)
        }

        mutating func makeSequence() -> UInt64 {
            nextSequence += 1
            return nextSequence
        }

        /// The only way `members` changes, so `otherLiveCount` and the probe
        /// order stay consistent with it.
        mutating func store(_ member: Member) {
            let name = member.id.name
            invariant(name != myself.id.name, "storing ourselves (\(member.id)) as a peer")
            let old = members[name]
            if let old, !old.status.isTombstone { otherLiveCount -= 1 }
            if !member.status.isTombstone { otherLiveCount += 1 }
            if old == nil {
                let slot = probeOrder.isEmpty ? 0 : Int(generator.next(upperBound: UInt64(probeOrder.count + 1)))
                probeOrder.insert(name, at: slot)
                if slot < probeIndex { probeIndex += 1 }
            }
            members[name] = member
            invariant(otherLiveCount >= 0 && otherLiveCount <= members.count,
                      "otherLiveCount \(otherLiveCount) outside 0...\(members.count)")
        }

        mutating func forget(name: String) {
            guard let old = members.removeValue(forKey: name) else { return }
            if !old.status.isTombstone { otherLiveCount -= 1 }
            suspicions[name] = nil
            if let slot = probeOrder.firstIndex(of: name) {
                probeOrder.remove(at: slot)
                if slot < probeIndex { probeIndex -= 1 }
            }
        }

        /// Up to `count` distinct alive members, none of them `excluded`,
        /// chosen at random; bounded attempts keep it O(count).
        mutating func randomAliveMembers(count: Int, excluding excluded: String? = nil) -> [Member] {
            randomMembers(count: count, excluding: excluded, includingSuspects: false)
        }

        /// As `randomAliveMembers`, suspects too if asked.
        mutating func randomMembers(count: Int, excluding excluded: String? = nil, includingSuspects: Bool) -> [Member] {
            guard count > 0, !probeOrder.isEmpty else { return [] }
            var picked: [Member] = []
            var attempts = 0
            while picked.count < count && attempts < count * 8 {
                attempts += 1
                let name = probeOrder[Int(generator.next(upperBound: UInt64(probeOrder.count)))]
                guard name != excluded, let m = members[name],
                      m.status == .alive || (includingSuspects && m.status == .suspect),
                      !picked.contains(where: { $0.id.name == name }) else { continue }
                picked.append(m)
            }
            return picked
        }

        /// Gossip for one message to `recipient`: first our negative belief
        /// about the recipient (so it can refute at once), then the queue.
        mutating func gossip(for recipient: MemberID?, sentFewerThan: Int? = nil) -> [MemberUpdate] {
            var out: [MemberUpdate] = []
            var budget = config.piggybackBytesMax
            if let recipient, let seen = members[recipient.name], seen.id == recipient, seen.status != .alive {
                let belief = MemberUpdate(id: seen.id, incarnation: seen.incarnation, status: seen.status,
                                          accuser: seen.status == .suspect ? myself.id.name : nil)
                out.append(belief)
                budget -= Codec.encodedSize(of: belief)
            }
            // Never news about the recipient to the recipient: it knows best,
            // and the copy would count against the claim's retransmit budget.
            out += dissemination.take(
                budgetBytes: budget, limit: config.retransmitLimit(memberCount: liveMemberCount),
                excluding: recipient?.name, sentFewerThan: sentFewerThan)
            return out
        }

        /// A ping speaking for us: our incarnation and metadata version ride
        /// along (see `Ping.fromIncarnation`).
        mutating func makePing(to target: MemberID, sequence: UInt64,
                               gossip override: [MemberUpdate]? = nil) -> Message {
            let piggyback = override ?? gossip(for: target)
            return .ping(Ping(from: myself.id, target: target, sequence: sequence, gossip: piggyback,
                              fromIncarnation: myself.incarnation, fromMetadataVersion: myself.metadata.version))
        }
    }
}
