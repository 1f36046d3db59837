import Testing
import YonkeCore
@testable import Consensus

@Suite struct SnapshotTests {
    /// §7: a follower that needs entries the leader compacted away gets the
    /// snapshot, then the entries after it.
    @Test func laggingFollowerIsSentTheSnapshot() {
        var cluster = TestCluster(["n1", "n2", "n3"])
        cluster.campaign("n1")
        cluster.stabilize()
        cluster.isolate("n3")
        for i in 0..<10 { _ = cluster.propose("n1", [UInt8(i)]) }
        cluster.stabilize()
        let applied = cluster["n1"].appliedIndex
        cluster.with("n1") { $0.compact(through: applied, data: [0x5A]) }
        #expect(cluster["n1"].snapshotIndex == applied)
        #expect(cluster.storage["n1"]!.snapshot?.metadata.index == applied)
        _ = cluster.propose("n1", [0xEE])
        cluster.heal()
        for _ in 0..<cluster.config.heartbeatTicks { cluster.tick("n1") }
        cluster.stabilize()
        #expect(cluster.delivered.contains { if case .installSnapshot = $0.kind { return $0.to == "n3" }; return false })
        #expect(cluster["n3"].snapshotIndex == applied)
        #expect(cluster["n3"].lastIndex == cluster["n1"].lastIndex)
        #expect(cluster.storage["n3"]!.snapshot?.data == [0x5A])
        // The follower applies what follows the snapshot.
        #expect(cluster.applied["n3"]!.last?.data == [0xEE])
    }

    /// A restarted node reads back its snapshot and the entries after it, nothing else.
    @Test func restartFromSnapshotAndTail() {
        var cluster = TestCluster(["n1"])
        cluster.campaign("n1")
        for i in 0..<5 { _ = cluster.propose("n1", [UInt8(i)]) }
        cluster.with("n1") { $0.compact(through: 3, data: [3]) }
        _ = cluster.propose("n1", [9])
        let last = cluster["n1"].lastIndex
        cluster.restart("n1")
        #expect(cluster["n1"].snapshotIndex == 3)
        #expect(cluster["n1"].lastIndex == last)
        #expect(cluster["n1"].commitIndex == last)
        #expect(cluster["n1"].term == 1)
    }

    /// The driver is asked for a snapshot once enough applied entries pile up.
    @Test func snapshotRequestedAtThreshold() {
        var config = Raft.Config.test
        config.snapshotThresholdEntries = 4
        var node = Raft.Node(id: "n1", config: config, bootstrap: Raft.Configuration(voters: ["n1"]), generator: SeededGenerator(seed: 1))
        node.campaign()
        var requests: [Raft.Index] = []
        for i in 0..<6 {
            _ = node.propose([UInt8(i)])
            let ready = node.ready()
            _ = node.advance(ready)
            if let r = ready.snapshotRequest {
                requests.append(r)
                node.compact(through: r, data: [])
            }
        }
        #expect(requests == [4])
    }
}

@Suite struct MembershipTests {
    /// Thesis §4.1 / §4.2.1: a learner receives the log but does not count for
    /// commits or votes; once caught up it is promoted and then counts.
    @Test func learnerCatchesUpThenIsPromoted() {
        var cluster = TestCluster(["n1", "n2", "n3"])
        cluster.nodes["n4"] = Raft.Node(id: "n4", config: .test, bootstrap: Raft.Configuration(voters: ["n1", "n2", "n3"]),
                                        generator: SeededGenerator(seed: 4))
        cluster.storage["n4"] = Raft.PersistentState()
        cluster.campaign("n1")
        cluster.stabilize()
        var result: Result<Raft.Index, Raft.Node.ProposalError>?
        cluster.with("n1") { result = $0.proposeConfigurationChange(.addLearner("n4")) }
        #expect((try? result?.get()) != nil)
        cluster.stabilize()
        #expect(cluster["n1"].configuration.learners == ["n4"])
        #expect(cluster["n4"].configuration.learners == ["n4"])
        #expect(cluster["n4"].lastIndex == cluster["n1"].lastIndex)
        // A learner never campaigns.
        cluster.tick("n4", times: 100)
        #expect(cluster["n4"].role == .follower)
        // A learner that has fallen behind is not promoted yet.
        cluster.isolate("n4")
        _ = cluster.propose("n1", [7])
        cluster.stabilize()
        cluster.with("n1") { result = $0.proposeConfigurationChange(.promoteLearner("n4")) }
        #expect(result == .failure(.learnerNotCaughtUp))
        cluster.heal()
        for _ in 0..<cluster.config.heartbeatTicks { cluster.tick("n1") }
        cluster.stabilize()
        cluster.with("n1") { result = $0.proposeConfigurationChange(.promoteLearner("n4")) }
        cluster.stabilize()
        #expect(cluster["n1"].configuration.voters == ["n1", "n2", "n3", "n4"])
        // Now a quorum is 3 of 4: with n2 and n3 cut off, nothing commits.
        cluster.partition(["n1", "n4"], ["n2", "n3"])
        let before = cluster["n1"].commitIndex
        _ = cluster.propose("n1", [1])
        cluster.stabilize()
        #expect(cluster["n1"].commitIndex == before)
    }

