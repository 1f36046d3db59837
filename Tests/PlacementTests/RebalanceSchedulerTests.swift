import Testing
@testable import Placement
import YonkeCore

/// A few machines, blocks placed by one map, and a scheduler driven round by round.
private struct SchedulerWorld {
    var holders: [BlockID: Set<String>]
    var sizes: [BlockID: Int64]
    var alive: Set<String>
    var downSince: [String: Int64] = [:]
    var wanted: (BlockID) -> [String]

    func inputs() -> Rebalance.Scheduler.Inputs {
        let blocks = holders.keys.sorted().map { id in
            Rebalance.Scheduler.Block(id: id, sizeBytes: sizes[id] ?? 0, target: 3,
                                      holders: (holders[id] ?? []).sorted(), wanted: wanted(id))
        }
        return .init(blocks: blocks, alive: alive, downSinceMilliseconds: downSince)
    }

    func liveCount(_ id: BlockID) -> Int { (holders[id] ?? []).filter(alive.contains).count }
}

private func member(_ name: String, rack: String = "r") -> Placement.Member {
    Placement.Member(name: name, rack: rack, ssdFreeBytes: 0, hddFreeBytes: 1 << 40)
}

private func map(_ names: [String]) -> Placement.Map {
    Placement.Map(members: names.map { member($0) }, tier: .cold, config: .standard)
}

/// Blocks on a, b, c, d (placed by their map), d down since 0.
private func worldWithLostMachine(blocks count: Int, seed: UInt64 = 1) -> SchedulerWorld {
    let before = map(["a", "b", "c", "d"])
    let after = map(["a", "b", "c", "e"])
    let ids = blockIDs(count, seed: seed)
    var holders: [BlockID: Set<String>] = [:]
    for id in ids { holders[id] = Set(before.replicas(for: id)) }
    var world = SchedulerWorld(holders: holders, sizes: Dictionary(uniqueKeysWithValues: ids.map { ($0, Int64(4 << 20)) }),
                               alive: ["a", "b", "c", "e"], wanted: { after.replicas(for: $0) })
    world.downSince["d"] = 0
    return world
}

private let fast = Rebalance.Scheduler.Config(graceMilliseconds: 2_000, bytesPerSecond: 1 << 40, copiesPerMachineMax: 4)

