import YonkeProtocol
import YonkeClient
import Catalog
import Placement
import Topology
import YonkeCore

/// A placement map for one tier and the (quantised) members it was built for.
struct PlacementCacheEntry: Sendable {
    let members: [Placement.Member]
    let map: Placement.Map
}

/// The master's answers: where a new block goes, where blocks are, how full the cluster is.
extension BlockService {
    /// Every machine that stores blocks: the one place the list comes from
    /// (the catalog's machine registry; `node remove` drops a machine from it).
    func storageMachines() -> [Topology.Machine] {
        context.registry.workers
    }

    /// Storage machines the catalog has not removed.
    func memberMachines() -> [Topology.Machine] {
        storageMachines().filter { rebalancer.machineStates[$0.name] != .removed }
    }

    /// Live storing machines: membership's alive view (this node counts itself
    /// alive), restricted to storage machines that are not removed.
    func aliveWorkers() async -> [Topology.Machine] {
        var alive = Set(await context.membership.aliveMembers().map(\.name))
        alive.insert(context.config.name)
        return memberMachines().filter { alive.contains($0.name) }
    }

    func target(_ name: String) async -> BlockTarget? {
        if let address = context.registry.machine(named: name)?.address { return BlockTarget(name: name, address: address) }
        if let address = await context.peers.address(of: name) { return BlockTarget(name: name, address: address) }
        return nil
    }

    /// Free bytes per disk class of a machine: its last report, else (never
    /// heard from) its topology capacity.
    func freeBytes(of machine: Topology.Machine) -> (ssd: Int64, hdd: Int64) {
        let disks = ledger.usage[machine.name]
            ?? machine.disks.map { BlockReport.Disk(diskClass: $0.diskClass, capacityBytes: $0.capacityBytes, usedBytes: 0, blockCount: 0) }
        var free: (ssd: Int64, hdd: Int64) = (0, 0)
        // Reported figures come from the wire: checked, so no report can trap the master.
        for disk in disks {
            let bytes = max(0, CheckedMath.saturatingSubtract(disk.capacityBytes, disk.usedBytes))
            if disk.diskClass == .ssd { free.ssd = CheckedMath.saturatingAdd(free.ssd, bytes) }
            else { free.hdd = CheckedMath.saturatingAdd(free.hdd, bytes) }
        }
        return free
    }

    /// A machine with less free room than a block and an eighth is full for placement.
    var roomNeededBytes: Int64 {
        let block = context.config.topology.cluster.blockSizeBytes
        return CheckedMath.saturatingAdd(block, block / 8)
    }

    /// The tier a block of `tier` is placed in among `machines`: a cluster
    /// with fewer SSD machines (with room) than the replication factor cannot
    /// keep a hot block on SSDs only, so such blocks are placed as cold.
    func effectiveTier(_ tier: Placement.Tier, among machines: [Topology.Machine]) -> Placement.Tier {
        guard tier == .hot else { return tier }
        let ssdMachines = machines.filter { freeBytes(of: $0).ssd >= roomNeededBytes }.count
        return ssdMachines < context.config.topology.cluster.replicationFactor ? .cold : .hot
    }

