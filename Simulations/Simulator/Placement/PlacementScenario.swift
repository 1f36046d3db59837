import Foundation
import Placement
import Topology
import YonkeCore

/// Places many blocks on a topology, checks the placement rules, then plans
/// the moves after a join, a loss and a drain and replays every plan. Each
/// event starts from the same initial placement.
public struct PlacementScenario: Sendable {
    public struct Config: Sendable {
        public var blocks: Int
        public var seed: UInt64
        /// Allowed |blockShare / targetShare − 1|.
        public var shareTolerance: Double
        public var movesPerMachinePerWaveMax: Int
        /// Size of the machine that joins; nil: the median worker.
        public var joinCapacityBytes: Int64?
        /// The machine lost; nil: the largest worker (the most to heal).
        public var remove: String?
        /// The machine drained; nil: the median worker.
        public var drain: String?

        public init(blocks: Int = 100_000, seed: UInt64 = 1, shareTolerance: Double = 0.05,
                    movesPerMachinePerWaveMax: Int = Rebalance.Config.standard.movesPerMachinePerWaveMax,
                    joinCapacityBytes: Int64? = nil, remove: String? = nil, drain: String? = nil) {
            self.blocks = blocks
            self.seed = seed
            self.shareTolerance = shareTolerance
            self.movesPerMachinePerWaveMax = movesPerMachinePerWaveMax
            self.joinCapacityBytes = joinCapacityBytes
            self.remove = remove
            self.drain = drain
        }
    }

    public let topology: Topology
    public let config: Config

    public init(topology: Topology, config: Config) {
        self.topology = topology
        self.config = config
    }

    public func run() -> PlacementReport {
        let members = topology.placementMembers()
        let placementConfig = topology.placementConfig
        let rebalanceConfig = Rebalance.Config(replicationFactor: topology.cluster.replicationFactor,
                                               movesPerMachinePerWaveMax: config.movesPerMachinePerWaveMax)
        let map = Placement.Map(members: members, tier: .cold, config: placementConfig)
        var violations: [String] = []
        let ids = Self.blockIDs(config.blocks, seed: config.seed)
        let rackOf = Dictionary(uniqueKeysWithValues: members.map { ($0.name, $0.rack) })
        var counts = Dictionary(uniqueKeysWithValues: members.map { ($0.name, 0) })
        var spread = 0
        var fullSpread = 0
        let racksPossible = min(map.replicas, map.racks.count)
        var current: [Rebalance.BlockReplicas] = []
        current.reserveCapacity(ids.count)
        for id in ids {
            let holders = map.replicas(for: id)
            current.append(Rebalance.BlockReplicas(block: id, holders: holders))
            violations += Self.ruleViolations(id, holders, map: map, rackOf: rackOf)
            for name in holders { counts[name, default: 0] += 1 }
            let racks = Set(holders.compactMap { rackOf[$0] }).count
            if racks >= 2 { spread += 1 }
            if racks >= racksPossible { fullSpread += 1 }
        }
        let totalReplicas = max(1, ids.count * map.replicas)
        let totalCapacity = Double(max(1, topology.workerCapacityBytes))
        var worst = 0.0
        let shares = topology.workers.map { machine -> PlacementReport.MachineShare in
            let target = map.entry(named: machine.name)?.targetShare ?? 0
            let share = Double(counts[machine.name] ?? 0) / Double(totalReplicas)
            if target > 0 {
                let error = abs(share / target - 1)
                worst = max(worst, error)
                if error > config.shareTolerance {
                    violations.append("\(machine.name) holds \(Self.percent(share)) of replicas, target \(Self.percent(target)) (±\(Self.percent(config.shareTolerance)) relative)")
                }
            }
            return .init(name: machine.name, rack: machine.rack,
                         capacityShare: Double(machine.capacityBytes) / totalCapacity,
                         targetShare: target, blockShare: share, replicas: counts[machine.name] ?? 0)
        }

        var events: [PlacementReport.Event] = []
        for event in plannedEvents(members: members) {
            let newMap = Placement.Map(members: event.members, tier: .cold, config: placementConfig, previous: map)
            let live = Set(event.members.map(\.name))
            let plan = Rebalance.plan(blocks: current, live: live, config: rebalanceConfig) { newMap.replicas(for: $0.block) }
            let check = Rebalance.check(plan, blocks: current, live: live, config: rebalanceConfig)
            violations += check.violations.prefix(20).map { "\(event.kind) \(event.machine): \($0)" }
            var misplaced = 0
            for entry in current where Set(check.final[entry.block] ?? []) != Set(newMap.replicas(for: entry.block)) {
                misplaced += 1
            }
            if misplaced > 0 { violations.append("\(event.kind) \(event.machine): \(misplaced) blocks not where placement wants them after the plan") }
            if !plan.unrecoverable.isEmpty { violations.append("\(event.kind) \(event.machine): \(plan.unrecoverable.count) blocks lost") }
            let minimum: Double
            switch event.kind {
            case "join": minimum = (newMap.entry(named: event.machine)?.targetShare ?? 0) * Double(ids.count * newMap.replicas)
            default: minimum = Double(current.filter { $0.holders.contains(event.machine) }.count)
            }
            events.append(.init(kind: event.kind, machine: event.machine, moved: plan.copyCount, minimum: minimum,
                                moveRatio: minimum > 0 ? Double(plan.copyCount) / minimum : 0, waves: plan.waveCount,
                                shareDrift: Self.drift(newMap.correction)))
        }

        return PlacementReport(
            topology: topology.cluster.name, blocks: ids.count, replicationFactor: topology.cluster.replicationFactor,
            seed: config.seed, replicasPerRackMax: map.replicasPerRackMax, machines: shares,
            rackSpreadRate: ids.isEmpty ? 0 : Double(spread) / Double(ids.count),
            fullRackSpreadRate: ids.isEmpty ? 0 : Double(fullSpread) / Double(ids.count),
            worstShareError: worst,
            moveRatio: Dictionary(uniqueKeysWithValues: events.map { ($0.kind, $0.moveRatio) }),
            events: events, violations: violations)
    }

