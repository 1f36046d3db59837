import Foundation

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
        /// SuspicionTimeoutMin = suspicionMult · max(1, log10(N)) · probeInterval.
        /// Also sets the confirmations Lifeguard waits for: suspicionMult − 2.
        public var suspicionMult: Double
        /// SuspicionTimeoutMax = suspicionMaxTimeoutMult · SuspicionTimeoutMin;
        /// a suspicion nobody confirms runs this long (Lifeguard §IV.B).
        public var suspicionMaxTimeoutMult: Double
        /// Each gossip item is piggybacked retransmitMult · ⌈log10(N+1)⌉ times
        /// (λ·log N in SWIM §4.1): enough to reach everyone w.h.p.
        public var retransmitMult: Int
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
            suspicionMult: Double, suspicionMaxTimeoutMult: Double, retransmitMult: Int,
            awarenessMax: Int, tombstoneRetentionTicks: Tick, reconnectIntervalPeriods: Int,
            pushPullIntervalPeriods: Int, piggybackBytesMax: Int, joinTimeoutTicks: Tick, joinAttemptsMax: Int
        ) {
            self.probeIntervalTicks = probeIntervalTicks
            self.probeTimeoutTicks = probeTimeoutTicks
            self.indirectChecks = indirectChecks
            self.suspicionMult = suspicionMult
            self.suspicionMaxTimeoutMult = suspicionMaxTimeoutMult
            self.retransmitMult = retransmitMult
            self.awarenessMax = awarenessMax
            self.tombstoneRetentionTicks = tombstoneRetentionTicks
            self.reconnectIntervalPeriods = reconnectIntervalPeriods
            self.pushPullIntervalPeriods = pushPullIntervalPeriods
            self.piggybackBytesMax = piggybackBytesMax
            self.joinTimeoutTicks = joinTimeoutTicks
            self.joinAttemptsMax = joinAttemptsMax
        }

        /// A data-centre LAN (memberlist's DefaultLANConfig): 1 s periods,
        /// 500 ms probe timeout, k = 3, suspicion 4·log10(N) s (×6 unconfirmed),
        /// 4·⌈log10(N+1)⌉ retransmits. With N = 1000: suspicion 12 s..72 s.
        public static let lan = Config(
            probeIntervalTicks: 100, probeTimeoutTicks: 50, indirectChecks: 3,
            suspicionMult: 4, suspicionMaxTimeoutMult: 6, retransmitMult: 4,
            awarenessMax: 8, tombstoneRetentionTicks: 360_000, reconnectIntervalPeriods: 10,
            pushPullIntervalPeriods: 30, piggybackBytesMax: 1200, joinTimeoutTicks: 300, joinAttemptsMax: 6
        )

        /// Processes on one machine (memberlist's DefaultLocalConfig): the
        /// loopback never drops, so fewer indirect probes and retransmits and a
        /// shorter probe timeout.
        public static let local = Config(
            probeIntervalTicks: 100, probeTimeoutTicks: 20, indirectChecks: 1,
            suspicionMult: 3, suspicionMaxTimeoutMult: 6, retransmitMult: 2,
            awarenessMax: 8, tombstoneRetentionTicks: 360_000, reconnectIntervalPeriods: 5,
            pushPullIntervalPeriods: 30, piggybackBytesMax: 1200, joinTimeoutTicks: 100, joinAttemptsMax: 6
        )

        /// Unit tests: the LAN formulas on a 10-tick period so that scripted
        /// scenarios stay short.
        public static let test = Config(
            probeIntervalTicks: 10, probeTimeoutTicks: 5, indirectChecks: 3,
            suspicionMult: 4, suspicionMaxTimeoutMult: 6, retransmitMult: 4,
            awarenessMax: 8, tombstoneRetentionTicks: 10_000, reconnectIntervalPeriods: 10,
            pushPullIntervalPeriods: 30, piggybackBytesMax: 1200, joinTimeoutTicks: 30, joinAttemptsMax: 4
        )

        /// Relayed probes give up a little before the requester does, so the
        /// nack arrives in time to count (memberlist uses 80 %).
        public var forwardTimeoutTicks: Tick { max(1, probeTimeoutTicks * 4 / 5) }

        public func pushPullIntervalPeriods(memberCount: Int) -> Int {
            guard pushPullIntervalPeriods > 0 else { return 0 }
            let scale = memberCount <= 32 ? 1 : 1 + Int(ceil(log2(Double(memberCount) / 32)))
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
            let scale = Int(ceil(log10(Double(max(1, memberCount) + 1))))
            return retransmitMult * max(1, scale)
        }

        public func suspicionTimeoutMinTicks(memberCount: Int) -> Tick {
            let scale = max(1, log10(Double(max(1, memberCount))))
            return Tick((suspicionMult * scale * Double(probeIntervalTicks)).rounded(.up))
        }

        public func suspicionTimeoutMaxTicks(memberCount: Int) -> Tick {
            Tick((suspicionMaxTimeoutMult * Double(suspicionTimeoutMinTicks(memberCount: memberCount))).rounded(.up))
        }

        /// Lifeguard waits for this many independent accusers before the
        /// suspicion reaches its minimum; none when too few members could confirm.
        public func expectedConfirmations(memberCount: Int) -> Int {
            let k = max(0, Int(suspicionMult) - 2)
            return memberCount - 2 < k ? 0 : k
        }
    }
}
