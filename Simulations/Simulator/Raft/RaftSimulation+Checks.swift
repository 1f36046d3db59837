import Consensus
import YonkeCore

extension RaftSimulation {
    /// §5.3 Log Matching, checked incrementally: every persisted entry must
    /// agree with every other copy of the same (index, term) on its content and
    /// on the term before it. By induction that makes equal (index, term) imply
    /// equal prefixes.
    mutating func checkLogMatching(_ entry: Raft.Entry, node i: Int, raft: Raft.Node) {
        let key = RaftHistory.Key(index: entry.index, term: entry.term)
        let seen = RaftHistory.Stored(dataHash: RaftHistory.hash(entry), prevTerm: raft.term(at: entry.index - 1))
        if let known = history.stored[key] {
            if known.dataHash != seen.dataHash {
                fail(.logMatching, "\(ids[i]) stores \(entry) with different content than another node")
            } else if let a = known.prevTerm, let b = seen.prevTerm, a != b {
                fail(.logMatching, "\(ids[i]) stores \(entry) after term \(b), another node after term \(a)")
            }
        } else {
            history.stored[key] = seen
        }
    }

    /// §5.2 Election Safety and §5.4 Leader Completeness, when a node becomes leader.
    mutating func checkLeadership(_ i: Int) {
        guard let raft = nodes[i].raft else { return }
        guard raft.role == .leader else {
            nodes[i].wasLeaderInTerm = nil
            return
        }
        guard nodes[i].wasLeaderInTerm != raft.term else { return }
        nodes[i].wasLeaderInTerm = raft.term
        record("\(ids[i]) becomes leader of term \(raft.term), last \(raft.lastIndex)@\(raft.lastTerm), commit \(raft.commitIndex)")
        trace.mix(0x1EAD << 16 | UInt64(i))
        if let other = history.leaders[raft.term], other != i {
            fail(.twoLeadersInOneTerm, "\(ids[other]) and \(ids[i]) both lead term \(raft.term)")
            return
        }
        history.leaders[raft.term] = i
        let committed = Raft.Index(history.committedTerms.count)
        guard committed > raft.snapshotIndex else { return }
        let expected = history.committedTerms[Int(committed - 1)]
        if raft.term(at: committed) != expected {
            fail(.leaderCompleteness, "\(ids[i]) leads term \(raft.term) but holds \(raft.term(at: committed).map { "term \($0)" } ?? "nothing") at committed index \(committed) (committed term \(expected))")
        }
    }

    /// Records newly committed indices; a node committing a different term at
    /// an index someone already committed breaks State Machine Safety (§5.4.3).
    mutating func checkCommit(_ i: Int) {
        guard let raft = nodes[i].raft else { return }
        let commit = raft.commitIndex
        defer { nodes[i].lastCommit = max(nodes[i].lastCommit, commit) }
        guard commit > nodes[i].lastCommit else { return }
        var index = max(nodes[i].lastCommit + 1, raft.snapshotIndex)
        while index <= commit {
            if let t = raft.term(at: index) {
                let known = Raft.Index(history.committedTerms.count)
                if index <= known {
                    if history.committedTerms[Int(index - 1)] != t {
                        fail(.stateMachineSafety, "\(ids[i]) commits \(index)@\(t) but \(index)@\(history.committedTerms[Int(index - 1)]) was committed before")
                        return
                    }
                } else if index == known + 1 {
                    history.committedTerms.append(t)
                }
            }
            index += 1
        }
    }

    var currentLeader: Int? {
        var best: Int?
        for i in nodes.indices {
            guard let raft = nodes[i].raft, raft.role == .leader else { continue }
            if best == nil || raft.term > nodes[best!].raft!.term { best = i }
        }
        return best
    }
}