    /// The one placement map writes and the rebalancer share: straw2 over
    /// `machines` minus draining ones and ones without room, weighted by
    /// capacity (so a machine ends at its capacity share and the map does not
    /// move as disks fill), the rack rule, hot on SSDs. Each rebuild starts
    /// from the previous map of the tier, so few blocks change places.
    ///
    /// `remember: false` builds a one-off map (a block kept off the machine
    /// holding its corrupt copy) that neither replaces the tier's map nor
    /// becomes the history the next map is built from.
    func placementMap(tier: Placement.Tier, machines: [Topology.Machine], remember: Bool = true) -> Placement.Map {
        var members: [Placement.Member] = []
        for machine in machines where rebalancer.machineStates[machine.name] == nil {
            let free = freeBytes(of: machine)
            let room = tier == .hot ? free.ssd : CheckedMath.saturatingAdd(free.ssd, free.hdd)
            guard room >= roomNeededBytes else { continue }
            members.append(Placement.Member(
                name: machine.name, rack: machine.rack,
                ssdFreeBytes: machine.capacityBytes(of: .ssd), hddFreeBytes: machine.capacityBytes(of: .hdd),
                capacityBytes: machine.capacityBytes,
                reliability: Reliability(diskAgeYears: machine.diskAgeYears).score))
        }
        if let cached = placementCache[tier], cached.members == members { return cached.map }
        var config = Placement.Config.standard
        config.replicationFactor = context.config.topology.cluster.replicationFactor
        config.fullBelowBytes = 1
        let map = Placement.Map(members: members, tier: tier, config: config, previous: placementCache[tier]?.map)
        if remember { placementCache[tier] = PlacementCacheEntry(members: members, map: map) }
        return map
    }

    /// Where a new block goes: the shared map over the live machines minus
    /// `exclude` (a retry) and minus any without room for this block.
    func placement(_ request: BlockOps.PlacementRequest) async throws -> [BlockTarget] {
        guard let requested = Placement.Tier(rawValue: request.tier) else {
            throw RPCFailure(.malformed, "unknown tier '\(request.tier)' (hot, cold or glacier)")
        }
        let excluded = Set(request.exclude)
        let alive = await aliveWorkers()
        let tier = effectiveTier(requested, among: alive)
        let candidates = alive.filter { machine in
            let free = freeBytes(of: machine)
            return !excluded.contains(machine.name) && (tier == .hot ? free.ssd : CheckedMath.saturatingAdd(free.ssd, free.hdd)) >= request.encodedBytes
        }
        let map = placementMap(tier: tier, machines: candidates)
        // A block the cluster already holds (the same bytes put again) goes to its
        // live holders first: a second put must not scatter copies over a map that
        // moved since the first.
        let eligible = Set(candidates.map(\.name))
        let held = ledger.map.replicas(of: request.id).filter { eligible.contains($0) && !rebalancer.isCorrupt(request.id, on: $0) }
        let wanted = max(1, map.replicas)
        let names = Array((held + map.replicas(for: request.id).filter { !held.contains($0) }).prefix(wanted))
        var targets: [BlockTarget] = []
        for name in names {
            if let target = await target(name) { targets.append(target) }
        }
        guard !targets.isEmpty else {
            throw RPCFailure(.insufficientCapacity,
                "no live worker has room for \(request.encodedBytes) bytes in tier \(tier.rawValue)"
                + (excluded.isEmpty ? "" : " (excluding \(excluded.sorted().joined(separator: ", ")))"))
        }
        return targets
    }

    /// The live replicas the master knows of, per block (empty for unknown
    /// blocks), and how many live machines have not sent this term's full report.
    func locations(_ ids: [BlockID]) async -> BlockOps.Locations {
        let aliveMachines = await aliveWorkers()
        let alive = Set(aliveMachines.map(\.name))
        var result: [(BlockID, [BlockTarget])] = []
        for id in ids {
            var targets: [BlockTarget] = []
            for name in ledger.map.replicas(of: id) where alive.contains(name) && !rebalancer.isCorrupt(id, on: name) {
                if let target = await target(name) { targets.append(target) }
            }
            result.append((id, targets))
        }
        return BlockOps.Locations(blocks: result, reportsPending: reportsPending(among: aliveMachines).count)
    }

    /// Milliseconds since the master last heard from a machine: its last block
    /// report or the last gossip from it, whichever is newer (nil: never; the
    /// master itself: 0).
    func lastHeartbeat(of name: String, members: [MemberView], nowMilliseconds now: Int64) -> Int? {
        if name == context.config.name { return 0 }
        let report = rebalancer.lastHeard[name].map { Int(now - $0) }
        let gossip = members.first { $0.name == name }?.lastHeardMillisAgo
        switch (report, gossip) {
        case let (report?, gossip?): return min(report, gossip)
        case let (one?, nil), let (nil, one?): return one
        case (nil, nil): return nil
        }
    }

