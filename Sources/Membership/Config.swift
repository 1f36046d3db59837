import YonkeCore

extension SWIM {
    /// Tunables, memberlist style: each field says its formula and trade-off.
    /// Presets assume 1 tick = 10 ms.
    public struct Config: Hashable, Sendable {
        /// One protocol period. Shorter detects sooner and costs more
        /// messages: every member sends ~2 probes' worth per period.
        public var probeIntervalTicks: Tick
        /// Wait for a direct ack before asking `indirectChecks` others.
        /// Should exceed the 99th percentile round trip.
        public var probeTimeoutTicks: Tick
        /// k in SWIM §3.1: members asked to probe on our behalf. More masks
        /// more of our own lossy links, at k·2 extra messages per failed probe.
        public var indirectChecks: Int
        /// SuspicionTimeoutMin = suspicionMult · max(1, log10(N)) · probeInterval:
        /// how long a suspicion runs once `suspicionConfirmations` others
        /// confirm it (memberlist's suspicionTimeout). log10(N) because the
        /// accusations and the refutation need ~log N rounds to spread.
        /// Detection of a crash = first suspicion (~1.5 periods, up to ~6 when
        /// no one happens to probe it: probes arrive ~1 a period) + this +
        /// the death's dissemination (~0.6 periods with gossip pushes); so
        /// 12 periods at N = 1,000 needs this at 6 (suspicionMult 2), not
        /// memberlist's 12 (SuspicionMult 4).
        public var suspicionMult: Double
        /// SuspicionTimeoutMax = suspicionMaxTimeoutMult · SuspicionTimeoutMin:
        /// a suspicion nobody confirms runs this long (Lifeguard §IV.B), and
        /// with c < k confirmations Max − (Max − Min) · log(c+1)/log(k+1).
        /// This, not the minimum, protects a live member that one lossy probe
        /// accused: it must hear of it and refute before the maximum (a
        /// refutation reaches everyone in a few periods). Lower the minimum,
        /// raise this multiplier: a lone accuser still waits as long.
        public var suspicionMaxTimeoutMult: Double
        /// k in Lifeguard §IV.B: independent accusers beyond the first after
        /// which a suspicion runs only SuspicionTimeoutMin (memberlist ties it
        /// to SuspicionMult − 2; we keep it at 2 with a smaller multiplier).
        /// None when N − 2 < k: too few members could confirm. Each failed
        /// probe of a live member under 5 % loss is ~6e-5 (direct ping,
        /// fallback ping and 3 indirect paths all lost), so k + 1 = 3
        /// independent failures of one live member in a few periods does not happen.
        public var suspicionConfirmations: Int
        /// RetransmitLimit = retransmitMult · ⌈log10(N+1)⌉ sends of each
        /// claim, piggybacked or pushed (λ·log N in SWIM §4.1; memberlist's
        /// retransmitLimit): enough to reach everyone w.h.p. 16 at N = 1,000.
        /// More costs bytes on every message while the queue is long.
        public var retransmitMult: Int
        /// Every gossipIntervalTicks, queued claims are pushed to gossipFanout
        /// random live members (memberlist's GossipInterval/GossipNodes; a
        /// ping with sequence 0, which gets no ack). Piggybacking alone moves
        /// news ~3× a period (our ping and the ack to whoever pings us), so a
        /// death needs ~log3 N ≈ 6 periods to reach 1,000 members; with pushes
        /// the spread is ~(1 + 2 + fanout · probeInterval / gossipInterval)× =
        /// 18× a period, under one period. Messages are sent only while there
        /// is news, and each claim still goes out at most RetransmitLimit
        /// times, the first ⌈RetransmitLimit / 2⌉ of them pushed or
        /// piggybacked, the rest piggybacked only (`gossipPushLimit`). 0 disables.
        public var gossipIntervalTicks: Tick
        public var gossipFanout: Int
        /// Lifeguard local health: probe interval and timeouts are multiplied
        /// by (score + 1), score in 0..<awarenessMax.
        public var awarenessMax: Int
        /// How long a dead or left member is remembered. Must outlive any
        /// gossip about it (≫ retransmits · probeInterval), else stale `alive`
        /// claims could bring it back.
        public var tombstoneRetentionTicks: Tick
        /// Every this many periods, ping one random dead member: this is how
        /// the halves of a healed partition meet again. 0 disables.
        public var reconnectIntervalPeriods: Int
        /// Anti-entropy: a full view exchange with one random member every
        /// pushPullIntervalPeriods · (1 + ⌈log2(N/32)⌉ for N > 32) periods
        /// (memberlist's pushPullScale, so bytes per member stay flat as N
        /// grows), and at most every third of that after reviving a dead
        /// member (a healed partition). 0 disables.
        public var pushPullIntervalPeriods: Int
        /// Budget for piggybacked gossip in one message (UDP-sized datagrams).
        public var piggybackBytesMax: Int
        public var joinTimeoutTicks: Tick
        /// Total join attempts, cycling through the seeds.
        public var joinAttemptsMax: Int

