import YonkeProtocol
import YonkeClient
import BlockCodec
import BlockStore
import Catalog
import Foundation
import Logging
import NIOCore
import Placement
import Synchronization
import Topology
import Transport
import YonkeCore

/// Hosts the node's block stores (one per disk of the topology) and the data
/// plane: replicated block writes down a pipeline, block reads, block reports
/// to the master, and (on the master) the block map and capacity figures.
///
/// - Streams (`handleStream`, see `BlockStream`) run outside the actor, one
///   task per link; they only touch the stores (thread-safe) and tell the actor
///   when a block was stored.
/// - Reports: at start, whenever the master or its term changes, and every
///   `fullReportEveryIntervals` intervals a full report; every
///   `blockReportIntervalMilliseconds` the usage; after each stored block an
///   addition. Reports go to the master (`consensus.masterName`) as one-way
///   `.blockReport` messages; the master's own go straight into its ledger.
/// - Requests (`BlockOps`) are answered by the master, forwarded there by others.
public actor BlockService {
    struct LocalDisk: Sendable {
        let disk: Topology.Disk
        let store: BlockStore
    }

    let context: NodeContext
    nonisolated let disks: [LocalDisk]
    private nonisolated let tuning: Mutex<(timing: BlockTiming, fault: BlockStreamFault?)>

    /// Every sixth report is a full one: a lost addition is repaired within
    /// half a minute at the LAN interval of 5 s.
    var fullReportEveryIntervals = 6
    private var reportedMaster: MasterTerm?
    private var intervalsSinceFull = 0
    /// Master only.
    var ledger = BlockLedger()
    /// The master term the ledger was started in (see `startLedgerIfNewTerm`).
    private var ledgerTerm: UInt64?
    var placementCache: [Placement.Tier: PlacementCacheEntry] = [:]
    /// Master only: healing and rebalancing (`BlockService+Rebalancer`).
    var rebalancer: RebalancerState
    /// Replicas a user reported corrupt whose holder is checking them now.
    var pendingReportChecks: Set<Rebalance.Replica> = []
    /// Paces this node's outgoing replication copies (`BlockService+Moves`).
    nonisolated let copyPacing: Mutex<TokenBucket>
    /// Origin of the millisecond clock the pure cores are fed.
    nonisolated let clockOrigin = ContinuousClock.now

    init(context: NodeContext) throws {
        self.context = context
        var disks: [LocalDisk] = []
        // For the scrubber's decode check only: writes never decode (the codec is not on their path).
        // Nil until the node has rebuilt the keyring (`YonkeNode.unlockKeys` installs it then).
        let codec = try context.keys.unlocked.map { try BlockCodec(keyring: $0.keyring) }
        for disk in context.config.machine.disks {
            let path = context.config.diskPath(disk)
            do {
                try DataFolder.create(path)
            } catch {
                throw NodeError.invalidConfig("cannot create disk folder \(path): \(error)")
            }
            disks.append(LocalDisk(disk: disk, store: try BlockStore(root: path, capacityBytes: disk.capacityBytes, codec: codec)))
        }
        self.disks = disks
        tuning = Mutex((.lan, nil))
        let settings = context.config.rebalanceSettings
        rebalancer = RebalancerState(settings: settings)
        copyPacing = Mutex(TokenBucket(bytesPerSecond: settings.bytesPerSecond, burstBytes: settings.bytesPerSecond, nowMilliseconds: 0))
    }

    nonisolated var nowMilliseconds: Int64 {
        let elapsed = ContinuousClock.now - clockOrigin
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }

    nonisolated var timing: BlockTiming { tuning.withLock { $0.timing } }
    nonisolated var streamFault: BlockStreamFault? { tuning.withLock { $0.fault } }

    /// Tests: shorter timeouts, injected stream faults.
    nonisolated func setTiming(_ timing: BlockTiming) { tuning.withLock { $0.timing = timing } }
    nonisolated func injectStreamFault(_ fault: BlockStreamFault?) { tuning.withLock { $0.fault = fault } }

    /// Tests: how many report intervals between full reports.
    func setFullReportEveryIntervals(_ count: Int) { fullReportEveryIntervals = max(1, count) }

    /// Usage of this node's disks, in topology order.
    public nonisolated var diskUsage: [BlockStore.Usage] { disks.map(\.store.usage) }
    public nonisolated func holds(_ id: BlockID) -> Bool { disks.contains { $0.store.contains(id) } }

    // MARK: Running

    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.runReports() }
            group.addTask { try await self.runRebalancer() }
        }
    }

    private func runReports() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                for await master in await self.context.consensus.masterChanges() { await self.onMasterChanged(master) }
            }
            group.addTask { try await self.runPeriodicReports() }
        }
    }

    /// A new master, or the same one re-elected in a new term (its ledger starts
    /// empty): it gets this node's full report at once.
    private func onMasterChanged(_ master: MasterTerm?) async {
        reportedMaster = master
        guard master != nil else { return }
        await startLedgerIfNewTerm()
        await sendFullReport()
    }

    /// Usage every interval, a full report every `fullReportEveryIntervals`.
    private func runPeriodicReports() async throws {
        let interval = Duration.milliseconds(context.config.timing.blockReportIntervalMilliseconds)
        while true {
            try await Task.sleep(for: interval)
            guard reportedMaster != nil else { continue }
            if intervalsSinceFull + 1 >= fullReportEveryIntervals {
                await sendFullReport()
            } else {
                intervalsSinceFull += 1
                await send(BlockReport(isFull: false, disks: reportDisks(), blocks: []))
            }
        }
    }

    /// The ledger is one master term's: a node that becomes master starts it
    /// empty and asks every other storage machine for its full report (they
    /// send one when they see the new term too; whichever comes first counts).
    /// Done at the first report it handles as master too: a peer that learned
    /// of the new term first may already have sent its full report.
    func startLedgerIfNewTerm() async {
        let status = await context.consensus.raftStatus()
        guard status.master == context.config.name, ledgerTerm != status.term else { return }
        ledgerTerm = status.term
        ledger = BlockLedger()
        rebalancer.lastHeard = [:]
        for machine in storageMachines() where machine.name != context.config.name {
            await context.peers.sendOneWay(to: machine.name, channel: .blockReport, payload: BlockReport.fullReportRequest())
        }
    }

    /// Live storage machines whose full report this master term has not had yet:
    /// until they report, the ledger under-counts their replicas.
    func reportsPending(among alive: [Topology.Machine]) -> [String] {
        alive.map(\.name).filter { ledger.usage[$0] == nil }
    }

    nonisolated func reportDisks() -> [BlockReport.Disk] {
        disks.map { local in
            let usage = local.store.usage
            return BlockReport.Disk(diskClass: local.disk.diskClass, capacityBytes: usage.capacityBytes,
                                    usedBytes: usage.usedBytes, blockCount: usage.blockCount)
        }
    }

    private func sendFullReport() async {
        intervalsSinceFull = 0
        let held = disks.flatMap { $0.store.blockReport() }.sorted()
        for part in BlockReport.fullReportParts(disks: reportDisks(), blocks: held) { await send(part) }
    }

    /// A block just became durable here (from a write stream).
    func onStored(_ id: BlockID) async {
        await send(BlockReport(isFull: false, disks: reportDisks(), blocks: [id]))
    }

    /// A block was deleted here (at the master's request).
    func onRemoved(_ id: BlockID) async {
        await send(BlockReport(isFull: false, disks: reportDisks(), blocks: [], removed: [id]))
    }

    private func send(_ report: BlockReport) async {
        // Gossip carries usage at the report interval, not per block: each
        // change is a new incarnation that SWIM spreads to every member.
        if report.isFull || report.blocks.isEmpty {
            await context.membership.updateLocalUsage(capacityBytes: report.capacityBytes, usedBytes: report.usedBytes)
        }
        guard let master = reportedMaster?.name else { return }
        if master == context.config.name {
            await startLedgerIfNewTerm()
            ledger.apply(report, from: master)
            rebalancer.lastHeard[master] = nowMilliseconds
        } else {
            await context.peers.sendOneWay(to: master, channel: .blockReport, payload: report.encoded())
        }
    }

    func onBlockReport(_ payload: ByteBuffer, from peer: Peer) async {
        if BlockReport.isFullReportRequest(payload) {
            // From the master of a term this node may not have seen yet.
            if peer.name != reportedMaster?.name, let current = await context.consensus.masterTerm, current.name == peer.name {
                reportedMaster = current
            }
            if peer.name == reportedMaster?.name { await sendFullReport() }
            return
        }
        do {
            let report = try BlockReport.decode(payload)
            await startLedgerIfNewTerm()
            rebalancer.lastHeard[peer.name] = nowMilliseconds
            let outcome = ledger.apply(report, from: peer.name)
            if outcome.refused > 0 {
                context.logger.warning("block report beyond the per-node bound; the extra blocks are not recorded", metadata: [
                    "peer": "\(peer.name)", "refused": "\(outcome.refused)", "maxBlocksPerNode": "\(BlockMap.maxBlocksPerNode)",
                ])
            }
            if !outcome.known {
                await context.peers.sendOneWay(to: peer.name, channel: .blockReport, payload: BlockReport.fullReportRequest())
            }
        } catch {
            context.logger.notice("dropped a malformed block report", metadata: ["peer": "\(peer.name)", "error": "\(error)"])
        }
    }

    // MARK: Requests

    func handleRequest(_ op: BlockOps.Op, forwarded: Bool, payload: ByteBuffer, from peer: Peer) async throws -> ByteBuffer {
        if op.isHolderOperation { return try await serveHolder(op, payload: payload, from: peer.name) }
        if op == .reportCorrupt, case .user(let user, _)? = context.registry.principal(for: peer) {
            return try await checkUserReport(payload, user: user)
        }
        guard await context.consensus.isMaster else {
            if forwarded {
                throw RPCFailure(.notMaster, "\(context.config.name) is not the master (any more); retry")
            }
            guard let master = await context.consensus.masterName, master != context.config.name else {
                throw RPCFailure(.unavailable, "\(context.config.name) knows no master yet; retry shortly")
            }
            do {
                return try await context.peers.call(
                    master, op: op.rawValue | BlockOps.forwardedBit, payload: payload,
                    timeout: .milliseconds(Int64(context.config.timing.requestTimeoutMilliseconds)))
            } catch let failure as RPCFailure where failure.code == .timeout {
                // As catalog requests relayed to a silent master: the client moves on and says why.
                throw ConsensusService.noQuorum
            }
        }
        switch op {
        case .placement:
            let request = try BlockOps.PlacementRequest.decode(payload)
            var reply = ByteBuffer()
            BlockOps.encodeTargets(try await placement(request), into: &reply)
            return reply
        case .locations:
            return BlockOps.encodeLocations(await locations(try BlockOps.decodeIDs(payload)))
        case .capacity:
            return await capacityReport().json()
        case .rebalancePlan:
            return try await rebalanceReport().json()
        case .setMachineState:
            return try await onSetMachineState(payload).json()
        case .reportCorrupt:
            var buffer = payload
            let id = try buffer.readWireBlockID("corrupt block")
            let node = try buffer.readWireString("corrupt replica node", maxBytes: BlockStream.maxNameBytes)
            let reason = try buffer.readWireString("corrupt reason")
            try buffer.expectFullyRead("corrupt report")
            onCorruptReplica(id, node: node, reason: reason, reporter: peer.name)
            return ByteBuffer()
        case .replicate, .deleteReplica, .collectGarbage, .verifyReplica:
            return try await serveHolder(op, payload: payload, from: peer.name)
        }
    }

    /// A holder operation the master sent this node.
    func serveHolder(_ op: BlockOps.Op, payload: ByteBuffer, from master: String) async throws -> ByteBuffer {
        switch op {
        case .replicate: try await onReplicate(payload, from: master)
        case .deleteReplica: try await onDeleteReplica(payload, from: master)
        case .collectGarbage: try await onCollectGarbage(payload, from: master)
        case .verifyReplica: try await onVerifyReplica(payload)
        case .placement, .locations, .capacity, .reportCorrupt, .rebalancePlan, .setMachineState:
            throw RPCFailure(.malformed, "\(op) is not a holder operation")
        }
    }

    /// Master: a replica failed verification (a reader's or its own node's scrubber); stop counting it.
    func onCorruptReplica(_ id: BlockID, node: String, reason: String, reporter: String) {
        ledger.map.onBlocksRemoved(node: node, blocks: [id])
        // Its next full report would list the bad copy again: keep it out until it is deleted.
        rebalancer.corrupt.insert(Rebalance.Replica(block: id, node: node))
        context.logger.warning("replica reported corrupt; no longer counted", metadata: [
            "block": "\(id.short)", "replica": "\(node)", "reporter": "\(reporter)", "reason": "\(reason)"])
    }

    nonisolated func handleStream(first: Transport.Message, inbound: Connection.Inbound.AsyncIterator, connection: Connection) async throws {
        try await serveStream(first: first, inbound: inbound, connection: connection)
    }
}
