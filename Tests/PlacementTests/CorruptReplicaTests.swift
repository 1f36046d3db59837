import Testing
@testable import Placement
import YonkeCore

/// Corrupt replicas go through the scheduler like every other delete: only
/// once the block is back at its target elsewhere, one action per block at a
/// time, never while other work on the block is in flight.
private let config = Rebalance.Scheduler.Config(graceMilliseconds: 1_000, bytesPerSecond: 1 << 30)

private func block(_ id: BlockID, holders: [String], wanted: [String]) -> Rebalance.Scheduler.Block {
    Rebalance.Scheduler.Block(id: id, sizeBytes: 1 << 20, target: 3, holders: holders, wanted: wanted)
}

@Test func aCorruptReplicaWaitsUntilItsBlockIsBackAtItsTargetElsewhere() {
    let id = blockIDs(1, seed: 3)[0]
    var scheduler = Rebalance.Scheduler(config: config)
    let alive: Set<String> = ["a", "b", "c", "d"]
    let corrupt = [Rebalance.Replica(block: id, node: "d")]

    // d's copy is bad (so not a holder): two good copies; the first round copies, never deletes.
    let short = Rebalance.Scheduler.Inputs(blocks: [block(id, holders: ["a", "b"], wanted: ["a", "b", "c"])],
                                           alive: alive, downSinceMilliseconds: [:], corrupt: corrupt)
    let first = scheduler.step(short, nowMilliseconds: 0)
    #expect(first == [.copy(block: id, source: "a", target: "c", bytes: 1 << 20)]
            || first == [.copy(block: id, source: "b", target: "c", bytes: 1 << 20)], "\(first)")
    // While the copy runs nothing else touches the block.
    #expect(scheduler.step(short, nowMilliseconds: 10).isEmpty)

    // The copy landed and a report confirmed it: now the bad copy goes, once.
    scheduler.onFinished(first[0], succeeded: true, nowMilliseconds: 20)
    let healed = Rebalance.Scheduler.Inputs(blocks: [block(id, holders: ["a", "b", "c"], wanted: ["a", "b", "c"])],
                                            alive: alive, downSinceMilliseconds: [:], corrupt: corrupt)
    #expect(scheduler.step(healed, nowMilliseconds: 30) == [.delete(block: id, node: "d")])
    #expect(scheduler.step(healed, nowMilliseconds: 40).isEmpty, "the delete is in flight")
    #expect(scheduler.inFlight == [.delete(block: id, node: "d")])
}

@Test(arguments: [
    // (good holders, corrupt node alive) → delete?
    (["a", "b", "c"], true, true),
    (["a", "b"], true, false),          // not back at its target
    (["a", "b", "c"], false, false),    // the machine with the bad copy is down: nobody to ask
])
func corruptDeleteFollowsTheDeleteRule(holders: [String], corruptNodeUp: Bool, deletes: Bool) {
    let id = blockIDs(1, seed: 4)[0]
    var scheduler = Rebalance.Scheduler(config: config)
    var alive: Set<String> = ["a", "b", "c"]
    if corruptNodeUp { alive.insert("d") }
    let inputs = Rebalance.Scheduler.Inputs(
        blocks: [block(id, holders: holders, wanted: holders)], alive: alive, downSinceMilliseconds: [:],
        corrupt: [Rebalance.Replica(block: id, node: "d")])
    let actions = scheduler.step(inputs, nowMilliseconds: 0).filter { if case .delete = $0 { true } else { false } }
    #expect(actions == (deletes ? [.delete(block: id, node: "d")] : []))
}

@Test func canLoseIsTheOneDeleteRule() {
    let id = blockIDs(1, seed: 5)[0]
    let b = block(id, holders: ["a", "b", "c", "d"], wanted: [])
    #expect(b.canLose("d", alive: ["a", "b", "c", "d"]))
    #expect(!b.canLose("d", alive: ["a", "b", "d"]), "c is down: without d only two live copies")
    #expect(Rebalance.Scheduler.neededReplicas(on: "d", blocks: [b], alive: ["a", "b", "d"]) == [id])
}

@Test func livenessTracksDownSinceAndChangesOfTheLiveSet() {
    var liveness = Rebalance.Liveness()
    #expect(liveness.observe(members: ["a", "b", "c"], alive: ["a", "b", "c"], nowMilliseconds: 0).isEmpty)
    #expect(liveness.changedMilliseconds == 0)
    #expect(liveness.observe(members: ["a", "b", "c"], alive: ["a", "b"], nowMilliseconds: 100) == ["c"])
    #expect(liveness.observe(members: ["a", "b", "c"], alive: ["a", "b"], nowMilliseconds: 200).isEmpty, "already down")
    #expect(liveness.downSinceMilliseconds == ["c": 100])
    #expect(liveness.changedMilliseconds == 100)
    let down = liveness.downSinceMilliseconds
    #expect(Rebalance.Liveness.isWaiting("c", alive: ["a", "b"], downSince: down, nowMilliseconds: 1_099, graceMilliseconds: 1_000))
    #expect(!Rebalance.Liveness.isWaiting("c", alive: ["a", "b"], downSince: down, nowMilliseconds: 1_100, graceMilliseconds: 1_000))
    #expect(!Rebalance.Liveness.isWaiting("a", alive: ["a", "b"], downSince: down, nowMilliseconds: 150, graceMilliseconds: 1_000))
    // Back up: no longer down; a removed member is forgotten.
    _ = liveness.observe(members: ["a", "b"], alive: ["a", "b"], nowMilliseconds: 300)
    #expect(liveness.downSinceMilliseconds.isEmpty)
}
