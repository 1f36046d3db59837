import YonkeCore

extension Raft {
    /// One Raft participant as a value. Not thread-safe by design: the driver
    /// owns it and calls it serially (etcd's RawNode).
    public struct Node: Sendable {
        public let id: NodeID
        public let config: Config
        var rng: SeededGenerator

        public internal(set) var term: Term = 0
        public internal(set) var vote: NodeID?
        public internal(set) var role: Role = .follower
        /// The leader this node currently follows (itself when leading).
        public internal(set) var leader: NodeID?
        var log: Log
        /// The configuration in force: the latest configuration entry in the log (thesis §4.1).
        public internal(set) var configuration: Configuration
        /// Index of the entry that set `configuration` (0 when it came from a snapshot or bootstrap).
        var configurationIndex: Index = 0
        var bootstrapConfiguration: Configuration

        var electionElapsed = 0
        var heartbeatElapsed = 0
        var randomizedElectionTimeout = 0
        var votes: [NodeID: Bool] = [:]
        var progress: [NodeID: Progress] = [:]
        /// Leader: the last configuration entry it appended; no new change until it commits.
        var pendingConfigurationIndex: Index = 0
        var transferTarget: NodeID?
        var transferElapsed = 0
        var pendingReads: [PendingRead] = []

        var outbox: [Message] = []
        var readStates: [ReadState] = []
        var persistedHardState: HardState
        var readyOutstanding = false

        public var commitIndex: Index { log.committed }
        public var appliedIndex: Index { log.applied }
        public var lastIndex: Index { log.lastIndex }
        public var lastTerm: Term { log.lastTerm }
        public var snapshotIndex: Index { log.snapshotIndex }
        public func term(at index: Index) -> Term? { log.term(at: index) }
        public func entry(at index: Index) -> Entry? { log.entry(at: index) }
        public var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }

        /// A node starting from what it had persisted (empty for a brand new node).
        /// `bootstrap` is the initial voter set, used when storage holds no
        /// configuration yet.
        public init(id: NodeID, config: Config, bootstrap: Configuration, restoring state: PersistentState = PersistentState(),
                    generator: SeededGenerator) {
            self.id = id
            self.config = config
            self.rng = generator
            self.bootstrapConfiguration = bootstrap
            self.log = Log(restoring: state, allowUnsafe: !config.testingFaults.isEmpty)
            self.term = state.hardState.term
            self.vote = state.hardState.vote
            self.persistedHardState = state.hardState
            self.configuration = bootstrap
            recomputeConfiguration()
            resetElectionTimer()
        }

        // MARK: inputs

        public enum Input: Sendable, Hashable {
            case tick
            case receive(Message)
            case propose([UInt8])
            case proposeConfigurationChange(ConfigurationChange)
            case readIndex(context: UInt64)
            case transferLeadership(to: NodeID)
            case campaign
        }

        public enum ProposalError: Error, Hashable, Sendable {
            case notLeader(knownLeader: NodeID?)
            case transferInProgress
            /// Too many entries wait to commit (`Config.maxUncommittedEntries`): back off.
            case overloaded
            /// A configuration change is still uncommitted, or this leader has not committed in its term yet.
            case configurationChangePending
            case invalidConfigurationChange
            /// The learner to promote does not yet hold everything committed.
            case learnerNotCaughtUp
        }

        /// The single entry point for inputs; proposals report the index they got.
        @discardableResult
        public mutating func step(_ input: Input) -> Result<Index, ProposalError>? {
            switch input {
            case .tick: tick()
            case .receive(let message): receive(message)
            case .propose(let data): return propose(data)
            case .proposeConfigurationChange(let change): return proposeConfigurationChange(change)
            case .readIndex(let context): requestRead(context: context)
            case .transferLeadership(let target): transferLeadership(to: target)
            case .campaign: campaign()
            }
            return nil
        }

        public mutating func tick() {
            switch role {
            case .leader: tickLeader()
            case .follower, .preCandidate, .candidate: tickElection()
            }
        }

        public mutating func propose(_ data: [UInt8]) -> Result<Index, ProposalError> {
            guard role == .leader else { return .failure(.notLeader(knownLeader: leader)) }
            guard transferTarget == nil else { return .failure(.transferInProgress) }
            guard log.lastIndex - log.committed < Index(config.maxUncommittedEntries) else { return .failure(.overloaded) }
            let index = appendAsLeader([Entry(term: term, index: 0, kind: .normal, data: data)])
            broadcastAppend()
            return .success(index)
        }

        // MARK: ready / advance

