import Testing
import YonkeCore
@testable import Consensus

@Suite struct ReplicationTests {
    /// Figure 7: the leader of term 8 and followers (a)–(f) with missing,
    /// extra and conflicting entries. After replication every follower's log
    /// equals the leader's (§5.3), including (f), which holds uncommitted
    /// entries of terms 2 and 3 that no one else has.
    static let figure7Leader: [Raft.Term] = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]
    @Test(arguments: [
        ("a", [1, 1, 1, 4, 4, 5, 5, 6, 6] as [Raft.Term]),
        ("b", [1, 1, 1, 4]),
        ("c", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6]),
        ("d", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]),
        ("e", [1, 1, 1, 4, 4, 4, 4]),
        ("f", [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]),
    ])
    func figure7FollowersConvergeOnTheLeadersLog(name: String, follower: [Raft.Term]) {
        // A third node with the leader's log gives the leader its majority.
        var cluster = TestCluster(["leader", "follower", "peer"], states: [
            "leader": state(terms: Self.figure7Leader, term: 7),
            "follower": state(terms: follower, term: 7),
            "peer": state(terms: Self.figure7Leader, term: 7),
        ])
        cluster.campaign("leader")
        cluster.stabilize()
        #expect(cluster["leader"].role == .leader && cluster["leader"].term == 8)
        let expected = Self.figure7Leader + [8]
        #expect(cluster.logTerms("follower") == expected, "follower (\(name))")
        #expect(cluster["follower"].commitIndex == 11)
        // Fast backtracking: a handful of rejections, not one per entry (§5.3, last paragraph).
        let rejections = cluster.delivered.filter {
            if case .appendResponse(success: false, _, _, _) = $0.kind { return $0.from == "follower" }
            return false
        }.count
        #expect(rejections <= 2, "follower (\(name)) needed \(rejections) rejections")
    }

    /// §5.4.2 and Figure 8: a leader never commits an entry of an earlier term
    /// by counting replicas, only together with an entry of its own term.
    /// S1 leads term 4 with [1, 2, 4]; S2 and S3 acknowledge index 2 (term 2):
    /// that is a majority, yet index 2 must stay uncommitted, because S5 (last
    /// term 3) could still win and overwrite it.
    @Test(arguments: [(Raft.TestingFaults(), Raft.Index(1)), (.commitOldTermByCounting, 2)])
    func figure8OldTermEntriesCommitOnlyWithACurrentTermEntry(faults: Raft.TestingFaults, commitAfterOldAcks: Raft.Index) {
        var config = Raft.Config.test
        config.testingFaults = faults
        var cluster = TestCluster(["s1", "s2", "s3", "s4", "s5"], config: config, states: [
            "s1": state(terms: [1, 2], term: 3, commit: 1),
            "s2": state(terms: [1, 2], term: 3, commit: 1),
            "s3": state(terms: [1], term: 3, commit: 1),
            "s4": state(terms: [1], term: 3, commit: 1),
            "s5": state(terms: [1, 3], term: 3, commit: 1),
        ])
        // Elect s1 in term 4 with votes from s2, s3, s4, delivering only votes.
        cluster.campaign("s1")
        cluster.stabilize { message in
            switch message.kind {
            case .preVote, .preVoteResponse, .vote, .voteResponse: true
            default: false
            }
        }
        #expect(cluster["s1"].role == .leader && cluster["s1"].term == 4)
        #expect(cluster.logTerms("s1") == [1, 2, 4])
        cluster.inflight = []
        for follower in ["s2", "s3"] {
            cluster.with("s1") { $0.receive(Raft.Message(from: Raft.NodeID(follower), to: "s1", term: 4,
                                                           kind: .appendResponse(success: true, index: 2, hintIndex: 0, hintTerm: 0))) }
        }
        #expect(cluster["s1"].commitIndex == commitAfterOldAcks)
        for follower in ["s2", "s3"] {
            cluster.with("s1") { $0.receive(Raft.Message(from: Raft.NodeID(follower), to: "s1", term: 4,
                                                           kind: .appendResponse(success: true, index: 3, hintIndex: 0, hintTerm: 0))) }
        }
        #expect(cluster["s1"].commitIndex == 3)
    }

    /// Batching and pipelining: with a batch of 2 and 3 appends in flight, the
    /// leader streams 6 entries before any acknowledgement, and no more.
    @Test func pipelinedAppendsRespectTheInflightWindow() {
        var config = Raft.Config.test
        config.maxEntriesPerMessage = 2
        config.maxInflightMessages = 3
        var cluster = TestCluster(["n1", "n2"], config: config)
        cluster.campaign("n1")
        cluster.stabilize()
        cluster.inflight = []
        for i in 0..<20 { _ = cluster.propose("n1", [UInt8(i)]) }
        let appends = cluster.inflight.compactMap { message -> Int? in
            if case .append(_, _, let entries, _) = message.kind { return entries.count }
            return nil
        }
        #expect(appends == [1, 1, 1], "one append per proposal until the window of 3 fills")
        cluster.stabilize()
        let batches = cluster.delivered.compactMap { message -> Int? in
            if case .append(_, _, let entries, _) = message.kind, message.from == "n1" { return entries.count }
            return nil
        }
        #expect(batches.max() == 2, "batches of at most maxEntriesPerMessage, and some full: \(batches)")
        #expect(cluster["n2"].lastIndex == cluster["n1"].lastIndex)
        #expect(cluster["n1"].commitIndex == cluster["n1"].lastIndex)
    }

    /// Flow control: proposals beyond maxUncommittedEntries are refused.
    @Test func leaderRefusesProposalsWhenTooMuchIsUncommitted() {
        var config = Raft.Config.test
        config.maxUncommittedEntries = 5
        var cluster = TestCluster(["n1", "n2", "n3"], config: config)
        cluster.campaign("n1")
        cluster.stabilize()
        cluster.isolate("n1")
        let results = (0..<8).map { cluster.propose("n1", [UInt8($0)]) }
        #expect(results.filter { (try? $0.get()) != nil }.count == 5)
        #expect(results.last == .failure(.overloaded))
    }

    /// Followers forward nothing: a proposal to a follower is refused with the leader's name.
    @Test func followerRefusesProposals() {
        var cluster = TestCluster(["n1", "n2", "n3"])
        cluster.campaign("n1")
        cluster.stabilize()
        #expect(cluster.propose("n2", [1]) == .failure(.notLeader(knownLeader: "n1")))
    }
}

@Suite struct MalformedInputTests {
    /// Outside input never reaches an invariant: malformed appends are dropped.
    @Test(arguments: [
        [Raft.Entry(term: 1, index: 5)],                                 // gap after prevIndex 0
        [Raft.Entry(term: 1, index: 1), Raft.Entry(term: 1, index: 3)],  // hole
        [Raft.Entry(term: 9, index: 1)],                                 // term newer than the sender's
        [Raft.Entry(term: 2, index: 1), Raft.Entry(term: 1, index: 2)],  // terms going backwards
    ])
    func malformedAppendIsDropped(entries: [Raft.Entry]) {
        var node = Raft.Node(id: "n1", config: .test, bootstrap: Raft.Configuration(voters: ["n1", "n2"]), generator: .init(seed: 1))
        node.receive(Raft.Message(from: "n2", to: "n1", term: 2, kind: .append(prevIndex: 0, prevTerm: 0, entries: entries, commit: 0)))
        #expect(node.lastIndex == 0)
        #expect(node.term == 0, "a dropped message changes nothing, not even the term")
    }
}
