import Testing
import Placement
import Topology

@Test func explore() throws {
    let topology = try junkyardTopology()
    let base = members(of: topology)
    let map = Placement.Map(members: base, tier: .cold, config: .standard)
    let blocks = blockIDs(20000)
    let current = blocks.map { Rebalance.BlockReplicas(block: $0, holders: map.replicas(for: $0)) }
    for cap: Int64 in [120_000_000_000, 1_000_000_000_000] {
        for rack in ["a"] {
            let joined = base + [Placement.Member(name: "new", rack: rack, ssdFreeBytes: 0, hddFreeBytes: cap)]
            let newMap = Placement.Map(members: joined, tier: .cold, config: .standard, previous: map)
            let live = Set(joined.map(\.name))
            let plan = Rebalance.plan(blocks: current, live: live, config: .standard) { newMap.replicas(for: $0.block) }
            let f = newMap.entry(named: "new")!.targetShare
            let minimum = f * Double(blocks.count * 3)
            let check = Rebalance.check(plan, blocks: current, live: live, config: .standard)
            let toNew = plan.moves.filter { $0.target == "new" }.count
            print("join", cap, rack, newMap.correction, plan.copyCount, toNew, minimum, Double(plan.copyCount) / minimum, plan.waveCount, check.violations.count)
        }
    }
    for name in ["nas-a", "laptop-a", "workstation-c"] {
        let left = base.filter { $0.name != name }
        let newMap = Placement.Map(members: left, tier: .cold, config: .standard, previous: map)
        print(newMap.correction)
        let live = Set(left.map(\.name))
        let plan = Rebalance.plan(blocks: current, live: live, config: .standard) { newMap.replicas(for: $0.block) }
        let minimum = current.filter { $0.holders.contains(name) }.count
        let check = Rebalance.check(plan, blocks: current, live: live, config: .standard)
        print("remove", name, plan.copyCount, minimum, Double(plan.copyCount) / Double(minimum), plan.waveCount, check.violations.prefix(3))
    }
}
