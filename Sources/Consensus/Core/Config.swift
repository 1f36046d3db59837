import YonkeCore

extension Raft {
    public struct Config: Sendable {
        /// A follower that hears nothing for a random time in
        /// [electionTimeoutTicks, 2 × electionTimeoutTicks) starts an election;
        /// a check-quorum leader steps down after electionTimeoutTicks without
        /// hearing from a quorum. Must be several heartbeats (thesis §3.4:
        /// broadcast time ≪ election timeout).
        public var electionTimeoutTicks: Int
        public var heartbeatTicks: Int
        /// Pre-vote (thesis §9.6): a node must win a trial election before it
        /// bumps its term, so a rejoining partitioned node cannot depose a leader.
        public var preVote: Bool
        /// Check-quorum (thesis §6.2, §9.6): a leader steps down when it has not
        /// heard from a quorum for an election timeout, and followers ignore
        /// votes while they hear from a leader (leader stickiness).
        public var checkQuorum: Bool
        /// Entries per append message (batching).
        public var maxEntriesPerMessage: Int
        /// Append messages in flight per follower before waiting for acks (pipelining).
        public var maxInflightMessages: Int
        /// Suggest a snapshot once this many applied entries sit in the log.
        public var snapshotThresholdEntries: Int
        /// Test-only switches that break Raft on purpose, so the simulator can
        /// show it catches the bug. Empty in every shipped configuration.
        public var testingFaults: TestingFaults

        public init(electionTimeoutTicks: Int, heartbeatTicks: Int, preVote: Bool = true, checkQuorum: Bool = true,
                    maxEntriesPerMessage: Int = 64, maxInflightMessages: Int = 8, snapshotThresholdEntries: Int = 1_000,
                    testingFaults: TestingFaults = []) {
            invariant(heartbeatTicks > 0 && electionTimeoutTicks > heartbeatTicks,
                      "election timeout \(electionTimeoutTicks) must exceed heartbeat \(heartbeatTicks)")
            invariant(maxEntriesPerMessage > 0 && maxInflightMessages > 0,
                      "batch \(maxEntriesPerMessage) inflight \(maxInflightMessages)")
            self.electionTimeoutTicks = electionTimeoutTicks
            self.heartbeatTicks = heartbeatTicks
            self.preVote = preVote
            self.checkQuorum = checkQuorum
            self.maxEntriesPerMessage = maxEntriesPerMessage
            self.maxInflightMessages = maxInflightMessages
            self.snapshotThresholdEntries = snapshotThresholdEntries
            self.testingFaults = testingFaults
        }

        /// 10 ms ticks: elections after 150–300 ms of silence, heartbeats every
        /// 50 ms (3 heartbeats fit in the shortest timeout, so one lost
        /// heartbeat does not start an election).
        public static let lan = Config(electionTimeoutTicks: 15, heartbeatTicks: 5)
        /// Small numbers for hand-built tests: timeout 10–20 ticks, heartbeat 1.
        public static let test = Config(electionTimeoutTicks: 10, heartbeatTicks: 1, snapshotThresholdEntries: 100)
    }

    /// Deliberately broken variants of Raft, for showing the simulator catches
    /// real bugs. Never set outside tests.
    public struct TestingFaults: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// Commit an entry of an earlier term by counting replicas (violates §5.4.2, Figure 8).
        public static let commitOldTermByCounting = TestingFaults(rawValue: 1 << 0)
        /// Grant votes without the "candidate's log is at least as up to date" check (§5.4.1).
        public static let skipUpToDateCheck = TestingFaults(rawValue: 1 << 1)
        /// Leave the vote out of the persisted hard state, so a restart forgets it (§5.2, Figure 2).
        public static let forgetPersistingVote = TestingFaults(rawValue: 1 << 2)
    }
}