        /// What the driver must persist and apply now. Call `advance` with it once persisted.
        public mutating func ready() -> Ready {
            // Inputs may be stepped while a Ready is being persisted (an actor
            // awaiting fsync), but a second Ready would hand out the same
            // entries and committed entries again.
            invariant(!readyOutstanding, "ready() called again before advance() of the previous Ready (node \(id))")
            var hard: HardState? = nil
            var current = hardState
            if config.testingFaults.contains(.forgetPersistingVote) { current.vote = nil }
            if current != persistedHardState { hard = current }
            let unstable = log.unstableEntries
            let committed = log.unappliedCommitted()
            let snapshotToApply = log.unstableSnapshotIsReceived ? log.unstableSnapshot : nil
            let appliedAfter = committed.last?.index ?? log.applied
            // Asked along with the entries that cross the threshold, so a driver
            // that declines is not asked again on every empty Ready.
            let request: Index? = !committed.isEmpty && appliedAfter >= log.snapshotIndex + Index(config.snapshotThresholdEntries)
                ? appliedAfter : nil
            let ready = Ready(hardState: hard, entriesToPersist: unstable, snapshotToPersist: log.unstableSnapshot,
                              snapshotToApply: snapshotToApply, committedEntries: committed, readStates: readStates,
                              snapshotRequest: request, role: role, leader: leader, term: term,
                              messages: outbox, stableThrough: unstable.last.map { ($0.index, $0.term) },
                              appliedThrough: committed.last?.index, snapshotStable: log.unstableSnapshot?.metadata.index)
            outbox = []
            readStates = []
            readyOutstanding = !ready.isEmpty
            return ready
        }

        /// The driver has made `ready` durable: returns the messages it may now send.
        public mutating func advance(_ ready: Ready) -> [Message] {
            readyOutstanding = false
            if let hard = ready.hardState { persistedHardState = hard }
            if let snap = ready.snapshotStable { log.snapshotStable(through: snap) }
            if let (index, term) = ready.stableThrough { log.stable(through: index, term: term) }
            if let applied = ready.appliedThrough { log.applied(through: applied) }
            return ready.messages
        }

        /// The application captured its state through `index` (<= applied) in
        /// `data`: drop the log before it. The snapshot comes back in the next
        /// Ready's `snapshotToPersist`.
        public mutating func compact(through index: Index, data: [UInt8]) {
            guard index > log.snapshotIndex, index <= log.applied else { return }
            log.compact(through: index, data: data, configuration: configuration(at: index))
        }

        // MARK: helpers shared by the other files

        mutating func send(_ to: NodeID, _ kind: Message.Kind, term messageTerm: Term? = nil) {
            outbox.append(Message(from: id, to: to, term: messageTerm ?? term, kind: kind))
        }

        mutating func resetElectionTimer() {
            electionElapsed = 0
            randomizedElectionTimeout = config.electionTimeoutTicks
                + Int.random(in: 0..<config.electionTimeoutTicks, using: &rng)
        }

        /// Only voters campaign: a learner or a removed node must not start elections.
        var isPromotable: Bool { configuration.isVoter(id) }

        /// The configuration in force at `index` (for the snapshot taken there).
        func configuration(at index: Index) -> Configuration {
            var i = min(index, log.lastIndex)
            while i > log.snapshotIndex {
                if let entry = log.entry(at: i), entry.kind == .configuration,
                   let decoded = Configuration(encoded: entry.data) { return decoded }
                i -= 1
            }
            return log.snapshot?.metadata.configuration ?? bootstrapConfiguration
        }

        /// After appends, truncations and snapshots: the latest configuration entry wins.
        mutating func recomputeConfiguration() {
            var i = log.lastIndex
            while i > log.snapshotIndex {
                if let entry = log.entry(at: i), entry.kind == .configuration,
                   let decoded = Configuration(encoded: entry.data) {
                    setConfiguration(decoded, index: i)
                    return
                }
                i -= 1
            }
            setConfiguration(log.snapshot?.metadata.configuration ?? bootstrapConfiguration, index: 0)
        }

        mutating func setConfiguration(_ next: Configuration, index: Index) {
            configurationIndex = index
            guard next != configuration else { return }
            configuration = next
            guard role == .leader else { return }
            for member in next.members where member != id && progress[member] == nil {
                progress[member] = Progress(next: log.lastIndex + 1)
            }
            for member in progress.keys.sorted() where !next.members.contains(member) {
                progress[member] = nil
            }
            if let target = transferTarget, !next.isVoter(target) { transferTarget = nil }
        }
    }
}