    private struct PlannedEvent {
        let kind: String
        let machine: String
        let members: [Placement.Member]
    }

    private func plannedEvents(members: [Placement.Member]) -> [PlannedEvent] {
        let bySize = members.sorted { ($0.capacityBytes, $0.name) < ($1.capacityBytes, $1.name) }
        guard let median = bySize.isEmpty ? nil : bySize[bySize.count / 2], let largest = bySize.last else { return [] }
        var rackCapacity: [String: Int64] = [:]
        for member in members { rackCapacity[member.rack, default: 0] += member.capacityBytes }
        let emptiestRack = rackCapacity.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.first?.key ?? "default"
        let joinBytes = config.joinCapacityBytes ?? median.capacityBytes
        let joined = Placement.Member(name: "joined-1", rack: emptiestRack, ssdFreeBytes: 0, hddFreeBytes: joinBytes)
        var events = [PlannedEvent(kind: "join", machine: joined.name, members: members + [joined])]
        let removed = config.remove ?? largest.name
        events.append(PlannedEvent(kind: "remove", machine: removed, members: members.filter { $0.name != removed }))
        let drained = config.drain ?? median.name
        events.append(PlannedEvent(kind: "drain", machine: drained, members: members.map { member in
            var copy = member
            if member.name == drained { copy.isDraining = true }
            return copy
        }))
        return events
    }

    static func ruleViolations(_ id: BlockID, _ holders: [String], map: Placement.Map, rackOf: [String: String]) -> [String] {
        var found: [String] = []
        if Set(holders).count != holders.count { found.append("block \(id.short) has a machine twice: \(holders)") }
        if holders.count != map.replicas { found.append("block \(id.short) has \(holders.count) replicas, want \(map.replicas)") }
        let racks = Set(holders.compactMap { rackOf[$0] })
        if map.racks.count >= 2, map.replicas >= 2, racks.count < 2 {
            found.append("block \(id.short) has all replicas in rack \(racks.sorted())")
        }
        return found
    }

    /// Block ids from the seed: 32 bytes each, like BlockCodec's keyed digests.
    public static func blockIDs(_ count: Int, seed: UInt64) -> [BlockID] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(BlockID.byteCount)
            for _ in 0..<(BlockID.byteCount / 8) {
                let word = generator.next()
                for shift in stride(from: UInt64(0), to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> shift)) }
            }
            return BlockID(bytes: bytes)!
        }
    }

    private static func drift(_ correction: Placement.Map.Correction) -> Double? {
        switch correction {
        case let .exact(_, worst): return worst
        case .none: return 0
        case .closedForm: return nil
        }
    }

    private static func percent(_ value: Double) -> String {
        String(format: "%.2f%%", value * 100)
    }
}
