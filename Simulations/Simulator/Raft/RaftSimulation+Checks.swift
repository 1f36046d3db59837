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

    /// Linearizable reads (thesis §6.4): a read point must cover every entry
    /// committed anywhere before the read was requested, or the read could
    /// miss an acknowledged write.
    mutating func checkReads(_ states: [Raft.ReadState], node i: Int) {
        for state in states {
            guard let committedBefore = pendingReads.removeValue(forKey: state.context) else { continue }
            guard let index = state.index else { continue }
            readsServed += 1
            if index < committedBefore {
                fail(.staleRead, "\(ids[i]) released read \(state.context) at index \(index), but \(committedBefore) entries were committed before it was asked")
                return
            }
        }
    }

    /// §5.2: a server votes for at most one candidate per term, across restarts.
    mutating func checkSingleVote(voter: Int, term: Raft.Term, candidate: Int) {
        let key = RaftHistory.Key(index: UInt64(voter), term: term)
        if let earlier = history.votes[key], earlier != candidate {
            fail(.doubleVote, "\(ids[voter]) voted for \(ids[earlier]) and then \(ids[candidate]) in term \(term)")
            return
        }
        history.votes[key] = candidate
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

    /// The lemma behind Leader Completeness (§5.4.3), checked whenever the commit
    /// point moves: any node whose log is at least as up to date (§5.4.1) as a
    /// majority of all nodes could win an election, so it must already hold
    /// every committed entry. This catches an unsafe commit at the moment it
    /// happens (Figure 8's S5), without waiting for crashes to elect that node.
    mutating func checkElectableNodesHoldCommitted() {
        let committed = Raft.Index(history.committedTerms.count)
        guard committed > 0 else { return }
        let expected = history.committedTerms[Int(committed - 1)]
        let logs = nodes.indices.map { logView($0) }
        let majority = nodes.count / 2 + 1
        for (i, log) in logs.enumerated() {
            guard committed > log.snapshotIndex else { continue }
            let wouldGrant = logs.filter {
                log.lastTerm > $0.lastTerm || (log.lastTerm == $0.lastTerm && log.lastIndex >= $0.lastIndex)
            }.count
            guard wouldGrant >= majority else { continue }
            let held = log.term(committed)
            if held != expected {
                fail(.leaderCompleteness, "\(ids[i]) (last \(log.lastIndex)@\(log.lastTerm)) could win an election but holds \(held.map { "term \($0)" } ?? "nothing") at committed index \(committed) (committed term \(expected))")
                return
            }
        }
    }

    struct LogView {
        let lastIndex: Raft.Index
        let lastTerm: Raft.Term
        let snapshotIndex: Raft.Index
        let term: (Raft.Index) -> Raft.Term?
    }

    /// A node's log as it would be after a restart: memory when up, storage when down
    /// (the same thing here, since the driver persists before anything else).
    func logView(_ i: Int) -> LogView {
        if let raft = nodes[i].raft {
            return LogView(lastIndex: raft.lastIndex, lastTerm: raft.lastTerm, snapshotIndex: raft.snapshotIndex,
                           term: { raft.term(at: $0) })
        }
        let storage = nodes[i].storage
        let snapIndex = storage.snapshot?.metadata.index ?? 0
        let snapTerm = storage.snapshot?.metadata.term ?? 0
        let entries = storage.entries
        return LogView(lastIndex: entries.last?.index ?? snapIndex, lastTerm: entries.last?.term ?? snapTerm,
                       snapshotIndex: snapIndex,
                       term: { index in
                           if index == snapIndex { return snapTerm }
                           guard let first = entries.first?.index, index >= first, index < first + Raft.Index(entries.count) else { return nil }
                           return entries[Int(index - first)].term
                       })
    }

    /// Records newly committed indices; a node committing a different term at
    /// an index someone already committed breaks State Machine Safety (§5.4.3).
    mutating func checkCommit(_ i: Int) {
        guard let raft = nodes[i].raft else { return }
        let commit = raft.commitIndex
        defer { nodes[i].lastCommit = max(nodes[i].lastCommit, commit) }
        guard commit > nodes[i].lastCommit else { return }
        var index = max(nodes[i].lastCommit + 1, raft.snapshotIndex)
        let knownBefore = history.committedTerms.count
        defer { if history.committedTerms.count > knownBefore && violation == nil { checkElectableNodesHoldCommitted() } }
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
