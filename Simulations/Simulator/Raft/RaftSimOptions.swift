import Consensus
import YonkeCore

extension Simulation {
    /// One Raft simulation run: a safety phase with faults, a liveness phase on a
    /// healed network, then a measured leader failover.
    public struct RaftOptions: Sendable {
        public var seed: UInt64
        public var nodeCount: Int
        /// Protocol ticks on each node's local clock: 10 ms, so Raft.Config.lan
        /// gives 150–300 ms election timeouts and 50 ms heartbeats.
        public var tick: SimTime = .ms(10)
        public var safetyDuration: SimTime = .seconds(6)
        /// After healing, a leader must commit a new proposal, and every member
        /// must apply it, within this much simulated time.
        public var livenessBound: SimTime = .seconds(10)
        public var proposalInterval: SimTime = .ms(20)
        public var snapshotThresholdEntries = 40
        /// Entries kept behind a snapshot for slightly lagging followers.
        public var snapshotTrailingEntries: UInt64 = 8
        public var membershipChanges = true
        /// Draw batch size and pipelining depth from the seed.
        public var varyBatching = true
        /// Overrides the seed-drawn chance that a node crashes right after answering.
        public var crashAfterReplyProbability: Double?
        /// Overrides the seed-drawn batching.
        public var maxEntriesPerMessage: Int?
        public var measureFailover = true
        public var testingFaults: Raft.TestingFaults = []
        /// Keep and print trace lines (slower); the hash is kept either way.
        public var traceLines = false
        public var echoTrace = false
        /// Overrides the seed-drawn fault plan.
        public var plan: FaultPlan?

        public init(seed: UInt64, nodeCount: Int = 5) {
            self.seed = seed
            self.nodeCount = nodeCount
        }

        /// The bug-hunting profile: a 20 s fault phase, nodes crashing around 5%
        /// of their replies, and one entry per append (so an old-term entry can
        /// be acknowledged before the new leader's own). Every invariant is
        /// the same; only the pressure is higher. Used to show the deliberately
        /// broken variants are caught.
        public static func hunting(seed: UInt64, nodeCount: Int = 5) -> RaftOptions {
            var options = RaftOptions(seed: seed, nodeCount: nodeCount)
            options.safetyDuration = .seconds(20)
            options.crashAfterReplyProbability = 0.05
            options.maxEntriesPerMessage = 1
            options.measureFailover = false
            return options
        }

        var raftConfig: Raft.Config {
            var config = Raft.Config.lan
            config.snapshotThresholdEntries = snapshotThresholdEntries
            config.maxUncommittedEntries = 64
            config.testingFaults = testingFaults
            if let batch = maxEntriesPerMessage { config.maxEntriesPerMessage = batch; config.maxInflightMessages = 1 }
            return config
        }
    }

    public struct RaftViolation: Sendable, CustomStringConvertible, Equatable {
        public enum Kind: String, Sendable {
            case twoLeadersInOneTerm = "at most one leader per term"
            case doubleVote = "one vote per term"
            case staleRead = "linearizable read"
            case logMatching = "log matching"
            case leaderCompleteness = "leader completeness"
            case stateMachineSafety = "state machine safety"
            case lostAcknowledgedWrite = "acknowledged write lost"
            case liveness = "liveness"
        }
        public let kind: Kind
        public let detail: String
        public let time: SimTime
        public var description: String { "\(kind.rawValue) violated at \(time): \(detail)" }
    }

    public struct RaftOutcome: Sendable {
        public let seed: UInt64
        public let violation: RaftViolation?
        public let traceHash: UInt64
        public let simulatedTime: SimTime
        public let events: Int
        /// Client proposals acknowledged (applied) during the run.
        public let acknowledged: Int
        /// Linearizable reads released and checked.
        public let readsServed: Int
        /// Faults applied, by kind.
        public let faultCounts: [String: Int]
        /// Leader crash → a new leader commits an entry, in simulated ms.
        public let failoverMs: Double?
        public let plan: FaultPlan
        public let lastTraceLines: [String]
    }
}
