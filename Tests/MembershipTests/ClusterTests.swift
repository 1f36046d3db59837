import Testing
import Membership

/// Whole-protocol stories on the one-tick `TestCluster`.
@Suite struct ClusterTests {
    static let period = SWIM.Config.test.probeIntervalTicks

    func allSee(_ cluster: TestCluster, _ name: String, as status: SWIM.Status, generation: UInt64 = 1) -> Bool {
        dissenters(cluster, name, status, generation).isEmpty
    }

    /// Observers whose view of `name` differs, with what they see instead.
    func dissenters(_ cluster: TestCluster, _ name: String, _ status: SWIM.Status, _ generation: UInt64 = 1) -> [String] {
        cluster.liveNames.filter { $0 != name }.compactMap {
            let m = cluster.instances[$0]?.member(named: name)
            return m?.status == status && m?.id.generation == generation ? nil : "\($0) sees \(m.map { "\($0.id) \($0.status) i\($0.incarnation)" } ?? "nothing")"
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func membersJoinThroughOneSeedAndLearnEveryone(seed: UInt64) {
        let cluster = TestCluster.formed(8, seed: seed)
        for observer in cluster.liveNames {
            let instance = cluster.instances[observer]!
            #expect(instance.liveMemberCount == 8, "\(observer) sees \(instance.peers.map(\.id))")
            #expect(!instance.isJoining)
        }
    }

    @Test func aJoinFallsBackToTheNextSeed() {
        var cluster = TestCluster.formed(3)
        cluster.crash("m0")
        cluster.add("late", seeds: ["m0", "m1"])
        cluster.run(forTicks: Self.period * 20)
        #expect(cluster.instances["late"]?.member(named: "m2")?.status == .alive)
        #expect(cluster.instances["m2"]?.member(named: "late")?.status == .alive)
    }

    @Test func aJoinWithNoLiveSeedFails() {
        var cluster = TestCluster(config: .test)
        cluster.add("lonely", seeds: ["nobody"])
        var failed = false
        var instance = cluster.instances["lonely"]!
        for attempt in 0..<SWIM.Config.test.joinAttemptsMax {
            failed = failed || instance.onTimeout(.joinTimeout(attempt: attempt), now: SWIM.Tick(attempt + 1) * 30).contains(.joinFailed)
        }
        #expect(failed)
        #expect(!instance.isJoining)
    }

    /// SWIM §3–4: a crash is detected, suspected, confirmed dead by everyone,
    /// and nobody else is accused on a lossless network.
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func aCrashedMemberIsDeclaredDeadByAllAndNobodyElse(seed: UInt64) {
        var cluster = TestCluster.formed(8, seed: seed)
        cluster.crash("m5")
        cluster.run(forTicks: Self.period * 80)
        #expect(allSee(cluster, "m5", as: .dead))
        for observer in cluster.liveNames {
            let wrong = cluster.changes[observer, default: []].filter { $0.member.status == .dead && $0.member.id.name != "m5" }
            #expect(wrong.isEmpty, "\(observer) declared \(wrong.map(\.member.id)) dead")
        }
    }

    @Test func aRestartWithANewGenerationSupersedesTheDeadRun() {
        var cluster = TestCluster.formed(6)
        cluster.crash("m3")
        cluster.run(forTicks: Self.period * 80)
        #expect(allSee(cluster, "m3", as: .dead))
        cluster.add("m3", generation: 2, seeds: ["m1"])
        cluster.run(forTicks: Self.period * 30)
        #expect(allSee(cluster, "m3", as: .alive, generation: 2))
    }

    @Test func aGracefulLeaveIsSeenAsLeftNotDead() {
        var cluster = TestCluster.formed(6)
        let out = cluster.instances["m2"]!.leave(now: cluster.nowTicks)
        cluster.perform(out, by: "m2")
        cluster.run(forTicks: Self.period * 3)
        cluster.crash("m2")
        cluster.run(forTicks: Self.period * 80)
        #expect(allSee(cluster, "m2", as: .left))
        for observer in cluster.liveNames {
            #expect(!cluster.changes[observer, default: []].contains { $0.member.id.name == "m2" && $0.member.status == .dead })
        }
    }

    @Test func newMetadataSpreadsToEveryone() {
        var cluster = TestCluster.formed(8)
        var metadata = TestCluster.metadata("m4")
        metadata[.hot].usedBytes = 123_456
        metadata.labels["zone"] = "basement"
        cluster.instances["m4"]!.updateMetadata(metadata, now: cluster.nowTicks)
        cluster.run(forTicks: Self.period * 15)
        for observer in cluster.liveNames where observer != "m4" {
            let seen = cluster.instances[observer]?.member(named: "m4")?.metadata
            #expect(seen?[.hot].usedBytes == 123_456)
            #expect(seen?.labels["zone"] == "basement")
            #expect(seen?.version == 1)
            #expect(cluster.metadataChanges[observer, default: []].contains { $0.id.name == "m4" })
        }
    }

    /// A partition makes each side declare the other dead; after healing,
    /// tombstone probes make both sides refute and everyone converges.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func aHealedPartitionConverges(seed: UInt64) {
        var cluster = TestCluster.formed(8, seed: seed)
        let left = ["m0", "m1", "m2"], right = ["m3", "m4", "m5", "m6", "m7"]
        cluster.partition(left, right)
        cluster.run(forTicks: Self.period * 100)
        #expect(cluster.status(of: "m0", seenBy: "m7") == .dead)
        #expect(cluster.status(of: "m7", seenBy: "m0") == .dead)
        cluster.cut = []
        cluster.run(forTicks: Self.period * 120)
        for name in cluster.liveNames {
            let wrong = dissenters(cluster, name, .alive)
            #expect(wrong.isEmpty, "\(name): \(wrong)")
        }
    }

    @Test func oneSeedReplaysIdentically() {
        func trace() -> [String] {
            var cluster = TestCluster.formed(6, seed: 99)
            cluster.crash("m1")
            cluster.run(forTicks: Self.period * 60)
            return cluster.liveNames.flatMap { o in cluster.changes[o, default: []].map { "\(o):\($0.member.id):\($0.member.status)" } }
        }
        #expect(trace() == trace())
    }
}
