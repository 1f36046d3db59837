import YonkeProtocol
import YonkeClient
import Catalog
import Consensus
import RaftStorage
import Foundation
import Logging
import NIOCore
import Synchronization
import Transport
import YonkeCore

/// Hosts Raft (on voters) and the catalog state machine it replicates.
///
/// - Voters (topology role `voter`) run a `Raft.Node`. The initial voter set is
///   the topology's voters at first boot (`config.raftBootstrapVoters`; none for a
///   machine that joined later); after a restart the persisted log and snapshot
///   under `config.raftDirectory` decide (`Raft.FileStorage`). A registered voter
///   outside the configuration is added as a learner and promoted once caught up
///   (`ConsensusService+Registry`).
/// - `run()` ticks Raft every `timing.raftTickMilliseconds`. After every input the
///   actor follows the `Ready` contract synchronously — persist and fsync, then
///   `advance` (the only way to get the messages), queue the messages, restore a
///   received snapshot, apply committed entries to `Catalog.State`, release reads,
///   compact when Raft asks — so no other call can interleave half a Ready.
///   Messages leave through a queue drained by a child task (`peers.sendOneWay`).
/// - Non-voters run no Raft and hold no catalog replica: they learn the master by
///   asking voters (`whoIsMaster`, cached) and relay every catalog operation to it.
/// - The first master of an empty catalog proposes its bootstrap (root, zones
///   bronze/silver/gold, the topology's replication factor).
/// - Waits are bounded by `masterWait` (3 s); past it a caller gets `noQuorum`.
/// - Not done here: removing voters (the bootstrap voter set is not written to
///   the log, so editing the topology's voters later affects only nodes with an
///   empty log), and `read`/`propose` on non-voters (`notMaster`).
///
/// Reads are linearizable by ReadIndex (thesis §6.4, offered by the Raft core):
/// the master confirms with a heartbeat round that it still leads, then the
/// reader waits until its replica has applied the read index. A voter that is
/// not the master gets the read index from the master (follower read).
public actor ConsensusService {
    /// Runs on a control-plane thread, never behind block work (`ControlPlane`).
    private nonisolated let controlExecutor = ControlPlane.executor()
    public nonisolated var unownedExecutor: UnownedSerialExecutor { controlExecutor.asUnownedSerialExecutor() }

    /// How long a proposal or read waits for a master and a quorum.
    static let masterWait = Duration.seconds(3)
    /// Outcomes kept for callers that learn their entry's index after it was applied.
    static let recentOutcomeCount = 1_024

    let context: NodeContext
    let selfID: Raft.NodeID
    var logger: Logger { context.logger }

    /// Nil on a non-voter.
    var raft: Raft.Node?
    private let storage: Raft.FileStorage?
    private(set) var catalog = Catalog.State()
    /// Raft index of the last entry applied to `catalog` (no-ops included).
    private(set) var appliedIndex: Raft.Index = 0
    /// Raft ticks run so far: the node's own clock (tests measure Raft time with it,
    /// which a starved scheduler slows down together with everything else).
    private(set) var tickCount: UInt64 = 0
    /// Snapshots received from a master and loaded (for tests and metrics).
    private(set) var installedSnapshots = 0

    /// Largest `.raft` payload sent as is: one transport frame, less room for headers.
    /// Larger appends are cut; larger snapshots go by reference and are fetched in chunks.
    nonisolated let raftPayloadLimitBytes: Atomic<Int>
    /// The snapshot this node last offered by reference, served by `snapshotChunk`.
    var offeredSnapshot: Raft.Snapshot?
    /// A snapshot being fetched from the master (one at a time).
    var fetching: (index: Raft.Index, task: Task<Void, Never>)?
    /// The catalog decoded from the last received snapshot, checked before Raft saw it
    /// (`admitSnapshot`), so `restore` need not decode it again.
    var admittedSnapshot: (metadata: Raft.SnapshotMetadata, catalog: Catalog.State)?
    /// Received snapshots refused before saving (their catalog does not decode).
    private(set) var refusedSnapshots = 0

    nonisolated let outgoing: AsyncStream<Raft.Message>
    let outbox: AsyncStream<Raft.Message>.Continuation

    private struct Waiter<Value: Sendable> {
        var continuation: CheckedContinuation<Value, any Error>
        var deadline: ContinuousClock.Instant
    }

    private var proposals: [Raft.Index: [(term: Raft.Term, waiter: Waiter<Catalog.Outcome>)]] = [:]
    private var reads: [UInt64: Waiter<Raft.Index?>] = [:]
    private var applyWaiters: [(index: Raft.Index, waiter: Waiter<Void>)] = []
    private var recentOutcomes: [Raft.Index: (term: Raft.Term, outcome: Result<Catalog.Outcome, RPCFailure>)] = [:]
    private var recentOrder: [Raft.Index] = []
    private var nextReadContext: UInt64 = 1
    private var bootstrapProposedInTerm: Raft.Term = 0
    /// Jobs the master is handing to a node right now (one dispatch per job at a time).
    var dispatchingJobs: Set<String> = []
    var dispatchCounter: UInt64 = 0
    var registrySeedProposedInTerm: Raft.Term = 0
    var adminSeedProposedInTerm: Raft.Term = 0
    /// An applied entry or a restored snapshot may have changed the machine registry.
    var registryDirty = true
    var lastVoterReconcileTick: UInt64 = 0
    private var masterWatchers: [UInt64: AsyncStream<MasterTerm?>.Continuation] = [:]
    private var nextWatcherID: UInt64 = 0
    private var announcedMaster: MasterTerm?
    var stopped = false
    private var storageFailure: Raft.StorageError?

    /// What a non-voter last heard from a voter.
    var learned: (master: String?, term: UInt64, commitIndex: UInt64) = (nil, 0, 0)

    init(context: NodeContext) throws {
        self.context = context
        selfID = Raft.NodeID(context.config.name)
        raftPayloadLimitBytes = Atomic(max(4_096, context.settings.limits.maxFrameBytes - 4_096))
        (outgoing, outbox) = AsyncStream.makeStream(of: Raft.Message.self, bufferingPolicy: .bufferingNewest(16_384))
        guard context.config.machine.isVoter else {
            raft = nil
            storage = nil
            return
        }
        let storage = try Raft.FileStorage(directory: context.config.raftDirectory)
        let timing = context.config.timing
        // The Raft paper's LAN figures in ticks: elections after 150–300 ms, heartbeats every 50 ms.
        let tickMilliseconds = max(1, timing.raftTickMilliseconds)
        let heartbeatTicks = max(1, 50 / tickMilliseconds)
        let config = Raft.Config(
            electionTimeoutTicks: max(heartbeatTicks + 2, 150 / tickMilliseconds), heartbeatTicks: heartbeatTicks,
            // A transport frame is ~1 MiB: keep append batches well under it.
            maxEntriesPerMessage: 32, snapshotThresholdEntries: max(2, timing.raftSnapshotThresholdEntries))
        let voters = context.config.raftBootstrapVoters.map { Raft.NodeID($0) }
        if let snapshot = storage.state.snapshot {
            catalog = try Catalog.State(snapshot: snapshot.data)
            appliedIndex = snapshot.metadata.index
        }
        raft = Raft.Node(
            id: selfID, config: config, bootstrap: Raft.Configuration(voters: voters), restoring: storage.state,
            generator: SeededGenerator(seed: UInt64.random(in: 0...UInt64.max)))
        self.storage = storage
    }

    // MARK: Interface for the other services

    /// The current master's name if known.
    public var masterName: String? { raft == nil ? learned.master : raft?.leader?.name }

    public var isMaster: Bool { raft?.role == .leader }

    /// The master and the term it leads in, if known. A re-election of the same
    /// machine is a new term: its block ledger starts empty, so it is a change.
    public var masterTerm: MasterTerm? {
        guard let raft else { return learned.master.map { MasterTerm(name: $0, term: learned.term) } }
        return raft.leader.map { MasterTerm(name: $0.name, term: raft.term) }
    }

    public func raftStatus() -> (term: UInt64, commitIndex: UInt64, role: String, master: String?) {
        guard let raft else { return (learned.term, learned.commitIndex, "nonVoter", learned.master) }
        return (raft.term, raft.commitIndex, raft.role.rawValue, raft.leader?.name)
    }

    /// On the master: append, wait until committed and applied, return the outcome.
    /// On another voter: forward to the master, then wait until this replica has
    /// applied the entry too (so the caller reads its own write here). On a
    /// non-voter: refused (`notMaster`), since it holds no replica to compute the
    /// outcome with — client operations are relayed whole instead (`CatalogOps`).
    public func propose(_ command: Catalog.Command) async throws -> Catalog.Outcome {
        let deadline = ContinuousClock.now + Self.masterWait
        guard raft != nil else {
            throw RPCFailure(.notMaster, "\(selfID) is not a voter and holds no catalog replica: use a catalog operation")
        }
        let data = command.encoded()
        while true {
            if isMaster {
                switch proposeAsLeader(data, deadline: deadline) {
                case .success(let (index, term)):
                    return try await outcome(index: index, term: term, deadline: deadline)
                case .failure(let failure):
                    if failure.code != .notMaster { throw failure }
                }
            } else if let master = masterName, master != selfID.name, let link = await link(to: master, deadline: deadline) {
                do {
                    var reply = try await link.call(
                        op: CatalogOps.Op.propose.rawValue, payload: ByteBuffer(bytes: data), timeout: remaining(deadline))
                    let index: Raft.Index = try reply.readWireInteger("index")
                    let term: Raft.Term = try reply.readWireInteger("term")
                    return try await outcome(index: index, term: term, deadline: deadline)
                } catch let failure as RPCFailure where failure.code == .notMaster {
                    // Refused before appending: safe to retry with whoever leads now.
                } catch let failure as RPCFailure where failure.code == .timeout {
                    throw Self.noQuorum
                }
            }
            try await pause(until: deadline)
        }
    }

    /// Runs `body` on a catalog that reflects every write acknowledged before the call.
    /// On voters only (a non-voter holds no replica: `notMaster`).
    public func read<T: Sendable>(_ body: @Sendable (Catalog.State) -> T) async throws -> T {
        let deadline = ContinuousClock.now + Self.masterWait
        guard raft != nil else {
            throw RPCFailure(.notMaster, "\(selfID) is not a voter and holds no catalog replica: use a catalog operation")
        }
        let index = try await readIndex(deadline: deadline)
        try await waitApplied(through: index, deadline: deadline)
        return body(catalog)
    }

    /// The master and its term now, then each time either changes (nil while
    /// unknown); ends when the node stops. For services that react to a new
    /// master term (e.g. a full block report to it). A slow consumer sees only
    /// the latest value.
    public func masterChanges() -> AsyncStream<MasterTerm?> {
        let (stream, continuation) = AsyncStream.makeStream(of: MasterTerm?.self, bufferingPolicy: .bufferingNewest(1))
        guard !stopped else {
            continuation.finish()
            return stream
        }
        let id = nextWatcherID
        nextWatcherID += 1
        masterWatchers[id] = continuation
        continuation.yield(masterTerm)
        continuation.onTermination = { _ in Task { await self.removeWatcher(id) } }
        return stream
    }

    private func removeWatcher(_ id: UInt64) { masterWatchers[id] = nil }

    func announceMasterIfChanged() {
        let current = masterTerm
        guard current != announcedMaster else { return }
        announcedMaster = current
        for id in masterWatchers.keys.sorted() { masterWatchers[id]?.yield(current) }
        // The term lets `yonke chaos check` verify at most one master per term from the logs.
        logger.info("master changed", metadata: ["master": "\(current?.name ?? "unknown")", "term": "\(raftStatus().term)"])
    }

    // MARK: Running

    func run() async throws {
        defer { stop() }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.sendOutgoing() }
            if self.raft != nil {
                group.addTask { try await self.tickLoop() }
            } else {
                group.addTask { try await self.learnMasterLoop() }
            }
        }
    }

    func tickLoop() async throws {
        let period = Duration.milliseconds(max(1, context.config.timing.raftTickMilliseconds))
        var next = ContinuousClock.now
        while true {
            next += period
            // After a stall, do not replay a burst of ticks: that would fire elections at once.
            if ContinuousClock.now > next + period * 5 { next = ContinuousClock.now + period }
            try await Task.sleep(until: next, clock: .continuous)
            guard !stopped else { return }
            tickCount += 1
            raft?.tick()
            processReady()
            expireWaiters()
            proposeBootstrapIfNeeded()
            proposeRegistrySeedIfNeeded()
            proposeAdminSeedIfNeeded()
            reconcileVotersIfDue()
            scheduleJobsIfDue()
            if let storageFailure {
                logger.critical("raft storage failed; stopping the node", metadata: ["error": "\(storageFailure)"])
                throw storageFailure
            }
        }
    }

    func stop() {
        stopped = true
        fetching?.task.cancel()
        for id in masterWatchers.keys.sorted() { masterWatchers[id]?.finish() }
        masterWatchers = [:]
        outbox.finish()
        let failure = RPCFailure(.unavailable, "\(selfID) stopped")
        for (_, list) in proposals { for (_, waiter) in list { waiter.continuation.resume(throwing: failure) } }
        for (_, waiter) in reads { waiter.continuation.resume(throwing: failure) }
        for (_, waiter) in applyWaiters { waiter.continuation.resume(throwing: failure) }
        proposals = [:]
        reads = [:]
        applyWaiters = []
    }

    func onRaftMessage(_ payload: ByteBuffer, from peer: Peer) async {
        guard !stopped, raft != nil else { return }
        let message: Raft.Message
        do {
            switch try RaftWire.decodeEnvelope(payload) {
            case .message(let decoded): message = decoded
            case .snapshotReference(let reference):
                guard reference.from.name == peer.name, reference.to == selfID else { return }
                startFetching(reference)
                return
            }
        } catch {
            logger.warning("dropped a malformed raft message", metadata: ["peer": "\(peer.name)", "error": "\(error)"])
            return
        }
        // The link authenticated the sender: a message claiming another origin is forged.
        guard message.from.name == peer.name, message.to == selfID else {
            logger.warning("dropped a raft message with wrong addresses",
                           metadata: ["peer": "\(peer.name)", "from": "\(message.from)", "to": "\(message.to)"])
            return
        }
        if case .installSnapshot(let snapshot) = message.kind, !admitSnapshot(snapshot, from: peer.name) { return }
        raft?.step(.receive(message))
        processReady()
    }

    /// A received snapshot is saved by Raft before it is loaded, and loaded again at every
    /// start: one whose catalog does not decode would stop this node for good. So it is
    /// decoded first, and refused (the master offers it again, or a forger gives up) when
    /// it does not.
    func admitSnapshot(_ snapshot: Raft.Snapshot, from peer: String) -> Bool {
        do {
            admittedSnapshot = (snapshot.metadata, try Catalog.State(snapshot: snapshot.data))
            return true
        } catch {
            refusedSnapshots += 1
            logger.warning("refused a received snapshot whose catalog does not decode", metadata: [
                "peer": "\(peer)", "index": "\(snapshot.metadata.index)", "bytes": "\(snapshot.data.count)", "error": "\(error)",
            ])
            return false
        }
    }

    // MARK: The Ready contract

    /// Persist, release messages, apply, serve reads, compact — without suspending.
    func processReady() {
        processReadyBatches()
        publishRegistryIfChanged()
        announceMasterIfChanged()
    }

    private func processReadyBatches() {
        // Each pass consumes the work; a bound keeps a bug from spinning the actor.
        for _ in 0..<64 {
            guard storageFailure == nil, let storage, let ready = raft?.ready(), !ready.isEmpty else { return }
            do {
                try storage.save(ready)
            } catch {
                storageFailure = error
                return
            }
            for message in raft?.advance(ready) ?? [] { outbox.yield(message) }
            if let snapshot = ready.snapshotToApply { restore(snapshot) }
            for entry in ready.committedEntries { apply(entry) }
            for state in ready.readStates {
                reads.removeValue(forKey: state.context)?.continuation.resume(returning: state.index)
            }
            if ready.role != .leader {
                // Reads pending on a former leader will never be confirmed: let them retry.
                for (_, waiter) in reads { waiter.continuation.resume(returning: nil) }
                reads = [:]
            }
            if let index = ready.snapshotRequest {
                guard index == appliedIndex else {
                    // Raft asks again with the next Ready; do not spin on it now.
                    logger.error("snapshot requested at \(index) but the catalog is at \(appliedIndex)")
                    return
                }
                raft?.compact(through: index, data: catalog.snapshot())
                logger.debug("catalog snapshot taken", metadata: ["index": "\(index)"])
            }
        }
    }

    private func restore(_ snapshot: Raft.Snapshot) {
        do {
            if let admitted = admittedSnapshot, admitted.metadata == snapshot.metadata {
                catalog = admitted.catalog
            } else {
                catalog = try Catalog.State(snapshot: snapshot.data)
            }
            admittedSnapshot = nil
        } catch {
            // Raft already made it durable: this replica cannot follow the log any more.
            logger.critical("received catalog snapshot does not decode", metadata: ["error": "\(error)"])
            storageFailure = .corruptFile(path: "received snapshot \(snapshot.metadata.index)", detail: "\(error)")
            return
        }
        appliedIndex = snapshot.metadata.index
        installedSnapshots += 1
        registryDirty = true
        let unknown = RPCFailure(.unavailable, "this replica caught up by snapshot; the outcome of the change is unknown")
        for index in proposals.keys.sorted() where index <= snapshot.metadata.index {
            for (_, waiter) in proposals.removeValue(forKey: index) ?? [] { waiter.continuation.resume(throwing: unknown) }
        }
        releaseApplyWaiters()
    }

    private func apply(_ entry: Raft.Entry) {
        guard entry.index > appliedIndex else { return }
        appliedIndex = entry.index
        var result: Result<Catalog.Outcome, RPCFailure>?
        if entry.kind == .normal, !entry.data.isEmpty {
            do {
                let command = try Catalog.Command.decode(entry.data)
                if command.changesRegistry { registryDirty = true }
                result = .success(catalog.apply(command, index: entry.index))
            } catch {
                // Fails identically on every replica: a refused no-op, never a stop.
                logger.error("committed entry does not decode", metadata: ["index": "\(entry.index)", "error": "\(error)"])
                result = .failure(RPCFailure(.malformed, "log entry \(entry.index) does not decode: \(error)"))
            }
        }
        if let result {
            recentOutcomes[entry.index] = (entry.term, result)
            recentOrder.append(entry.index)
            if recentOrder.count > Self.recentOutcomeCount { recentOutcomes[recentOrder.removeFirst()] = nil }
        }
        for (term, waiter) in proposals.removeValue(forKey: entry.index) ?? [] {
            if term == entry.term, let result {
                waiter.continuation.resume(with: result.mapError { $0 as any Error })
            } else {
                waiter.continuation.resume(throwing: Self.replaced(entry.index))
            }
        }
        releaseApplyWaiters()
    }

    private static func replaced(_ index: Raft.Index) -> RPCFailure {
        RPCFailure(.unavailable, "the change at log index \(index) was replaced after a master change and not applied; retry")
    }

    private func releaseApplyWaiters() {
        guard applyWaiters.contains(where: { $0.index <= appliedIndex }) else { return }
        let (ready, waiting) = (applyWaiters.filter { $0.index <= appliedIndex }, applyWaiters.filter { $0.index > appliedIndex })
        applyWaiters = waiting
        for (_, waiter) in ready { waiter.continuation.resume() }
    }

    private func expireWaiters() {
        let now = ContinuousClock.now
        for index in proposals.keys.sorted() {
            let list = proposals[index] ?? []
            let expired = list.filter { $0.waiter.deadline <= now }
            guard !expired.isEmpty else { continue }
            proposals[index] = list.filter { $0.waiter.deadline > now }
            if proposals[index]?.isEmpty == true { proposals[index] = nil }
            for (_, waiter) in expired { waiter.continuation.resume(throwing: Self.noQuorum) }
        }
        for context in reads.keys.sorted() where (reads[context]?.deadline ?? now) <= now {
            reads.removeValue(forKey: context)?.continuation.resume(throwing: Self.noQuorum)
        }
        let expired = applyWaiters.filter { $0.waiter.deadline <= now }
        if !expired.isEmpty {
            applyWaiters = applyWaiters.filter { $0.waiter.deadline > now }
            for (_, waiter) in expired { waiter.continuation.resume(throwing: Self.noQuorum) }
        }
    }

    static let noQuorum = RPCFailure(.noQuorum, "no quorum: this node is in a minority partition or no master is elected")

    /// The first master of an empty catalog makes the root and the zones. Only once
    /// it has committed in its term and applied everything, so an earlier
    /// bootstrap is already visible and a second one is not even proposed.
    private func proposeBootstrapIfNeeded() {
        guard let node = raft, node.role == .leader, !catalog.isBootstrapped, bootstrapProposedInTerm != node.term,
              node.term(at: node.commitIndex) == node.term, appliedIndex >= node.commitIndex else { return }
        bootstrapProposedInTerm = node.term
        let cluster = context.config.topology.cluster
        let replicas = min(max(cluster.replicationFactor, 1), Catalog.ReplicationPolicy.maxReplicas)
        let command = Catalog.Command.bootstrap(
            clusterName: cluster.name,
            policy: Catalog.ReplicationPolicy(hotReplicas: replicas, coldReplicas: replicas, glacierReplicas: replicas),
            epochMillis: Self.nowEpochMillis())
        if case .failure(let error)? = raft?.step(.propose(command.encoded())) {
            logger.notice("could not propose the catalog bootstrap", metadata: ["error": "\(error)"])
        }
        processReady()
        logger.info("master proposed the catalog bootstrap", metadata: ["cluster": "\(cluster.name)", "term": "\(node.term)"])
    }

    static func nowEpochMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    // MARK: Proposals and reads

    /// Appends on this leader. `.notMaster` when it does not lead (retry elsewhere).
    func proposeAsLeader(_ data: [UInt8], deadline: ContinuousClock.Instant) -> Result<(Raft.Index, Raft.Term), RPCFailure> {
        guard let result = raft?.step(.propose(data)) else { return .failure(RPCFailure(.notMaster, "\(selfID) runs no Raft")) }
        switch result {
        case .success(let index):
            let term = raft?.term ?? 0
            processReady()
            return .success((index, term))
        case .failure(.notLeader(let known)):
            return .failure(RPCFailure(.notMaster, "\(selfID) is not the master (master: \(known?.name ?? "unknown"))"))
        case .failure(.overloaded):
            return .failure(RPCFailure(.unavailable, "the master has too many uncommitted changes; retry shortly"))
        case .failure(let other):
            return .failure(RPCFailure(.unavailable, "the master refused the change for now (\(other)); retry"))
        }
    }

    /// Waits until this replica applies `index`; the entry must still be the one of `term`.
    func outcome(index: Raft.Index, term: Raft.Term, deadline: ContinuousClock.Instant) async throws -> Catalog.Outcome {
        if index <= appliedIndex {
            guard let recent = recentOutcomes[index], recent.term == term else { throw Self.replaced(index) }
            return try recent.outcome.get()
        }
        return try await withCheckedThrowingContinuation { continuation in
            proposals[index, default: []].append((term, Waiter(continuation: continuation, deadline: deadline)))
        }
    }

    private func waitApplied(through index: Raft.Index, deadline: ContinuousClock.Instant) async throws {
        guard index > appliedIndex else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            applyWaiters.append((index, Waiter(continuation: continuation, deadline: deadline)))
        }
    }

    /// A linearizable read point: ReadIndex here when leading, else from the master.
    private func readIndex(deadline: ContinuousClock.Instant) async throws -> Raft.Index {
        while true {
            if isMaster {
                if let index = try await readIndexAsLeader(deadline: deadline) { return index }
            } else if let master = masterName, master != selfID.name, let link = await link(to: master, deadline: deadline) {
                do {
                    var reply = try await link.call(
                        op: CatalogOps.Op.readIndex.rawValue, payload: ByteBuffer(), timeout: remaining(deadline))
                    return try reply.readWireInteger("read index")
                } catch let failure as RPCFailure where [.notMaster, .unavailable, .timeout].contains(failure.code) {
                    // A read has no effect: always safe to retry (until the deadline).
                }
            }
            try await pause(until: deadline)
        }
    }

    /// nil: refused for now (not leading any more, or no commit in this term yet).
    func readIndexAsLeader(deadline: ContinuousClock.Instant) async throws -> Raft.Index? {
        let context = nextReadContext
        nextReadContext += 1
        return try await withCheckedThrowingContinuation { continuation in
            reads[context] = Waiter(continuation: continuation, deadline: deadline)
            raft?.step(.readIndex(context: context))
            processReady()
            if raft == nil { reads.removeValue(forKey: context)?.continuation.resume(returning: nil) }
        }
    }
}