    /// One change at a time: a second change is refused until the first commits.
    @Test func secondChangeWaitsForTheFirst() {
        var cluster = TestCluster(["n1", "n2", "n3"])
        cluster.campaign("n1")
        cluster.stabilize()
        cluster.isolate("n1")
        var first: Result<Raft.Index, Raft.Node.ProposalError>?
        var second: Result<Raft.Index, Raft.Node.ProposalError>?
        cluster.with("n1") {
            first = $0.proposeConfigurationChange(.remove("n3"))
            second = $0.proposeConfigurationChange(.addLearner("n9"))
        }
        #expect((try? first?.get()) != nil)
        #expect(second == .failure(.configurationChangePending))
    }

    @Test(arguments: [
        (Raft.ConfigurationChange.addVoter("n1"), false),
        (.promoteLearner("n2"), false),
        (.remove("n9"), false),
        (.addLearner("n4"), true),
        (.remove("n2"), true),
    ])
    func invalidChangesAreRefused(change: Raft.ConfigurationChange, valid: Bool) {
        let configuration = Raft.Configuration(voters: ["n1", "n2", "n3"])
        #expect((configuration.applying(change) != nil) == valid)
    }

    /// Thesis §4.2.2: a leader that removes itself keeps leading until the
    /// change commits, then steps down; the others elect a new leader.
    @Test func leaderRemovingItselfStepsDownAfterCommit() {
        var cluster = TestCluster(["n1", "n2", "n3"])
        cluster.campaign("n1")
        cluster.stabilize()
        cluster.with("n1") { _ = $0.proposeConfigurationChange(.remove("n1")) }
        #expect(cluster["n1"].role == .leader)
        cluster.stabilize()
        #expect(cluster["n1"].role == .follower)
        #expect(cluster["n2"].configuration.voters == ["n2", "n3"])
        cluster.tick("n2", times: cluster.config.electionTimeoutTicks * 2)
        cluster.tick("n3", times: cluster.config.electionTimeoutTicks)
        cluster.stabilize()
        #expect(cluster.leaders.count == 1 && cluster.leaders != ["n1"])
        // The removed node does not campaign.
        cluster.tick("n1", times: 100)
        #expect(cluster["n1"].role == .follower)
    }

    /// A snapshot racing a membership change: the follower holds an uncommitted
    /// configuration entry from a deposed leader, then installs a snapshot
    /// from the new leader. The configuration in force must come from the
    /// snapshot (the entry was discarded with the log), not the stale entry.
    @Test func snapshotReplacesAnUncommittedConfigurationEntry() {
        let voters: [Raft.NodeID] = ["n1", "n2", "n3"]
        let staleChange = Raft.Entry(term: 1, index: 2, kind: .configuration,
                                     data: Raft.Configuration(voters: ["n1", "n2"]).encoded())
        var follower = Raft.Node(id: "n3", config: .test, bootstrap: Raft.Configuration(voters: voters),
                                 restoring: Raft.PersistentState(hardState: Raft.HardState(term: 1, commit: 1),
                                                                 entries: [Raft.Entry(term: 1, index: 1), staleChange]),
                                 generator: SeededGenerator(seed: 1))
        #expect(follower.configuration.voters == ["n1", "n2"])
        let snapshotConfiguration = Raft.Configuration(voters: voters, learners: ["n4"])
        let snapshot = Raft.Snapshot(metadata: Raft.SnapshotMetadata(index: 5, term: 2, configuration: snapshotConfiguration), data: [7])
        follower.receive(Raft.Message(from: "n2", to: "n3", term: 2, kind: .installSnapshot(snapshot)))
        #expect(follower.configuration == snapshotConfiguration)
        #expect(follower.snapshotIndex == 5 && follower.commitIndex == 5)
        let ready = follower.ready()
        #expect(ready.snapshotToApply == snapshot)
        #expect(ready.snapshotToPersist == snapshot)
        #expect(follower.advance(ready).map(\.kind) == [.appendResponse(success: true, index: 5, hintIndex: 0, hintTerm: 0)])
    }

