import Testing
import YonkeCore
@testable import Consensus

/// Messages no correct peer sends (issue 12's findings): each is dropped, the
/// node keeps its term, log and commit, and the cluster still commits after it.
@Suite struct HostileMessageTests {
    /// A 3-voter cluster with n1 leading and `count` entries committed everywhere.
    static func cluster(committed count: Int = 3) -> TestCluster {
        var c = TestCluster(["n1", "n2", "n3"])
        c.campaign("n1")
        c.stabilize()
        for i in 0..<count { _ = c.propose("n1", [UInt8(i)]) }
        c.stabilize()
        return c
    }

    /// What must not change on `name` when a hostile message arrives.
    struct Fingerprint: Equatable {
        var term: Raft.Term, vote: Raft.NodeID?, leader: Raft.NodeID?, role: Raft.Role
        var lastIndex: Raft.Index, commit: Raft.Index, persisted: Raft.HardState
        init(_ c: TestCluster, _ name: String) {
            let n = c[name]
            (term, vote, leader, role, lastIndex, commit) = (n.term, n.vote, n.leader, n.role, n.lastIndex, n.commitIndex)
            persisted = c.storage[Raft.NodeID(name)]!.hardState
        }
    }

    /// Delivers `m` to its addressee, runs the Ready contract, and checks nothing moved.
    static func deliverAndExpectIgnored(_ c: inout TestCluster, _ m: Raft.Message) {
        let before = Fingerprint(c, m.to.name)
        c.with(m.to.name) { $0.receive(m) }
        #expect(Fingerprint(c, m.to.name) == before, "\(m) changed \(m.to)")
    }

    /// Still serving, nothing lost: a new proposal commits on every node, after everything before it.
    static func expectStillCommits(_ c: inout TestCluster) throws {
        c.inflight = []
        let lastBefore = c["n1"].lastIndex
        let index = try c.propose("n1", [0xAB]).get()
        c.stabilize()
        #expect(index == lastBefore + 1)
        for name in ["n1", "n2", "n3"] {
            #expect(c[name].commitIndex == index, "\(name) did not commit \(index)")
            #expect(c.applied[Raft.NodeID(name)]?.last?.data == [0xAB])
        }
    }

    /// Was `prevIndex + 1` in `isWellFormed`: a trap on every voter it reached.
    @Test(arguments: [0, 1, 3])
    func anAppendWithPrevIndexAtTheMaximumIsDropped(entryCount: Int) throws {
        var c = Self.cluster()
        let term = c["n1"].term
        let entries = (0..<entryCount).map { Raft.Entry(term: term, index: Raft.Index($0), data: [9]) }
        Self.deliverAndExpectIgnored(&c, Raft.Message(from: "n1", to: "n2", term: term, kind: .append(
            prevIndex: .max, prevTerm: term, entries: entries, commit: .max)))
        // Just past the bound, entries numbered as they "should" be (index 2^62 + 1 …).
        let prev = Raft.maxIndex
        let numbered = (0..<entryCount).map { Raft.Entry(term: term, index: prev &+ 1 &+ Raft.Index($0)) }
        if entryCount > 0 {
            Self.deliverAndExpectIgnored(&c, Raft.Message(from: "n1", to: "n2", term: term, kind: .append(
                prevIndex: prev, prevTerm: term, entries: numbered, commit: 0)))
        }
        try Self.expectStillCommits(&c)
    }

