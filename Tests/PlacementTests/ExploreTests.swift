import Testing
import Placement
import Topology

@Test func explore() throws {
    let topology = try junkyardTopology()
    let map = Placement.Map(members: members(of: topology), tier: .cold, config: .standard)
    print("correction", map.correction, "cap", map.replicasPerRackMax)
    let blocks = blockIDs(20000)
    let counts = replicaCounts(map, blocks: blocks)
    let model = map.modelShares()!
    for (i, e) in map.entries.enumerated() {
        let share = Double(counts[e.name] ?? 0) / Double(blocks.count * 3)
        print(e.name, e.targetShare, model[i], share, share / e.targetShare, e.drawWeight)
    }
}
