import Testing
@testable import Placement
import YonkeCore

/// Plans the move from `before` to `after` (members) for `blocks` placed by
/// `before`, replays it, and returns the plan and the replay.
private func replan(_ before: [Placement.Member], _ after: [Placement.Member], blocks: [BlockID],
                    config: Rebalance.Config = .standard, lost: Set<String> = [])
    -> (plan: Rebalance.Plan, violations: [String], misplaced: Int, current: [Rebalance.BlockReplicas], map: Placement.Map) {
    let oldMap = Placement.Map(members: before, tier: .cold, config: .standard)
    let newMap = Placement.Map(members: after, tier: .cold, config: .standard, previous: oldMap)
    let current = blocks.map { Rebalance.BlockReplicas(block: $0, holders: oldMap.replicas(for: $0)) }
    let live = Set(after.map(\.name)).subtracting(lost)
    let plan = Rebalance.plan(blocks: current, live: live, config: config) { newMap.replicas(for: $0.block) }
    let check = Rebalance.check(plan, blocks: current, live: live, config: config)
    let misplaced = current.filter { Set(check.final[$0.block] ?? []) != Set(newMap.replicas(for: $0.block)) }.count
    return (plan, check.violations, misplaced, current, newMap)
}

private func joiner(_ rack: String, _ bytes: Int64) -> Placement.Member {
    Placement.Member(name: "new", rack: rack, ssdFreeBytes: 0, hddFreeBytes: bytes)
}

/// A join moves close to the minimum: at most 1.15 × (new machine's share ×
/// all replicas), CRUSH §3.4's "optimal data migration" bound relaxed for the
/// weight-set adjustment.
@Test(arguments: [("a", Int64(1_000_000_000_000)), ("b", 1_000_000_000_000), ("c", 3_000_000_000_000), ("c", 250_000_000_000)])
func joinMovesAtMost115PercentOfMinimum(rack: String, bytes: Int64) throws {
    let base = members(of: try junkyardTopology())
    let blocks = blockIDs(10_000)
    let result = replan(base, base + [joiner(rack, bytes)], blocks: blocks)
    let share = try #require(result.map.entry(named: "new")).targetShare
    let minimum = share * Double(blocks.count * 3)
    #expect(Double(result.plan.copyCount) <= 1.15 * minimum, "\(result.plan.copyCount) copies, minimum \(minimum)")
    #expect(result.violations.isEmpty, "\(result.violations.prefix(3))")
    #expect(result.misplaced == 0)
}

/// Every plan step keeps each block's live replica count (copy precedes
/// delete; a delete only with RF live replicas elsewhere), whatever happened.
@Test(arguments: ["join", "loss", "drain", "shrink", "grow", "double loss", "loss and join"])
func noPlanStepLowersAReplicaCount(event: String) throws {
    let base = members(of: try junkyardTopology())
    var after = base
    var lost: Set<String> = []
    switch event {
    case "join": after.append(joiner("b", 750_000_000_000))
    case "loss": lost = ["server-b"]; after.removeAll { $0.name == "server-b" }
    case "drain": after[after.firstIndex { $0.name == "nas-a" }!].isDraining = true
    case "shrink": after[after.firstIndex { $0.name == "media-c" }!].hddFreeBytes /= 4
    case "grow": after[after.firstIndex { $0.name == "laptop-a" }!].ssdFreeBytes *= 8
    case "double loss": lost = ["nas-a", "media-c"]; after.removeAll { lost.contains($0.name) }
    case "loss and join": lost = ["tower-a"]; after.removeAll { $0.name == "tower-a" }; after.append(joiner("a", 750_000_000_000))
    default: Issue.record("unknown event \(event)")
    }
    let result = replan(base, after, blocks: blockIDs(5_000))
    #expect(result.violations.isEmpty, "\(result.violations.prefix(3))")
    #expect(result.misplaced == 0)
    #expect(result.plan.unrecoverable.isEmpty)
    #expect(result.plan.copyCount > 0)
    // A copy never reads from a replica that another move of the same block deletes in the same wave.
    var retiredInWave: Set<String> = []
    for move in result.plan.moves {
        if let retired = move.retired { retiredInWave.insert("\(move.wave)/\(move.block.hex)/\(retired)") }
    }
    for move in result.plan.moves {
        guard let source = move.source, source != move.retired else { continue }
        #expect(!retiredInWave.contains("\(move.wave)/\(move.block.hex)/\(source)"))
    }
}