    func capacityReport() async -> CapacityReport {
        let topology = context.config.topology
        let members = await context.membership.members()
        var alive = Set(members.filter(\.isAlive).map(\.name))
        alive.insert(context.config.name)
        var map = ledger.map
        for node in map.nodes where !alive.contains(node) { map.onNodeDead(node) }

        let workers = memberMachines()
        let preview = rebalancer.lastInputs.map { rebalancer.scheduler.preview($0, nowMilliseconds: nowMilliseconds) }
        let moving = Dictionary((preview?.machines ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let now = nowMilliseconds
        // Sums of figures machines declared (a join) or reported: saturating, never trapping.
        let capacityTotal = workers.saturatingSum(\.capacityBytes)
        let usedTotal = workers.saturatingSum { machine in ledger.usage[machine.name]?.saturatingSum(\.usedBytes) ?? 0 }
        let machines = workers.map { machine -> CapacityReport.Machine in
            let disks = ledger.usage[machine.name]
            let total = disks?.saturatingSum(\.capacityBytes) ?? machine.capacityBytes
            let used = disks?.saturatingSum(\.usedBytes) ?? 0
            let free = freeBytes(of: machine)
            return CapacityReport.Machine(
                name: machine.name, totalBytes: total, usedBytes: used,
                freeBytes: max(0, CheckedMath.saturatingSubtract(total, used)),
                blocks: disks?.saturatingSum(\.blockCount) ?? 0,
                share: usedTotal > 0 ? Double(used) / Double(usedTotal) : 0,
                capacityShare: capacityTotal > 0 ? Double(machine.capacityBytes) / Double(capacityTotal) : 0,
                state: alive.contains(machine.name) ? "alive" : (members.first { $0.name == machine.name }?.state ?? "unknown"),
                reported: disks != nil,
                movingIn: moving[machine.name]?.movingIn ?? 0, movingOut: moving[machine.name]?.movingOut ?? 0,
                lastHeartbeatMs: lastHeartbeat(of: machine.name, members: members, nowMilliseconds: now),
                reliability: Reliability(diskAgeYears: machine.diskAgeYears).score,
                machineState: (rebalancer.machineStates[machine.name] ?? .active).description,
                ssdFreeBytes: free.ssd, hddFreeBytes: free.hdd)
        }
        let replication = topology.cluster.replicationFactor
        let pending = reportsPending(among: workers.filter { alive.contains($0.name) })
        let underReplicated: Int
        let missing: Int
        let countedFrom: String
        if !pending.isEmpty {
            // A master of a new term before every live machine reported: its
            // map under-counts, and a count now would be an alarm about nothing.
            (underReplicated, missing, countedFrom) = (0, 0, "pendingReports")
        } else if let catalogBlocks = try? await context.consensus.read({ $0.allBlocks() }) {
            underReplicated = map.underReplicated(catalogBlocks).count
            missing = map.missing(catalogBlocks).count
            countedFrom = "catalog"
        } else {
            underReplicated = map.underReplicated(target: min(replication, workers.count)).count
            missing = 0
            countedFrom = "blockMap"
        }
        return CapacityReport(
            machines: machines,
            cluster: .init(rawBytes: capacityTotal, usableBytes: capacityTotal / Int64(max(1, replication)),
                           usedBytes: usedTotal, underReplicated: underReplicated, missing: missing,
                           countedFrom: countedFrom, reportsPending: pending, healEtaSeconds: preview?.healEtaSeconds ?? 0,
                           rebalanceBytesPerSecond: rebalancer.bytesPerSecond))
    }
}
