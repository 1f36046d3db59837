import Testing
import YonkeCore
@testable import Consensus

/// Single rules from Figure 2 of the Raft paper, each driven by hand.
@Suite struct PaperRulesTests {
    func node(_ id: Raft.NodeID = "n1", terms: [Raft.Term] = [], term: Raft.Term = 1, commit: Raft.Index = 0,
              voters: [Raft.NodeID] = ["n1", "n2", "n3"]) -> Raft.Node {
        Raft.Node(id: id, config: .test, bootstrap: Raft.Configuration(voters: voters),
                  restoring: state(terms: terms, term: term, commit: commit), generator: SeededGenerator(seed: 1))
    }

    /// §5.3: a follower commits no further than the last entry the append
    /// proves it shares with the leader, even if the leader's commit is higher
    /// and the follower has (stale) entries beyond.
    @Test(arguments: [
        // follower terms, prevIndex@prevTerm, entries count, leader commit, expected follower commit
        ([1, 1, 2, 2] as [Raft.Term], (2, 1), 0, 4, 2),
        ([1, 1, 2, 2], (2, 1), 1, 4, 3),
        ([1, 1], (2, 1), 2, 3, 3),
        ([1, 1], (2, 1), 0, 1, 1),
    ] as [([Raft.Term], (Int, Int), Int, Int, Int)])
    func followerCommitIsBoundedByTheProvenPrefix(terms: [Raft.Term], prev: (Int, Int), count: Int, leaderCommit: Int, expected: Int) {
        var follower = node(terms: terms, term: 3)
        let newEntries = (0..<count).map { Raft.Entry(term: 3, index: Raft.Index(prev.0 + 1 + $0)) }
        follower.receive(Raft.Message(from: "n2", to: "n1", term: 3,
                                      kind: .append(prevIndex: Raft.Index(prev.0), prevTerm: Raft.Term(prev.1), entries: newEntries, commit: Raft.Index(leaderCommit))))
        #expect(follower.commitIndex == Raft.Index(expected))
    }

    /// §5.3: an append whose prevIndex@prevTerm the follower lacks is rejected,
    /// with a hint that skips a whole conflicting term.
    @Test func rejectionCarriesAConflictHint() {
        var follower = node(terms: [1, 1, 2, 2, 2, 2], term: 3)
        follower.receive(Raft.Message(from: "n2", to: "n1", term: 3,
                                      kind: .append(prevIndex: 6, prevTerm: 3, entries: [], commit: 0)))
        let ready = follower.ready()
        let response = follower.advance(ready).first?.kind
        #expect(response == .appendResponse(success: false, index: 6, hintIndex: 6, hintTerm: 2))
    }

    /// §5.2: a candidate that hears from a leader of its own term concedes.
    @Test func candidateConcedesToALeaderOfItsTerm() {
        var candidate = node(term: 1)
        candidate.receive(Raft.Message(from: "n2", to: "n1", term: 1, kind: .timeoutNow))
        #expect(candidate.role == .candidate && candidate.term == 2)
        candidate.receive(Raft.Message(from: "n3", to: "n1", term: 2, kind: .heartbeat(commit: 0, readContext: nil)))
        #expect(candidate.role == .follower && candidate.leader == "n3" && candidate.term == 2)
        #expect(candidate.vote == "n1", "its own vote in term 2 stands")
    }

    /// Votes are counted once per voter: a duplicated grant (the network
    /// duplicates messages) must not make a minority look like a majority.
    @Test func duplicateGrantsCountOnce() {
        var candidate = node(voters: ["n1", "n2", "n3", "n4", "n5"])
        candidate.receive(Raft.Message(from: "n2", to: "n1", term: 1, kind: .timeoutNow))
        let term = candidate.term
        for _ in 0..<3 {
            candidate.receive(Raft.Message(from: "n2", to: "n1", term: term, kind: .voteResponse(granted: true)))
        }
        #expect(candidate.role == .candidate)
        candidate.receive(Raft.Message(from: "n3", to: "n1", term: term, kind: .voteResponse(granted: true)))
        #expect(candidate.role == .leader)
    }

    /// §5.1: any message with a newer term turns a leader into a follower.
    @Test func leaderStepsDownOnANewerTerm() {
        var cluster = TestCluster(["n1", "n2", "n3"])
        cluster.campaign("n1")
        cluster.stabilize()
        cluster.with("n1") { $0.receive(Raft.Message(from: "n2", to: "n1", term: 9,
                                                     kind: .appendResponse(success: false, index: 0, hintIndex: 0, hintTerm: 0))) }
        #expect(cluster["n1"].role == .follower && cluster["n1"].term == 9)
    }

    /// A pre-vote is granted for a later term without touching the voter's
    /// term or vote; a real vote is then still available (thesis §9.6).
    @Test func preVoteGrantLeavesTermAndVoteAlone() {
        var voter = node(term: 4)
        voter.receive(Raft.Message(from: "n2", to: "n1", term: 5, kind: .preVote(lastIndex: 0, lastTerm: 0)))
        #expect(voter.term == 4 && voter.vote == nil)
        let ready = voter.ready()
        #expect(ready.hardState == nil, "nothing to persist for a pre-vote")
        #expect(voter.advance(ready).map(\.kind) == [.preVoteResponse(granted: true)])
    }

    /// The leader's heartbeat never advertises a commit index beyond what the
    /// follower is known to hold.
    @Test func heartbeatCommitIsCappedByTheFollowersMatch() {
        var cluster = TestCluster(["n1", "n2", "n3"])
        cluster.campaign("n1")
        cluster.stabilize()
        cluster.isolate("n3")
        for i in 0..<3 { _ = cluster.propose("n1", [UInt8(i)]) }
        cluster.stabilize()
        cluster.inflight = []
        for _ in 0..<cluster.config.heartbeatTicks { cluster.tick("n1") }
        let toN3 = cluster.inflight.first { $0.to == "n3" }
        #expect(toN3?.kind == .heartbeat(commit: 1, readContext: nil))
        #expect(cluster["n1"].commitIndex == 4)
    }
}

@Suite struct ReadyContractTests {
    /// Inputs stepped while a Ready is being persisted land in the next Ready,
    /// and messages never leave ahead of the state they depend on.
    @Test func steppingBetweenReadyAndAdvance() {
        var node = Raft.Node(id: "n1", config: .test, bootstrap: Raft.Configuration(voters: ["n1", "n2", "n3"]), generator: .init(seed: 1))
        node.receive(Raft.Message(from: "n2", to: "n1", term: 1, kind: .append(prevIndex: 0, prevTerm: 0,
                                                                                  entries: [Raft.Entry(term: 1, index: 1)], commit: 0)))
        let first = node.ready()
        #expect(first.entriesToPersist.map(\.index) == [1])
        // While "fsyncing", the leader sends more.
        node.receive(Raft.Message(from: "n2", to: "n1", term: 1, kind: .append(prevIndex: 1, prevTerm: 1,
                                                                                  entries: [Raft.Entry(term: 1, index: 2)], commit: 1)))
        #expect(node.advance(first).map(\.kind) == [.appendResponse(success: true, index: 1, hintIndex: 0, hintTerm: 0)])
        let second = node.ready()
        #expect(second.entriesToPersist.map(\.index) == [2])
        #expect(second.committedEntries.map(\.index) == [1])
        #expect(second.hardState?.commit == 1)
        #expect(node.advance(second).map(\.kind) == [.appendResponse(success: true, index: 2, hintIndex: 0, hintTerm: 0)])
        #expect(node.ready().isEmpty)
    }
}