        public init(
            probeIntervalTicks: Tick, probeTimeoutTicks: Tick, indirectChecks: Int,
            suspicionMult: Double, suspicionMaxTimeoutMult: Double, suspicionConfirmations: Int,
            retransmitMult: Int, gossipIntervalTicks: Tick, gossipFanout: Int, awarenessMax: Int, tombstoneRetentionTicks: Tick, reconnectIntervalPeriods: Int,
            pushPullIntervalPeriods: Int, piggybackBytesMax: Int, joinTimeoutTicks: Tick, joinAttemptsMax: Int
        ) {
            self.probeIntervalTicks = probeIntervalTicks
            self.probeTimeoutTicks = probeTimeoutTicks
            self.indirectChecks = indirectChecks
            self.suspicionMult = suspicionMult
            self.suspicionMaxTimeoutMult = suspicionMaxTimeoutMult
            self.suspicionConfirmations = suspicionConfirmations
            self.retransmitMult = retransmitMult
            self.gossipIntervalTicks = gossipIntervalTicks
            self.gossipFanout = gossipFanout
            self.awarenessMax = awarenessMax
            self.tombstoneRetentionTicks = tombstoneRetentionTicks
            self.reconnectIntervalPeriods = reconnectIntervalPeriods
            self.pushPullIntervalPeriods = pushPullIntervalPeriods
            self.piggybackBytesMax = piggybackBytesMax
            self.joinTimeoutTicks = joinTimeoutTicks
            self.joinAttemptsMax = joinAttemptsMax
        }

        /// A data-centre LAN, after memberlist's DefaultLANConfig: 1 s periods,
        /// 500 ms probe timeout, 3 indirect checks, 4·⌈log10(N+1)⌉ retransmits,
        /// gossip pushes to 3 members every 200 ms; suspicion 2·max(1, log10 N)
        /// periods once 2 others confirm, 24·max(1, log10 N) unconfirmed
        /// (memberlist: 4·log10 N and ×6; same maximum, half the minimum).
        /// With N = 1,000: suspicion 6..72 periods, 16 retransmits; `yonke-sim
        /// swim --members 1000 --loss 0.05` detects a crash everywhere in
        /// 8.4 periods (median), 11.6 at most (README).
        public static let lan = Config(
            probeIntervalTicks: 100, probeTimeoutTicks: 50, indirectChecks: 3,
            suspicionMult: 2, suspicionMaxTimeoutMult: 12, suspicionConfirmations: 2, retransmitMult: 4,
            gossipIntervalTicks: 20, gossipFanout: 3, awarenessMax: 8, tombstoneRetentionTicks: 360_000,
            reconnectIntervalPeriods: 10, pushPullIntervalPeriods: 30, piggybackBytesMax: 1200,
            joinTimeoutTicks: 300, joinAttemptsMax: 6
        )