@Test func nothingMovesDuringTheGracePeriodThenLostReplicasAreRestored() {
    let world = worldWithLostMachine(blocks: 50)
    var scheduler = Rebalance.Scheduler(config: fast)
    let early = scheduler.step(world.inputs(), nowMilliseconds: 1_999)
    let onD = world.holders.filter { $0.value.contains("d") }.map(\.key)
    #expect(!onD.isEmpty)
    for action in early {
        if case .copy(let block, _, _, _) = action { #expect(!onD.contains(block), "copied \(block.short) while d is in grace") }
    }
    let late = scheduler.step(world.inputs(), nowMilliseconds: 2_000)
    let restored = Set(late.compactMap { action -> BlockID? in
        if case .copy(let block, _, _, _) = action, onD.contains(block) { return block }
        return nil
    })
    #expect(!restored.isEmpty, "after the grace period d's blocks are copied")
}

/// While a machine is in its grace period nothing is relocated or trimmed, but a
/// block below its target elsewhere is still restored.
@Test func onlyRestoresRunWhileAMachineIsInItsGracePeriod() {
    let ids = blockIDs(3, seed: 9)
    let holders: [BlockID: Set<String>] = [ids[0]: ["a", "b", "c"], ids[1]: ["a", "b", "c", "e"], ids[2]: ["a", "b"]]
    var world = SchedulerWorld(holders: holders, sizes: Dictionary(uniqueKeysWithValues: ids.map { ($0, 1 << 20) }),
                               alive: ["a", "b", "c", "e"], wanted: { _ in ["a", "b", "e"] })
    world.downSince["d"] = 0
    var scheduler = Rebalance.Scheduler(config: fast)
    let during = scheduler.step(world.inputs(), nowMilliseconds: 1_000)
    #expect(during == [.copy(block: ids[2], source: "a", target: "e", bytes: 1 << 20)], "\(during)")
    let after = scheduler.step(world.inputs(), nowMilliseconds: 2_000)
    #expect(after.contains { if case .copy(ids[0], _, "e", _) = $0 { true } else { false } }, "balancing resumes once d is lost: \(after)")
    #expect(after.contains(.delete(block: ids[1], node: "c")), "\(after)")

    // A machine that just came back (or joined) holds balancing off for the grace period too.
    var settling = world.inputs()
    settling.downSinceMilliseconds = [:]
    settling.membershipChangedMilliseconds = 10_000
    var fresh = Rebalance.Scheduler(config: fast)
    #expect(fresh.step(settling, nowMilliseconds: 11_000) == [.copy(block: ids[2], source: "a", target: "e", bytes: 1 << 20)])
    #expect(fresh.step(settling, nowMilliseconds: 12_000).contains(.delete(block: ids[1], node: "c")))
}

@Test func schedulerStartsTheMostEndangeredBlocksFirst() {
    let ids = blockIDs(20, seed: 7)
    var holders: [BlockID: Set<String>] = [:]
    // Half the blocks have one live replica, half two; only one copy fits per round.
    for (index, id) in ids.enumerated() { holders[id] = index % 2 == 0 ? ["a", "b"] : ["a"] }
    let world = SchedulerWorld(holders: holders, sizes: Dictionary(uniqueKeysWithValues: ids.map { ($0, 1 << 20) }),
                               alive: ["a", "b", "c"], wanted: { _ in ["a", "b", "c"] })
    var config = fast
    config.copiesPerMachineMax = 1
    var scheduler = Rebalance.Scheduler(config: config)
    let actions = scheduler.step(world.inputs(), nowMilliseconds: 0)
    #expect(actions.count == 1)
    if case .copy(let block, _, _, _)? = actions.first {
        #expect(holders[block] == ["a"], "a block with one live replica goes before one with two")
    } else {
        Issue.record("expected a copy, got \(actions)")
    }
}

/// Copies never run faster than the per-machine limit (plus one burst).
@Test func copiesArePacedByTheTokenBucket() {
    var world = worldWithLostMachine(blocks: 200)
    let rate: Int64 = 10 << 20
    var scheduler = Rebalance.Scheduler(config: .init(graceMilliseconds: 0, bytesPerSecond: rate, copiesPerMachineMax: 8))
    var perMachine: [String: Int64] = [:]
    let seconds: Int64 = 5
    for now in stride(from: Int64(0), through: seconds * 1000, by: 50) {
        for action in scheduler.step(world.inputs(), nowMilliseconds: now) {
            // Finish at once: only the bucket limits the pace.
            if case .copy(let block, let source, let target, let bytes) = action {
                perMachine[source, default: 0] += bytes
                perMachine[target, default: 0] += bytes
                world.holders[block, default: []].insert(target)
            } else if case .delete(let block, let node) = action {
                world.holders[block]?.remove(node)
            }
            scheduler.onFinished(action, succeeded: true, nowMilliseconds: now)
        }
    }
    let block: Int64 = 4 << 20
    for (name, bytes) in perMachine {
        // Burst (one second) + the rate over the window + one block of debt.
        #expect(bytes <= rate + rate * seconds + block, "\(name) moved \(bytes) bytes in \(seconds) s at \(rate) B/s")
    }
    #expect(perMachine.values.max() ?? 0 >= rate * seconds / 2, "the limit is used, not just respected: \(perMachine)")
}

/// Random orders of completion and failure, late reports, a drain and a
/// returning machine: no block ever has fewer live replicas than
/// min(its start, 3), and all end at exactly their wanted 3.
@Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
func neverBelowTargetWhateverTheOrder(seed: UInt64) {
    var generator = SeededGenerator(seed: seed)
    let ids = blockIDs(40, seed: seed)
    let before = map(["a", "b", "c", "d"])
    // d returned with its copies after the blocks were healed to e; c drains.
    let after = map(["a", "b", "d", "e"])
    var holders: [BlockID: Set<String>] = [:]
    for id in ids {
        var set = Set(before.replicas(for: id))
        if set.contains("d") { set.insert(["a", "b", "c", "e"].first { !set.contains($0) }!) }
        holders[id] = set
    }
    var world = SchedulerWorld(holders: holders, sizes: Dictionary(uniqueKeysWithValues: ids.map { ($0, 1 << 20) }),
                               alive: ["a", "b", "c", "d", "e"], wanted: { after.replicas(for: $0) })
    // What block reports have shown the master (they lag behind the disks).
    var reported = world
    let floor = Dictionary(uniqueKeysWithValues: ids.map { ($0, min(3, world.liveCount($0))) })
    var scheduler = Rebalance.Scheduler(config: .init(graceMilliseconds: 0, bytesPerSecond: 1 << 40, copiesPerMachineMax: 2,
                                                      confirmTimeoutMilliseconds: 500))
    var running: [Rebalance.Scheduler.Action] = []
    var now: Int64 = 0
    for _ in 0..<2_000 {
        now += 100
        running += scheduler.step(reported.inputs(), nowMilliseconds: now)
        // Finish a random part of the running work, in random order.
        var index = 0
        while index < running.count {
            guard generator.next() % 3 == 0 else { index += 1; continue }
            let action = running.remove(at: index)
            let succeeded = generator.next() % 5 != 0
            if succeeded {
                switch action {
                case .copy(let block, _, let target, _): world.holders[block, default: []].insert(target)
                case .delete(let block, let node): world.holders[block]?.remove(node)
                }
            }
            scheduler.onFinished(action, succeeded: succeeded, nowMilliseconds: now)
            for id in ids {
                #expect(world.liveCount(id) >= floor[id]!, "seed \(seed): \(id.short) at \(world.liveCount(id)) live replicas")
            }
        }
        // Reports arrive now and then.
        if generator.next() % 2 == 0 { reported.holders = world.holders }
        if running.isEmpty && scheduler.inFlight.isEmpty
            && ids.allSatisfy({ Set(world.holders[$0] ?? []) == Set(after.replicas(for: $0)) }) { break }
    }
    for id in ids {
        #expect(Set(world.holders[id] ?? []) == Set(after.replicas(for: id)), "seed \(seed): \(id.short) ends on \(world.holders[id] ?? [])")
    }
}

@Test func removalIsRefusedWhileAMachineHoldsANeededReplica() {
    let ids = blockIDs(2, seed: 3)
    let blocks = [
        Rebalance.Scheduler.Block(id: ids[0], sizeBytes: 1, target: 3, holders: ["a", "b", "c"], wanted: []),
        Rebalance.Scheduler.Block(id: ids[1], sizeBytes: 1, target: 3, holders: ["a", "b", "c", "d"], wanted: []),
    ]
    #expect(Rebalance.Scheduler.neededReplicas(on: "d", blocks: blocks, alive: ["a", "b", "c", "d"]).isEmpty)
    #expect(Rebalance.Scheduler.neededReplicas(on: "c", blocks: blocks, alive: ["a", "b", "c", "d"]) == [ids[0]])
    #expect(Rebalance.Scheduler.neededReplicas(on: "d", blocks: blocks, alive: ["a", "b", "d"]) == [ids[1]])
}

@Test func tokenBucketWaitsForItsDebt() {
    var bucket = TokenBucket(bytesPerSecond: 1_000, burstBytes: 1_000, nowMilliseconds: 0)
    #expect(bucket.isReady)
    bucket.take(3_000)
    #expect(!bucket.isReady)
    #expect(bucket.waitMilliseconds(for: 1_000) == 3_000)
    bucket.refill(nowMilliseconds: 1_999)
    #expect(!bucket.isReady)
    bucket.refill(nowMilliseconds: 2_100)
    #expect(bucket.isReady)
}
