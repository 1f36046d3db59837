import Testing
import YonkeCore
@testable import Consensus

@Suite struct ElectionTests {
    /// §5.2: a candidate wins with votes from a majority; without one, nobody leads.
    @Test(arguments: [
        (3, 0, true), (3, 1, true), (3, 2, false),
        (5, 2, true), (5, 3, false), (1, 0, true),
    ])
    func electionNeedsAMajority(size: Int, downCount: Int, elected: Bool) {
        let names = (1...size).map { "n\($0)" }
        var cluster = TestCluster(names)
        for name in names.suffix(downCount) { cluster.down.insert(Raft.NodeID(name)) }
        cluster.campaign("n1")
        cluster.stabilize()
        #expect((cluster["n1"].role == .leader) == elected)
    }

    /// §5.2: an election starts only after the randomized timeout, within
    /// [electionTimeout, 2 × electionTimeout) ticks.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func followerCampaignsAfterRandomizedTimeout(seed: UInt64) {
        var cluster = TestCluster(["n1", "n2", "n3"], seed: seed)
        let timeout = cluster.config.electionTimeoutTicks
        cluster.tick("n1", times: timeout - 1)
        #expect(cluster["n1"].role == .follower)
        cluster.tick("n1", times: timeout)
        #expect(cluster["n1"].role == .preCandidate)
    }

    /// §5.2: at most one vote per term, first come first served; a repeated
    /// request from the same candidate is granted again (lost response).
    @Test(arguments: [
        (nil as String?, "n2", true), ("n2", "n2", true), ("n3", "n2", false),
    ])
    func oneVotePerTerm(votedFor: String?, candidate: String, granted: Bool) {
        var cluster = TestCluster(["n1", "n2", "n3"], states: [
            "n1": Raft.PersistentState(hardState: Raft.HardState(term: 2, vote: votedFor.map { Raft.NodeID($0) })),
        ])
        let request = Raft.Message(from: Raft.NodeID(candidate), to: "n1", term: 2,
                                   kind: .vote(lastIndex: 0, lastTerm: 0, transfer: false))
        cluster.with("n1") { $0.receive(request) }
        let response = cluster.inflight.last
        #expect(response?.kind == .voteResponse(granted: granted))
    }

    /// §5.4.1: votes only for a candidate whose log is at least as up to date:
    /// higher last term wins; equal last terms compare length.
    @Test(arguments: [
        // voter log terms, candidate last (index, term), granted
        ([1, 1, 2], (3, 2), true),
        ([1, 1, 2], (4, 2), true),
        ([1, 1, 2], (2, 2), false),
        ([1, 1, 2], (9, 1), false),
        ([1, 1, 2], (1, 3), true),
        ([], (0, 0), true),
    ] as [([Raft.Term], (Int, Int), Bool)])
    func upToDateCheck(voterTerms: [Raft.Term], candidateLast: (Int, Int), granted: Bool) {
        var cluster = TestCluster(["n1", "n2", "n3"], states: ["n1": state(terms: voterTerms, term: 5)])
        let request = Raft.Message(from: "n2", to: "n1", term: 6,
                                   kind: .vote(lastIndex: Raft.Index(candidateLast.0), lastTerm: Raft.Term(candidateLast.1), transfer: false))
        cluster.with("n1") { $0.receive(request) }
        #expect(cluster.inflight.last?.kind == .voteResponse(granted: granted))
        // The term moves to the candidate's either way (§5.1).
        #expect(cluster["n1"].term == 6)
    }

    /// The vote is part of the hard state handed out for persistence in the
    /// same Ready that holds the response: the response cannot leave first.
    @Test func voteIsPersistedBeforeTheResponseIsReleased() {
        var node = Raft.Node(id: "n1", config: .test, bootstrap: Raft.Configuration(voters: ["n1", "n2", "n3"]),
                             generator: SeededGenerator(seed: 1))
        node.receive(Raft.Message(from: "n2", to: "n1", term: 1, kind: .vote(lastIndex: 0, lastTerm: 0, transfer: false)))
        let ready = node.ready()
        #expect(ready.hardState == Raft.HardState(term: 1, vote: "n2", commit: 0))
        #expect(ready.messageCount == 1)
        let released = node.advance(ready)
        #expect(released.map(\.kind) == [.voteResponse(granted: true)])
        #expect(node.ready().isEmpty)
    }

    /// Thesis §9.6: a node cut off from the cluster keeps campaigning, but
    /// pre-vote keeps its term unchanged, so when it returns it does not
    /// depose the healthy leader.
    @Test func preVoteDoesNotBumpTermsOfAnIsolatedNode() {
        var cluster = TestCluster(["n1", "n2", "n3"])
        cluster.campaign("n1")
        cluster.stabilize()
        let term = cluster["n1"].term
        cluster.isolate("n3")
        for _ in 0..<10 {
            cluster.tick("n3", times: cluster.config.electionTimeoutTicks * 2)
            cluster.stabilize()
        }
        #expect(cluster["n3"].term == term)
        cluster.heal()
        cluster.tick("n3", times: cluster.config.electionTimeoutTicks * 2)
        cluster.stabilize()
        #expect(cluster["n1"].role == .leader)
        #expect(cluster["n1"].term == term)
    }

    /// Without pre-vote the same isolated node inflates its term and, on its
    /// return, forces the leader to step down: the disruption pre-vote prevents.
    @Test func withoutPreVoteAnIsolatedNodeDisruptsTheLeader() {
        var config = Raft.Config.test
        config.preVote = false
        config.checkQuorum = false
        var cluster = TestCluster(["n1", "n2", "n3"], config: config)
        cluster.campaign("n1")
        cluster.stabilize()
        let term = cluster["n1"].term
        cluster.isolate("n3")
        cluster.tick("n3", times: cluster.config.electionTimeoutTicks * 2)
        #expect(cluster["n3"].term > term)
        cluster.heal()
        cluster.with("n1") { $0.tick() }
        for _ in 0..<cluster.config.heartbeatTicks { cluster.tick("n1") }
        cluster.stabilize()
        #expect(cluster["n1"].term > term)
    }

    /// Thesis §6.2: with check-quorum, a leader that hears from no quorum for an
    /// election timeout steps down.
    @Test func leaderWithoutQuorumStepsDown() {
        var cluster = TestCluster(["n1", "n2", "n3"])
        cluster.campaign("n1")
        cluster.stabilize()
        cluster.isolate("n1")
        for _ in 0..<(cluster.config.electionTimeoutTicks * 2) {
            cluster.tick("n1")
            cluster.stabilize()
        }
        #expect(cluster["n1"].role == .follower)
    }

    /// Check-quorum's lease: followers that hear from a leader ignore vote
    /// requests, even from a node with a higher term.
    @Test func followersInLeaseIgnoreVotes() {
        var cluster = TestCluster(["n1", "n2", "n3"])
        cluster.campaign("n1")
        cluster.stabilize()
        let term = cluster["n1"].term
        cluster.with("n2") { $0.receive(Raft.Message(from: "n3", to: "n2", term: term + 5,
                                                       kind: .vote(lastIndex: 100, lastTerm: term + 4, transfer: false))) }
        #expect(cluster["n2"].term == term)
        #expect(cluster["n2"].vote == "n1")
    }

    /// §5.1, §6.2: a stale leader in a minority partition cannot commit; once
    /// healed it learns the new term, steps down, and its uncommitted entries
    /// are replaced by the new leader's log.
    @Test func staleLeaderInMinorityPartition() {
        var cluster = TestCluster(["n1", "n2", "n3", "n4", "n5"])
        cluster.campaign("n1")
        cluster.stabilize()
        let committedBefore = cluster["n1"].commitIndex
        cluster.partition(["n1", "n2"], ["n3", "n4", "n5"])
        _ = cluster.propose("n1", [0xAA])
        _ = cluster.propose("n1", [0xBB])
        cluster.stabilize()
        #expect(cluster["n1"].commitIndex == committedBefore)
        // The majority's lease on n1 runs out, then n3 campaigns.
        for name in ["n3", "n4", "n5"] { cluster.tick(name, times: cluster.config.electionTimeoutTicks) }
        cluster.campaign("n3")
        cluster.stabilize()
        #expect(cluster["n3"].role == .leader)
        _ = cluster.propose("n3", [0xCC])
        cluster.stabilize()
        cluster.heal()
        for _ in 0..<cluster.config.heartbeatTicks { cluster.tick("n3") }
        cluster.stabilize()
        #expect(cluster.leaders == ["n3"])
        for name in ["n1", "n2", "n3", "n4", "n5"] {
            #expect(cluster.logTerms(name) == cluster.logTerms("n3"), "\(name)")
            #expect(!cluster.applied[Raft.NodeID(name), default: []].contains { $0.data == [0xAA] })
        }
    }
}