        /// Processes on one machine (memberlist's DefaultLocalConfig): the
        /// loopback never drops, so fewer indirect probes and retransmits, a
        /// shorter probe timeout, one confirmation, pushes every 100 ms.
        public static let local = Config(
            probeIntervalTicks: 100, probeTimeoutTicks: 20, indirectChecks: 1,
            suspicionMult: 3, suspicionMaxTimeoutMult: 6, suspicionConfirmations: 1, retransmitMult: 2,
            gossipIntervalTicks: 10, gossipFanout: 3, awarenessMax: 8, tombstoneRetentionTicks: 360_000,
            reconnectIntervalPeriods: 5, pushPullIntervalPeriods: 30, piggybackBytesMax: 1200,
            joinTimeoutTicks: 100, joinAttemptsMax: 6
        )

        /// Unit tests: the LAN formulas on a 10-tick period so that scripted
        /// scenarios stay short.
        public static let test = Config(
            probeIntervalTicks: 10, probeTimeoutTicks: 5, indirectChecks: 3,
            suspicionMult: 2, suspicionMaxTimeoutMult: 12, suspicionConfirmations: 2, retransmitMult: 4,
            gossipIntervalTicks: 2, gossipFanout: 3, awarenessMax: 8, tombstoneRetentionTicks: 10_000, reconnectIntervalPeriods: 10,
            pushPullIntervalPeriods: 30, piggybackBytesMax: 1200, joinTimeoutTicks: 30, joinAttemptsMax: 4
        )

        /// Relayed probes give up a little before the requester does, so the
        /// nack arrives in time to count (memberlist uses 80 %).
        public var forwardTimeoutTicks: Tick { max(1, probeTimeoutTicks * 4 / 5) }

        public func pushPullIntervalPeriods(memberCount: Int) -> Int {
            guard pushPullIntervalPeriods > 0 else { return 0 }
            let scale = memberCount <= 32 ? 1 : 1 + Int(StableMath.log2(Double(memberCount) / 32).rounded(.up))
            return pushPullIntervalPeriods * scale
        }

        /// Syncs asked for by a revival or newer metadata happen at most this
        /// often: min(pushPullInterval(N) / 3, 2 · reconnectIntervalPeriods).
        /// After a heal, gossip would need ~N·log N piggybacked copies of each
        /// refutation; a few full-view syncs per member carry them wholesale.
        public func syncCooldownPeriods(memberCount: Int) -> Int {
            let byInterval = pushPullIntervalPeriods(memberCount: memberCount) / 3
            let byReconnect = reconnectIntervalPeriods > 0 ? 2 * reconnectIntervalPeriods : byInterval
            return max(1, min(byInterval, byReconnect))
        }

        public func retransmitLimit(memberCount: Int) -> Int {
            let scale = Int(StableMath.log10(Double(max(1, memberCount) + 1)).rounded(.up))
            return retransmitMult * max(1, scale)
        }

        /// Gossip pushes send a claim only while it has gone out fewer than
        /// ⌈RetransmitLimit / 2⌉ times; piggybacking spends the rest.
        public func gossipPushLimit(memberCount: Int) -> Int {
            (retransmitLimit(memberCount: memberCount) + 1) / 2
        }

        public func suspicionTimeoutMinTicks(memberCount: Int) -> Tick {
            let scale = max(1, StableMath.log10(Double(max(1, memberCount))))
            return Tick((suspicionMult * scale * Double(probeIntervalTicks)).rounded(.up))
        }

        public func suspicionTimeoutMaxTicks(memberCount: Int) -> Tick {
            Tick((suspicionMaxTimeoutMult * Double(suspicionTimeoutMinTicks(memberCount: memberCount))).rounded(.up))
        }

        /// Lifeguard waits for this many independent accusers before the
        /// suspicion reaches its minimum; none when too few members could confirm.
        public func expectedConfirmations(memberCount: Int) -> Int {
            let k = max(0, suspicionConfirmations)
            return memberCount - 2 < k ? 0 : k
        }
    }
}