    /// The other direction: the follower already holds the snapshot's last
    /// entry and a newer configuration entry after it; the snapshot must not
    /// roll the configuration back.
    @Test func snapshotDoesNotRollBackANewerConfiguration() {
        let voters: [Raft.NodeID] = ["n1", "n2", "n3"]
        let newer = Raft.Configuration(voters: voters, learners: ["n4"])
        var follower = Raft.Node(id: "n3", config: .test, bootstrap: Raft.Configuration(voters: voters),
                                 restoring: Raft.PersistentState(hardState: Raft.HardState(term: 2, commit: 1), entries: [
                                    Raft.Entry(term: 1, index: 1), Raft.Entry(term: 2, index: 2),
                                    Raft.Entry(term: 2, index: 3, kind: .configuration, data: newer.encoded()),
                                 ]), generator: SeededGenerator(seed: 1))
        let snapshot = Raft.Snapshot(metadata: Raft.SnapshotMetadata(index: 2, term: 2, configuration: Raft.Configuration(voters: voters)), data: [])
        follower.receive(Raft.Message(from: "n1", to: "n3", term: 2, kind: .installSnapshot(snapshot)))
        #expect(follower.configuration == newer)
        #expect(follower.lastIndex == 3)
        #expect(follower.commitIndex == 2)
    }

    /// A snapshot taken by compaction records the configuration in force at its index.
    @Test func compactionRecordsTheConfigurationAtItsIndex() {
        var cluster = TestCluster(["n1"])
        cluster.campaign("n1")
        cluster.with("n1") { _ = $0.proposeConfigurationChange(.addLearner("n2")) }
        let changeIndex = cluster["n1"].lastIndex
        _ = cluster.propose("n1", [1])
        cluster.with("n1") { $0.compact(through: changeIndex - 1, data: []) }
        #expect(cluster.storage["n1"]!.snapshot?.metadata.configuration.learners == [])
        cluster.with("n1") { $0.compact(through: changeIndex + 1, data: []) }
        #expect(cluster.storage["n1"]!.snapshot?.metadata.configuration.learners == ["n2"])
    }

    @Test func configurationEncodingRoundTrips() {
        let configuration = Raft.Configuration(voters: ["m1", "m2", "m3"], learners: ["w1"])
        #expect(Raft.Configuration(encoded: configuration.encoded()) == configuration)
        #expect(Raft.Configuration(encoded: Array(configuration.encoded().dropLast())) == nil)
    }
}

@Suite struct ReadAndTransferTests {
    /// Thesis §6.4 ReadIndex: the read point is the commit index, released
    /// only after a quorum confirms the leader still leads.
    @Test func readIndexNeedsAQuorumHeartbeatRound() {
        var cluster = TestCluster(["n1", "n2", "n3"])
        cluster.campaign("n1")
        cluster.stabilize()
        _ = cluster.propose("n1", [1])
        cluster.stabilize()
        cluster.with("n1") { $0.requestRead(context: 42) }
        #expect(cluster.readStates["n1", default: []].isEmpty)
        cluster.stabilize()
        #expect(cluster.readStates["n1"] == [Raft.ReadState(context: 42, index: cluster["n1"].commitIndex)])
    }

    @Test func partitionedLeaderCannotServeReads() {
        var cluster = TestCluster(["n1", "n2", "n3"])
        cluster.campaign("n1")
        cluster.stabilize()
        cluster.isolate("n1")
        cluster.with("n1") { $0.requestRead(context: 7) }
        cluster.stabilize()
        #expect(cluster.readStates["n1", default: []].isEmpty)
    }

    @Test func followerRefusesReads() {
        var cluster = TestCluster(["n1", "n2", "n3"])
        cluster.campaign("n1")
        cluster.stabilize()
        cluster.with("n2") { $0.requestRead(context: 7) }
        #expect(cluster.readStates["n2"] == [Raft.ReadState(context: 7, index: nil)])
    }

    /// Thesis §3.10: the leader brings the target up to date, then it
    /// campaigns at once, overriding the followers' leases; proposals are
    /// refused while the transfer runs.
    @Test func leadershipTransferToALaggingFollower() {
        var cluster = TestCluster(["n1", "n2", "n3"])
        cluster.campaign("n1")
        cluster.stabilize()
        cluster.isolate("n3")
        _ = cluster.propose("n1", [1])
        cluster.stabilize()
        cluster.heal()
        cluster.with("n1") { $0.transferLeadership(to: "n3") }
        #expect(cluster.propose("n1", [2]) == .failure(.transferInProgress))
        cluster.stabilize()
        #expect(cluster.leaders == ["n3"])
        #expect(cluster["n3"].term == 2)
        #expect(cluster["n3"].lastIndex >= 2)
    }

    @Test func transferIsAbandonedAfterAnElectionTimeout() {
        var cluster = TestCluster(["n1", "n2", "n3"])
        cluster.campaign("n1")
        cluster.stabilize()
        cluster.isolate("n3")
        cluster.with("n1") { $0.transferLeadership(to: "n3") }
        for _ in 0..<cluster.config.electionTimeoutTicks {
            cluster.tick("n1")
            cluster.stabilize()
        }
        #expect(cluster["n1"].role == .leader)
        #expect((try? cluster.propose("n1", [3]).get()) != nil)
    }
}