    /// Was persisted, then trapped every later election (`term + 1`), on every restart.
    @Test(arguments: ["heartbeat", "append", "vote", "preVote", "snapshot", "appendResponse", "voteResponse"])
    func aTermNoLeaderCouldHaveWonIsNeverPersisted(kind: String) throws {
        var c = Self.cluster()
        for term in [Raft.Term.max, Raft.maxTerm + 1] {
            let body: Raft.Message.Kind = switch kind {
            case "heartbeat": .heartbeat(commit: .max, readContext: nil)
            case "append": .append(prevIndex: 0, prevTerm: 0, entries: [], commit: 0)
            case "vote": .vote(lastIndex: .max, lastTerm: .max, transfer: true)
            case "preVote": .preVote(lastIndex: .max, lastTerm: .max)
            case "snapshot": .installSnapshot(Raft.Snapshot(metadata: Raft.SnapshotMetadata(
                index: 1, term: 1, configuration: Raft.Configuration(voters: ["n3"])), data: []))
            case "appendResponse": .appendResponse(success: true, index: 1, hintIndex: 0, hintTerm: 0)
            default: .voteResponse(granted: true)
            }
            for to in ["n1", "n2"] {
                Self.deliverAndExpectIgnored(&c, Raft.Message(from: "n3", to: Raft.NodeID(to), term: term, kind: body))
            }
        }
        for name in ["n1", "n2", "n3"] { #expect(c.storage[Raft.NodeID(name)]!.hardState.term <= Raft.maxTerm) }
        try Self.expectStillCommits(&c)
        // Elections still work afterwards: the leader goes, the others elect one.
        c.down.insert("n1")
        for _ in 0..<60 {
            c.tick("n2")
            c.tick("n3")
            c.stabilize()
        }
        #expect(c.leaders.contains { $0 == "n2" || $0 == "n3" })
    }

    /// At the bound a node neither traps nor campaigns: a term it cannot raise is
    /// one it stays a follower in (a hard state above the bound is refused at start,
    /// `FileFormatTests`; this is the bound itself).
    @Test func aNodeAtTheLastTermNeverCampaigns() {
        var node = Raft.Node(id: "n1", config: .test, bootstrap: Raft.Configuration(voters: ["n1", "n2", "n3"]),
                             restoring: Raft.PersistentState(hardState: Raft.HardState(term: Raft.maxTerm)),
                             generator: SeededGenerator(seed: 1))
        for _ in 0..<100 { node.tick() }
        node.campaign()
        node.receive(Raft.Message(from: "n2", to: "n1", term: Raft.maxTerm, kind: .timeoutNow))
        #expect(node.role == .follower)
        #expect(node.term == Raft.maxTerm)
    }

    /// Thesis §4.2.3: a machine outside the configuration (never added, or removed)
    /// must not disrupt it with elections, whatever term it claims.
    @Test func electionsFromOutsideTheConfigurationAreIgnored() throws {
        var c = Self.cluster()
        let term = c["n2"].term
        for kind: Raft.Message.Kind in [.vote(lastIndex: .max, lastTerm: term + 5, transfer: true),
                                        .preVote(lastIndex: .max, lastTerm: term + 5)] {
            Self.deliverAndExpectIgnored(&c, Raft.Message(from: "x9", to: "n2", term: term + 5, kind: kind))
        }
        #expect(c.inflight.allSatisfy { $0.to != "x9" }, "no answer to a stranger")
        try Self.expectStillCommits(&c)
    }

    /// §5.2 one leader per term: a second claimant in a term where the node already
    /// follows a leader is forged, member or not.
    @Test(arguments: ["n3", "x9"])
    func aSecondLeaderInTheSameTermIsIgnored(claimant: String) throws {
        var c = Self.cluster()
        let term = c["n2"].term
        let from = Raft.NodeID(claimant)
        for kind: Raft.Message.Kind in [.heartbeat(commit: 0, readContext: nil),
                                        .append(prevIndex: 0, prevTerm: 0, entries: [Raft.Entry(term: term, index: 1, data: [7])], commit: 1),
                                        .timeoutNow] {
            Self.deliverAndExpectIgnored(&c, Raft.Message(from: from, to: "n2", term: term, kind: kind))
        }
        // Index 1 is the leader's no-op, 2 the first proposal.
        #expect(c["n2"].entry(at: 1)?.data == [], "the committed entries are intact")
        #expect(c["n2"].entry(at: 2)?.data == [0])
        try Self.expectStillCommits(&c)
    }

    /// A member that is not the leader cannot make a voter campaign (leadership transfer).
    @Test func timeoutNowFromANonLeaderIsIgnored() throws {
        var c = Self.cluster()
        Self.deliverAndExpectIgnored(&c, Raft.Message(from: "n3", to: "n2", term: c["n2"].term, kind: .timeoutNow))
        try Self.expectStillCommits(&c)
    }

    /// A leader hearing it is matched beyond its own log (or a hint at the maximum)
    /// ignores it: believing it would commit entries nobody holds, or trap at `index + 1`.
    @Test func answersBeyondTheLeadersLogAreIgnored() throws {
        var c = Self.cluster()
        let term = c["n1"].term
        let commit = c["n1"].commitIndex
        for kind: Raft.Message.Kind in [
            .appendResponse(success: true, index: .max, hintIndex: 0, hintTerm: 0),
            .appendResponse(success: true, index: Raft.maxIndex, hintIndex: 0, hintTerm: 0),
            .appendResponse(success: true, index: c["n1"].lastIndex + 1, hintIndex: 0, hintTerm: 0),
            .appendResponse(success: false, index: c["n1"].lastIndex, hintIndex: .max, hintTerm: 0),
            .appendResponse(success: false, index: c["n1"].lastIndex, hintIndex: .max, hintTerm: .max),
        ] {
            c.with("n1") { $0.receive(Raft.Message(from: "n2", to: "n1", term: term, kind: kind)) }
            #expect(c["n1"].role == .leader)
            #expect(c["n1"].commitIndex == commit)
        }
        try Self.expectStillCommits(&c)
    }

    /// `firstIndex` is `snapshotIndex + 1`: a snapshot at the maximum would trap the follower.
    @Test func aSnapshotBeyondTheIndexBoundIsDropped() throws {
        var c = Self.cluster()
        let term = c["n1"].term
        for index in [Raft.Index.max, Raft.maxIndex + 1] {
            let snapshot = Raft.Snapshot(metadata: Raft.SnapshotMetadata(
                index: index, term: term, configuration: Raft.Configuration(voters: ["n1", "n2", "n3"])), data: [1])
            Self.deliverAndExpectIgnored(&c, Raft.Message(from: "n1", to: "n2", term: term, kind: .installSnapshot(snapshot)))
        }
        try Self.expectStillCommits(&c)
    }

    /// The membership rule must not lock out a machine that joined and has no
    /// configuration yet: it learns everything from its first append.
    @Test func aMachineWithNoConfigurationYetHearsTheLeader() {
        var joiner = Raft.Node(id: "n4", config: .test, bootstrap: Raft.Configuration(voters: []),
                               generator: SeededGenerator(seed: 1))
        joiner.receive(Raft.Message(from: "n1", to: "n4", term: 3, kind: .append(
            prevIndex: 0, prevTerm: 0, entries: [Raft.Entry(term: 3, index: 1, data: [1])], commit: 1)))
        #expect(joiner.leader == "n1")
        #expect(joiner.commitIndex == 1)
    }

    /// `wouldAccept` answers as `receive` acts (the shell asks it before fetching a snapshot).
    @Test func wouldAcceptMatchesReceive() {
        let c = Self.cluster()
        let term = c["n2"].term
        let snapshot = Raft.Snapshot(metadata: Raft.SnapshotMetadata(
            index: 10, term: term, configuration: Raft.Configuration(voters: ["n1", "n2", "n3"])), data: [])
        #expect(c["n2"].wouldAccept(Raft.Message(from: "n1", to: "n2", term: term, kind: .installSnapshot(snapshot))))
        #expect(!c["n2"].wouldAccept(Raft.Message(from: "n3", to: "n2", term: term, kind: .installSnapshot(snapshot))))
        #expect(!c["n2"].wouldAccept(Raft.Message(from: "n1", to: "n2", term: term - 1, kind: .installSnapshot(snapshot))))
        #expect(!c["n2"].wouldAccept(Raft.Message(from: "n1", to: "n2", term: .max, kind: .installSnapshot(snapshot))))
    }
}
