import Testing
@testable import Placement

@Test(arguments: [(nil, 1.0), (0.5, 1.0), (5.0, 1.0), (10.0, 0.3679), (15.0, 0.1353)] as [(Double?, Double)])
func priorFollowsDiskAge(age: Double?, expected: Double) {
    #expect(abs(Reliability(diskAgeYears: age).score - expected) < 1e-4)
}

@Test func eventsLowerTheScoreAndHealthyTimeRestoresIt() {
    var reliability = Reliability(diskAgeYears: 2)
    var previous = reliability.score
    for event in 0..<12 {
        switch event % 3 {
        case 0: reliability.onIOError()
        case 1: reliability.onChecksumFailure()
        default: reliability.onCrash()
        }
        #expect(reliability.score < previous)
        #expect(reliability.score > 0)
        previous = reliability.score
    }
    let penalty = reliability.penalty
    reliability.onHealthyTicks(Reliability.Config.standard.penaltyHalfLifeTicks)
    #expect(abs(reliability.penalty - penalty / 2) < 1e-9)
    reliability.onHealthyTicks(100 * Reliability.Config.standard.penaltyHalfLifeTicks)
    #expect(reliability.score == 1)
}

@Test func checksumFailuresCostMoreThanIOErrors() {
    var io = Reliability(), checksum = Reliability()
    io.onIOError()
    checksum.onChecksumFailure()
    #expect(checksum.score < io.score)
}

@Test func scoreNeverReachesZero() {
    var reliability = Reliability(diskAgeYears: 60)
    for _ in 0..<10_000 { reliability.onChecksumFailure() }
    #expect(reliability.score == Reliability.Config.standard.scoreFloor)
}

/// Three big machines, one per rack, are unreliable; without the rule many
/// blocks would sit only on them. With it, no block does.
@Test func neverAllReplicasOnUnreliableMachinesWhenOthersExist() throws {
    var machines = members(of: try junkyardTopology())
    let unreliable: Set = ["nas-a", "server-b", "media-c"]
    for i in machines.indices where unreliable.contains(machines[i].name) { machines[i].reliability = 0.45 }
    let map = Placement.Map(members: machines, tier: .cold, config: .standard)
    for block in blockIDs(20_000) {
        let replicas = map.replicas(for: block)
        #expect(!replicas.allSatisfy { unreliable.contains($0) }, "\(block.short): \(replicas)")
    }
    // The rule is not vacuous: the same draws without the rule would do it.
    let rawRules = Placement.Rules(rackOf: map.rules.rackOf, isReliable: map.rules.isReliable.map { _ in true },
                                   rackCount: map.racks.count, replicas: 3, replicasPerRackMax: map.replicasPerRackMax)
    let withoutRule = Placement.WeightSet.inclusion(weights: map.entries.map(\.drawWeight), rules: rawRules)
    let withRule = Placement.WeightSet.inclusion(weights: map.entries.map(\.drawWeight), rules: map.rules)
    let bigOnes = map.entries.indices.filter { unreliable.contains(map.entries[$0].name) }
    #expect(bigOnes.reduce(0) { $0 + withoutRule[$1] } > bigOnes.reduce(0) { $0 + withRule[$1] })
}

/// When every machine is unreliable there is nothing better: blocks are still placed.
@Test func allUnreliableStillPlaces() throws {
    var machines = members(of: try junkyardTopology())
    for i in machines.indices { machines[i].reliability = 0.2 }
    let map = Placement.Map(members: machines, tier: .cold, config: .standard)
    #expect(blockIDs(200).allSatisfy { map.replicas(for: $0).count == 3 })
}

/// The score shades the weight smoothly: a machine's target share falls
/// continuously as its score falls — no cliff at the threshold.
@Test func lowerScoreLowersShareWithoutACliff() throws {
    var shares: [Double] = []
    for step in 0...20 {
        var machines = members(of: try junkyardTopology())
        let score = 1.0 - Double(step) * 0.045
        machines[machines.firstIndex { $0.name == "workstation-c" }!].reliability = score
        let map = Placement.Map(members: machines, tier: .cold, config: .standard)
        shares.append(try #require(map.modelShares())[map.entries.firstIndex { $0.name == "workstation-c" }!])
    }
    for (earlier, later) in zip(shares, shares.dropFirst()) {
        #expect(later < earlier)
        #expect(earlier - later < 0.01, "\(shares)")
    }
}