@Test(arguments: [1, 3])
func copiesPerMachinePerWaveStayWithinTheLimit(limit: Int) throws {
    let base = members(of: try junkyardTopology())
    let config = Rebalance.Config(replicationFactor: 3, movesPerMachinePerWaveMax: limit)
    let result = replan(base, base + [joiner("a", 500_000_000_000)], blocks: blockIDs(3_000), config: config)
    #expect(result.violations.isEmpty, "\(result.violations.prefix(3))")
    let toNew = result.plan.moves.filter { $0.target == "new" }.count
    // The new machine receives every copy, `limit` per wave: waves cannot be fewer.
    #expect(result.plan.waveCount >= (toNew + limit - 1) / limit)
    #expect(result.plan.waveCount <= result.plan.copyCount)
}

private let ids = blockIDs(4, seed: 99)
private func holders(_ block: Int, _ names: [String]) -> Rebalance.BlockReplicas {
    Rebalance.BlockReplicas(block: ids[block], holders: names)
}

/// After a loss the blocks with the fewest live replicas are copied first.
@Test func mostEndangeredBlocksGoFirst() {
    let blocks = [holders(0, ["b", "c", "x"]), holders(1, ["a", "x", "y"]), holders(2, ["b", "d", "y"])]
    let live: Set = ["a", "b", "c", "d", "e"]
    let config = Rebalance.Config(replicationFactor: 3, movesPerMachinePerWaveMax: 1)
    let plan = Rebalance.plan(blocks: blocks, live: live, config: config) { entry in
        entry.block == ids[1] ? ["a", "e", "c"] : entry.holders.filter(live.contains) + ["e"]
    }
    #expect(Rebalance.check(plan, blocks: blocks, live: live, config: config).violations.isEmpty)
    let firstWave = plan.moves.filter { $0.wave == 0 }.map(\.block)
    #expect(firstWave.first == ids[1])
    let wavesOfEndangered = plan.moves.filter { $0.block == ids[1] }.map(\.wave)
    let wavesOfOthers = plan.moves.filter { $0.block != ids[1] }.map(\.wave)
    #expect(wavesOfEndangered.max()! <= wavesOfOthers.min()!, "\(plan.moves)")
}

/// A block below RF whose wanted machines are all new: first plain copies back
/// to RF, then relocations in later waves.
@Test func restoresComeBeforeRelocations() {
    let blocks = [holders(0, ["a", "b", "x"])]
    let live: Set = ["a", "b", "c", "d", "e"]
    let plan = Rebalance.plan(blocks: blocks, live: live, config: .standard) { _ in ["c", "d", "e"] }
    #expect(Rebalance.check(plan, blocks: blocks, live: live, config: .standard).violations.isEmpty)
    let copies = plan.moves.filter { if case .copy = $0.kind { true } else { false } }
    let relocations = plan.moves.filter { if case .relocate = $0.kind { true } else { false } }
    #expect(copies.count == 1)
    #expect(relocations.count == 2)
    #expect(relocations.allSatisfy { $0.wave > copies[0].wave })
}

@Test func blocksWithNoLiveReplicaAreReportedNotMoved() {
    let blocks = [holders(0, ["x", "y", "z"]), holders(1, ["a", "b", "c"])]
    let plan = Rebalance.plan(blocks: blocks, live: ["a", "b", "c", "d"], config: .standard) { _ in ["a", "b", "c"] }
    #expect(plan.unrecoverable == [ids[0]])
    #expect(plan.moves.isEmpty)
}

/// An over-replicated block (a machine came back) is trimmed to RF, never below.
@Test func surplusReplicasAreTrimmedDownToRF() {
    let blocks = [holders(0, ["a", "b", "c", "d", "e"])]
    let live: Set = ["a", "b", "c", "d", "e"]
    let plan = Rebalance.plan(blocks: blocks, live: live, config: .standard) { _ in ["a", "b", "c"] }
    let check = Rebalance.check(plan, blocks: blocks, live: live, config: .standard)
    #expect(check.violations.isEmpty)
    #expect(Set(check.final[ids[0]]!) == ["a", "b", "c"])
    #expect(plan.copyCount == 0)
}

/// The replay catches a plan that deletes too early (the check must be able to fail).
@Test func checkRejectsADeleteWithoutEnoughReplicasElsewhere() {
    let blocks = [holders(0, ["a", "b", "c"])]
    let bad = Rebalance.Plan(moves: [Rebalance.Move(block: ids[0], kind: .trim(retired: "a"), wave: 0)],
                             waveCount: 1, unrecoverable: [])
    let check = Rebalance.check(bad, blocks: blocks, live: ["a", "b", "c"], config: .standard)
    #expect(check.violations.count == 1)
}
