import YonkeProtocol
import YonkeClient
import Catalog
import Foundation
import Logging
import NIOCore
import Placement
import Topology
import YonkeCore

/// The master's healing and rebalancing state (soft: a new master starts
/// afresh and waits for every live machine's full block report).
struct RebalancerState: Sendable {
    var scheduler: Rebalance.Scheduler
    /// Who is down since when (ms of `BlockService.nowMilliseconds`), when the live set changed.
    var liveness = Rebalance.Liveness()
    /// Non-active machines, from the catalog.
    var machineStates: [String: Catalog.MachineState] = [:]
    /// Replicas a reader or a scrubber found corrupt: not counted, and deleted
    /// (by the scheduler) once their block is back at its target elsewhere.
    var corrupt: Set<Rebalance.Replica> = []
    /// Last block report per node (ms of `nowMilliseconds`).
    var lastHeard: [String: Int64] = [:]
    /// The last round's inputs, for reports between rounds.
    var lastInputs: Rebalance.Scheduler.Inputs?
    var bytesPerSecond: Int64
    var garbage: Rebalance.GarbageTracker

    init(settings: RebalanceSettings) {
        scheduler = Rebalance.Scheduler(config: .init(
            graceMilliseconds: settings.graceMilliseconds, bytesPerSecond: settings.bytesPerSecond,
            copiesPerMachineMax: settings.copiesPerMachineMax))
        bytesPerSecond = settings.bytesPerSecond
        garbage = Rebalance.GarbageTracker(graceMilliseconds: settings.garbageGraceMilliseconds)
    }

    /// This node stopped being master: everything above is one master's.
    mutating func reset() {
        scheduler.reset()
        liveness = Rebalance.Liveness()
        lastInputs = nil
        garbage.reset()
    }

    func isCorrupt(_ block: BlockID, on node: String) -> Bool {
        !corrupt.isEmpty && corrupt.contains(Rebalance.Replica(block: block, node: node))
    }
}

extension BlockService {
    static let rebalanceRoundInterval: Duration = .milliseconds(250)
    /// Between rounds when nothing moves: planning all blocks is not free on a large catalog.
    static let rebalanceIdleInterval: Duration = .seconds(1)

