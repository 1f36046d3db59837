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
    /// Live storing machines: membership's alive view (this node counts itself
    /// alive), restricted to the registry's workers, whose disks are known.
    func aliveWorkers() async -> [Topology.Machine] {
        var alive = Set(await context.membership.aliveMembers().map(\.name))
        alive.insert(context.config.name)
        return context.registry.workers.filter { alive.contains($0.name) }
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
        for disk in disks {
            let bytes = max(0, disk.capacityBytes - disk.usedBytes)
            if disk.diskClass == .ssd { free.ssd += bytes } else { free.hdd += bytes }
        }
        return free
    }

    /// Straw2 over the live workers, weighted by free space (`Placement`):
    /// distinct machines, the rack rule, hot on SSDs. Machines in `exclude` or
    /// without room for this block are left out. Free space is rounded down to
    /// 1/64 of the machine's capacity so the map (whose weight set is costly to
    /// solve on large clusters) is rebuilt only when usage really moved; each
    /// rebuild starts from the previous map, so few blocks change places.
    ///
    /// A cluster with fewer SSD machines than the replication factor cannot
    /// keep a hot block on SSDs only; such blocks are placed as cold (any disk)
    /// rather than refused, so a small mixed cluster still takes writes.
    func placement(_ request: BlockOps.PlacementRequest) async throws -> [BlockTarget] {
        guard var tier = Placement.Tier(rawValue: request.tier) else {
            throw RPCFailure(.malformed, "unknown tier '\(request.tier)' (hot, cold or glacier)")
        }
        let excluded = Set(request.exclude)
        if tier == .hot {
            var ssdMachines = 0
            for machine in await aliveWorkers() where freeBytes(of: machine).ssd >= request.encodedBytes { ssdMachines += 1 }
            if ssdMachines < context.config.topology.cluster.replicationFactor { tier = .cold }
        }
        var members: [Placement.Member] = []
        for machine in await aliveWorkers() where !excluded.contains(machine.name) {
            let free = freeBytes(of: machine)
            let room = tier == .hot ? free.ssd : free.ssd + free.hdd
            guard room >= request.encodedBytes else { continue }
            let quantum = max(1, machine.capacityBytes / 64)
            members.append(Placement.Member(
                name: machine.name, rack: machine.rack,
                ssdFreeBytes: free.ssd / quantum * quantum, hddFreeBytes: free.hdd / quantum * quantum,
                capacityBytes: machine.capacityBytes,
                reliability: Reliability(diskAgeYears: machine.diskAgeYears).score))
        }
        let map: Placement.Map
        if let cached = placementCache[tier], cached.members == members {
            map = cached.map
        } else {
            var config = Placement.Config.standard
            config.replicationFactor = context.config.topology.cluster.replicationFactor
            // Members already passed the room check above; one byte free keeps a machine eligible.
            config.fullBelowBytes = 1
            map = Placement.Map(members: members, tier: tier, config: config, previous: placementCache[tier]?.map)
            placementCache[tier] = PlacementCacheEntry(members: members, map: map)
        }
        var targets: [BlockTarget] = []
        for name in map.replicas(for: request.id) {
            if let target = await target(name) { targets.append(target) }
        }
        guard !targets.isEmpty else {
            throw RPCFailure(.insufficientCapacity,
                "no live worker has room for \(request.encodedBytes) bytes in tier \(tier.rawValue)"
                + (excluded.isEmpty ? "" : " (excluding \(excluded.sorted().joined(separator: ", ")))"))
        }
        return targets
    }

    /// The live replicas the master knows of, per block (empty for unknown blocks).
    func locations(_ ids: [BlockID]) async -> [(BlockID, [BlockTarget])] {
        let alive = Set(await aliveWorkers().map(\.name))
        var result: [(BlockID, [BlockTarget])] = []
        for id in ids {
            var targets: [BlockTarget] = []
            for name in ledger.map.replicas(of: id) where alive.contains(name) {
                if let target = await target(name) { targets.append(target) }
            }
            result.append((id, targets))
        }
        return result
    }

    func capacityReport() async -> CapacityReport {
        let topology = context.config.topology
        let members = await context.membership.aliveMembers()
        var alive = Set(members.map(\.name))
        alive.insert(context.config.name)
        var map = ledger.map
        for node in map.nodes where !alive.contains(node) { map.onNodeDead(node) }

        let workers = context.registry.workers
        let capacityTotal = workers.reduce(Int64(0)) { $0 + $1.capacityBytes }
        let usedTotal = workers.reduce(Int64(0)) { total, machine in
            total + (ledger.usage[machine.name]?.reduce(0) { $0 + $1.usedBytes } ?? 0)
        }
        let machines = workers.map { machine -> CapacityReport.Machine in
            let disks = ledger.usage[machine.name]
            let total = disks?.reduce(0) { $0 + $1.capacityBytes } ?? machine.capacityBytes
            let used = disks?.reduce(0) { $0 + $1.usedBytes } ?? 0
            return CapacityReport.Machine(
                name: machine.name, totalBytes: total, usedBytes: used, freeBytes: max(0, total - used),
                blocks: disks?.reduce(0) { $0 + $1.blockCount } ?? 0,
                share: usedTotal > 0 ? Double(used) / Double(usedTotal) : 0,
                capacityShare: capacityTotal > 0 ? Double(machine.capacityBytes) / Double(capacityTotal) : 0,
                state: alive.contains(machine.name) ? "alive" : (members.first { $0.name == machine.name }?.state ?? "unknown"),
                reported: disks != nil)
        }
        let replication = topology.cluster.replicationFactor
        let underReplicated: Int
        let missing: Int
        let countedFrom: String
        if let catalogBlocks = try? await context.consensus.read({ $0.allBlocks() }) {
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
                           countedFrom: countedFrom))
    }
}