    /// On the master: one scheduler round every 250 ms (heal first, then
    /// balance). Each copy or delete runs as a child task of this loop and
    /// reports back to the scheduler when it ends.
    func runRebalancer() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            var idle = false
            while true {
                try await Task.sleep(for: idle ? Self.rebalanceIdleInterval : Self.rebalanceRoundInterval)
                idle = false
                guard await context.consensus.isMaster else {
                    if rebalancer.lastInputs != nil || !rebalancer.scheduler.inFlight.isEmpty {
                        rebalancer.reset()
                    }
                    continue
                }
                guard let inputs = await gatherInputs() else { continue }
                rebalancer.lastInputs = inputs
                let actions = rebalancer.scheduler.step(inputs, nowMilliseconds: nowMilliseconds)
                idle = actions.isEmpty && rebalancer.scheduler.inFlight.isEmpty
                for action in actions {
                    context.logger.info("rebalance step", metadata: action.logMetadata)
                    group.addTask { await self.perform(action) }
                }
                for (block, holders) in garbageDue(inputs) {
                    idle = false
                    group.addTask { await self.collectGarbage(block, holders: holders) }
                }
            }
        }
    }

    /// Why a new master cannot plan yet, or nil when every live machine has reported.
    private func missingReports(alive: [Topology.Machine]) -> String? {
        let silent = reportsPending(among: alive)
        return silent.isEmpty ? nil : "full block reports from \(silent.joined(separator: ", "))"
    }

    /// The scheduler's view: the catalog's blocks, the block map, who is up.
    /// Nil while the catalog cannot be read or a live machine has not sent its full report.
    func gatherInputs() async -> Rebalance.Scheduler.Inputs? {
        guard let (blocks, states) = try? await context.consensus.read({ state in
            (state.allBlocks(), state.nonActiveMachines)
        }) else { return nil }
        rebalancer.machineStates = Dictionary(states.map { ($0.name, $0.state) }, uniquingKeysWith: { a, _ in a })
        let now = nowMilliseconds
        let alive = await aliveWorkers()
        let aliveNames = Set(alive.map(\.name))
        let members = memberMachines()
        let grace = rebalancer.scheduler.config.graceMilliseconds
        for name in rebalancer.liveness.observe(members: members.map(\.name), alive: aliveNames, nowMilliseconds: now) {
            context.logger.notice("storage machine down; its blocks wait for the grace period", metadata: [
                "machine": "\(name)", "graceMilliseconds": "\(grace)"])
        }
        guard missingReports(alive: alive) == nil else { return nil }
        // Machines in their grace period stay in the map, so a reboot moves nothing.
        let downSince = rebalancer.liveness.downSinceMilliseconds
        let placed = members.filter { machine in
            aliveNames.contains(machine.name)
                || Rebalance.Liveness.isWaiting(machine.name, alive: aliveNames, downSince: downSince,
                                                nowMilliseconds: now, graceMilliseconds: grace)
        }
        let memberNames = Set(members.map(\.name))
        let catalogBlocks = Set(blocks.map(\.id))
        // A corrupt copy of a block no file references any more is garbage, not a repair.
        rebalancer.corrupt = rebalancer.corrupt.filter { catalogBlocks.contains($0.block) }
        var maps: [Placement.Tier: Placement.Map] = [:]
        var entries: [Rebalance.Scheduler.Block] = []
        entries.reserveCapacity(blocks.count)
        let corruptNodes = Dictionary(grouping: rebalancer.corrupt, by: \.block).mapValues { Set($0.map(\.node)) }
        for block in blocks {
            let tier = effectiveTier(Placement.Tier(catalog: block.tier), among: placed)
            var map = maps[tier] ?? placementMap(tier: tier, machines: placed)
            maps[tier] = map
            if let bad = corruptNodes[block.id] {
                // A copy to the machine that holds the bad file would be taken as already there.
                map = placementMap(tier: tier, machines: placed.filter { !bad.contains($0.name) }, remember: false)
            }
            let holders = ledger.map.replicas(of: block.id).filter {
                memberNames.contains($0) && !rebalancer.isCorrupt(block.id, on: $0)
            }
            entries.append(Rebalance.Scheduler.Block(
                id: block.id, sizeBytes: encodedEstimate(block.sizeBytes), target: block.replicationTarget,
                holders: holders, wanted: map.replicas(for: block.id)))
        }
        return Rebalance.Scheduler.Inputs(
            blocks: entries, alive: aliveNames, liveness: rebalancer.liveness,
            draining: Set(rebalancer.machineStates.filter { $0.value == .draining }.map(\.key)),
            corrupt: rebalancer.corrupt.sorted())
    }

    /// Encoded bytes of a block of `plaintext` bytes, for pacing and ETAs:
    /// at most the plaintext (LZ4 never stores a frame larger) plus frame overhead.
    private func encodedEstimate(_ plaintext: Int64) -> Int64 {
        plaintext + (plaintext / (1 << 20) + 1) * 64 + 128
    }

    private func perform(_ action: Rebalance.Scheduler.Action) async {
        let succeeded: Bool
        do {
            try await run(action)
            succeeded = true
        } catch {
            var metadata = action.logMetadata
            metadata["error"] = "\(error)"
            context.logger.notice("rebalance step failed; it will be planned again", metadata: metadata)
            succeeded = false
        }
        onActionFinished(action, succeeded: succeeded)
    }

    private func onActionFinished(_ action: Rebalance.Scheduler.Action, succeeded: Bool) {
        if succeeded, case .delete(let block, let node) = action {
            // Fewer copies than the map knows is never unsafe to believe at once.
            ledger.map.onBlocksRemoved(node: node, blocks: [block])
            rebalancer.corrupt.remove(Rebalance.Replica(block: block, node: node))
        }
        rebalancer.scheduler.onFinished(action, succeeded: succeeded, nowMilliseconds: nowMilliseconds)
    }

    /// Sends one copy or delete to the node that does it (this one included).
    private func run(_ action: Rebalance.Scheduler.Action) async throws {
        switch action {
        case .copy(let block, let source, let target, let bytes):
            guard let destination = await self.target(target) else {
                throw RPCFailure(.notFound, "no address for \(target)")
            }
            let tier = (try? await context.consensus.read { $0.blockInfo(block)?.tier }) ?? nil
            var payload = ByteBuffer()
            payload.writeWireBlockID(block)
            payload.writeWireString((tier ?? .cold).rawValue)
            payload.writeTarget(destination)
            // Paced at the limit: allow the transfer time twice over, plus the write's own timeouts.
            let seconds = 2 * Double(bytes) / Double(max(1, rebalancer.bytesPerSecond)) + 30
            _ = try await callHolder(source, op: .replicate, payload: payload, timeout: .milliseconds(Int64(seconds * 1000)))
        case .delete(let block, let node):
            var payload = ByteBuffer()
            payload.writeWireBlockID(block)
            _ = try await callHolder(node, op: .deleteReplica, payload: payload,
                               timeout: .milliseconds(Int64(context.config.timing.requestTimeoutMilliseconds)))
        }
    }

    /// A holder request from the master: to a peer over its link, to this node's own handler directly.
    func callHolder(_ node: String, op: BlockOps.Op, payload: ByteBuffer, timeout: Duration) async throws -> ByteBuffer {
        precondition(op.isHolderOperation, "\(op) is not a holder operation")
        guard node == context.config.name else {
            return try await context.peers.call(node, op: op.rawValue, payload: payload, timeout: timeout)
        }
        return try await serveHolder(op, payload: payload, from: node)
    }

    /// A corrupt replica goes once its block has its target of good live replicas elsewhere.
    // MARK: Reports and requests

    func rebalanceReport(message: String? = nil) async throws -> RebalanceReport {
        guard let inputs = await gatherInputs() else {
            let alive = await aliveWorkers()
            return RebalanceReport(ready: false, waitingFor: missingReports(alive: alive) ?? "the catalog",
                                   preview: nil, drains: drains(nil), message: message)
        }
        return RebalanceReport(ready: true, waitingFor: nil,
                               preview: rebalancer.scheduler.preview(inputs, nowMilliseconds: nowMilliseconds),
                               drains: drains(inputs), message: message)
    }

    /// Catalog blocks still on each draining or removed machine (blocks no
    /// file references do not hold a drain up: nothing needs them).
    func drains(_ inputs: Rebalance.Scheduler.Inputs?) -> [RebalanceReport.Drain] {
        storageMachines().compactMap { machine in
            guard let state = rebalancer.machineStates[machine.name] else { return nil }
            let held = (inputs?.blocks ?? []).filter { $0.holders.contains(machine.name) }
            return RebalanceReport.Drain(name: machine.name, state: state.description, blocksLeft: held.count,
                                         bytesLeft: held.reduce(0) { $0 + $1.sizeBytes })
        }
    }

    /// `node drain` / `node undrain` / `node remove`: `[string name][u8 state]`.
    func onSetMachineState(_ payload: ByteBuffer) async throws -> RebalanceReport {
        var buffer = payload
        let name = try buffer.readWireString("machine name", maxBytes: BlockStream.maxNameBytes)
        let raw: UInt8 = try buffer.readWireInteger("machine state")
        try buffer.expectFullyRead("machine state request")
        guard let state = Catalog.MachineState(rawValue: raw) else { throw RPCFailure(.malformed, "machine state \(raw) unknown") }
        guard storageMachines().contains(where: { $0.name == name }) else {
            throw RPCFailure(.notFound, "no storage machine named \(name) (known: \(storageMachines().map(\.name).joined(separator: ", ")))")
        }
        if state == .removed {
            guard let inputs = await gatherInputs() else {
                throw RPCFailure(.unavailable, "the master is still collecting block reports; retry in a few seconds")
            }
            let needed = Rebalance.Scheduler.neededReplicas(on: name, blocks: inputs.blocks, alive: inputs.alive)
            guard needed.isEmpty else {
                let sole = inputs.blocks.filter { block in
                    needed.contains(block.id) && block.holders.filter { $0 != name && inputs.alive.contains($0) }.isEmpty
                }.count
                throw RPCFailure(.refused,
                    "\(name) holds \(needed.count) blocks that have fewer than their target of live replicas elsewhere"
                    + (sole > 0 ? " (\(sole) of them only on \(name))" : "")
                    + "; drain it first (`yonke node drain \(name)`) and remove it once `yonke status` shows 0 blocks left")
            }
        }
        switch try await context.consensus.propose(.setMachineState(name: name, state: state)) {
        case .applied: break
        case .refused(let refusal): throw RPCFailure(.refused, "\(refusal)")
        }
        if state == .removed {
            rebalancer.machineStates[name] = .removed
            ledger.map.onNodeDead(name)
            ledger.usage[name] = nil
        }
        context.logger.notice("machine state changed", metadata: ["machine": "\(name)", "state": "\(state)"])
        if state == .draining, name == context.config.name {
            // A draining master hands the catalog to another voter; the new master drains it.
            await context.consensus.transferLeadershipAway()
        }
        return try await rebalanceReport(message: "\(name) is now \(state)")
    }
}

extension Rebalance.Scheduler.Action {
    var logMetadata: Logger.Metadata {
        switch self {
        case .copy(let block, let source, let target, let bytes):
            ["copy": "\(block.short)", "source": "\(source)", "target": "\(target)", "bytes": "\(bytes)"]
        case .delete(let block, let node):
            ["delete": "\(block.short)", "holder": "\(node)"]
        }
    }
}

extension Placement.Tier {
    init(catalog tier: Catalog.Tier) {
        switch tier {
        case .hot: self = .hot
        case .cold: self = .cold
        case .glacier: self = .glacier
        }
    }
}
