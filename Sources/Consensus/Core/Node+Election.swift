import YonkeCore

extension Raft.Node {

    mutating func tickElection() {
        electionElapsed += 1
        if isPromotable && electionElapsed >= randomizedElectionTimeout {
            campaign()
        }
    }

    mutating func tickLeader() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= config.electionTimeoutTicks {
            electionElapsed = 0
            if config.checkQuorum && !quorumRecentlyActive() {
                // Thesis §6.2: a leader cut off from a quorum stops acting as one,
                // so clients go elsewhere and reads cannot be served stale.
                becomeFollower(term: term, leader: nil)
                return
            }
            if transferTarget != nil { transferTarget = nil }
        }
        if transferTarget != nil {
            transferElapsed += 1
            if transferElapsed >= config.electionTimeoutTicks { transferTarget = nil }
        }
        if heartbeatElapsed >= config.heartbeatTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat(readContext: nil)
        }
    }

    private mutating func quorumRecentlyActive() -> Bool {
        var active = 0
        for voter in configuration.voters {
            if voter == id { active += 1; continue }
            if progress[voter]?.recentActive == true { active += 1 }
            progress[voter]?.recentActive = false
        }
        for learner in configuration.learners { progress[learner]?.recentActive = false }
        return active >= configuration.quorum
    }

    /// Starts an election: a pre-vote round first when configured.
    public mutating func campaign() {
        // A term at the bound cannot be raised: staying a follower is safe, a wrapped term is not.
        guard isPromotable, role != .leader, term < Raft.maxTerm else { return }
        if config.preVote { becomePreCandidate() } else { becomeCandidate(transfer: false) }
    }

    mutating func becomeFollower(term newTerm: Raft.Term, leader newLeader: Raft.NodeID?) {
        if newTerm != term {
            term = newTerm
            vote = nil
        }
        role = .follower
        leader = newLeader
        progress = [:]
        votes = [:]
        transferTarget = nil
        pendingReads = []
        resetElectionTimer()
    }

    mutating func becomePreCandidate() {
        // Term and vote untouched: that is the point of pre-vote (thesis §9.6).
        role = .preCandidate
        leader = nil
        votes = [id: true]
        resetElectionTimer()
        if tallyVotes() == .won { becomeCandidate(transfer: false); return }
        for voter in configuration.voters where voter != id {
            send(voter, .preVote(lastIndex: log.lastIndex, lastTerm: log.lastTerm), term: term + 1)
        }
    }

    mutating func becomeCandidate(transfer: Bool) {
        term += 1
        vote = id
        role = .candidate
        leader = nil
        votes = [id: true]
        resetElectionTimer()
        if tallyVotes() == .won { becomeLeader(); return }
        for voter in configuration.voters where voter != id {
            send(voter, .vote(lastIndex: log.lastIndex, lastTerm: log.lastTerm, transfer: transfer))
        }
    }

    mutating func becomeLeader() {
        role = .leader
        leader = id
        votes = [:]
        heartbeatElapsed = 0
        electionElapsed = 0
        transferTarget = nil
        pendingReads = []
        progress = [:]
        for member in configuration.members where member != id {
            var p = Raft.Progress(next: log.lastIndex + 1)
            p.recentActive = true
            progress[member] = p
        }
        // Any configuration entry past the commit point may still be pending;
        // the no-op below commits it before a new change is accepted.
        pendingConfigurationIndex = log.lastIndex
        // §5.4.2 / §8: commit an entry of this term so earlier ones commit with it.
        _ = appendAsLeader([Raft.Entry(term: term, index: 0, kind: .normal, data: [])])
        broadcastAppend()
    }

    enum VoteTally { case won, lost, pending }

    func tallyVotes() -> VoteTally {
        var granted = 0, rejected = 0
        for voter in configuration.voters {
            switch votes[voter] {
            case true?: granted += 1
            case false?: rejected += 1
            case nil: break
            }
        }
        if granted >= configuration.quorum { return .won }
        if rejected > configuration.voters.count - configuration.quorum { return .lost }
        return .pending
    }

    /// Within the lease: this node heard from a leader less than an election
    /// timeout ago, so (with check-quorum) it ignores anyone trying to replace it.
    var inLease: Bool {
        config.checkQuorum && leader != nil && electionElapsed < config.electionTimeoutTicks
    }

    /// Term bookkeeping common to every message (§5.1), then dispatch by role.
    public mutating func receive(_ m: Raft.Message) {
        guard m.to == id, Self.isWellFormed(m), admits(m) else { return }
        if m.term > term {
            switch m.kind {
            case .preVote:
                // Never change term for a pre-vote; just answer below.
                if inLease { return }
            case .vote(_, _, let transfer):
                if inLease && !transfer { return }
                becomeFollower(term: m.term, leader: nil)
            case .preVoteResponse(granted: true):
                // A granted pre-vote echoes our proposed term; not a newer term.
                break
            case .append, .heartbeat, .installSnapshot:
                becomeFollower(term: m.term, leader: m.from)
            default:
                becomeFollower(term: m.term, leader: nil)
            }
        } else if m.term < term {
            switch m.kind {
            case .append, .heartbeat:
                // A stale leader (e.g. back from a minority partition): tell it our
                // term so it steps down. Needed with check-quorum/pre-vote, where
                // nobody else may ever bump its term.
                if config.checkQuorum || config.preVote {
                    send(m.from, .appendResponse(success: false, index: 0, hintIndex: 0, hintTerm: 0))
                }
            case .preVote:
                send(m.from, .preVoteResponse(granted: false))
            default:
                break
            }
            return
        }

        switch m.kind {
        case .preVote(let lastIndex, let lastTerm):
            onVoteRequest(m, lastIndex: lastIndex, lastTerm: lastTerm, preVote: true)
        case .vote(let lastIndex, let lastTerm, _):
            onVoteRequest(m, lastIndex: lastIndex, lastTerm: lastTerm, preVote: false)
        case .preVoteResponse(let granted):
            guard role == .preCandidate, m.term == term + 1 || !granted else { return }
            onVoteResponse(from: m.from, granted: granted)
        case .voteResponse(let granted):
            guard role == .candidate else { return }
            onVoteResponse(from: m.from, granted: granted)
        case .append(let prevIndex, let prevTerm, let entries, let commit):
            guard acceptLeader(m.from) else { return }
            onAppend(from: m.from, prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: commit)
        case .heartbeat(let commit, let context):
            guard acceptLeader(m.from) else { return }
            onHeartbeat(from: m.from, commit: commit, readContext: context)
        case .installSnapshot(let snapshot):
            guard acceptLeader(m.from) else { return }
            onInstallSnapshot(from: m.from, snapshot)
        case .appendResponse(let success, let index, let hintIndex, let hintTerm):
            guard role == .leader else { return }
            onAppendResponse(from: m.from, success: success, index: index, hintIndex: hintIndex, hintTerm: hintTerm)
        case .heartbeatResponse(let context):
            guard role == .leader else { return }
            onHeartbeatResponse(from: m.from, readContext: context)
        case .timeoutNow:
            // Thesis §3.10: the target campaigns at once, skipping pre-vote,
            // and its votes override the followers' leases. Only a voter, and
            // the leader itself when we follow one: from anyone else it is a way
            // to depose the leader.
            guard isPromotable, role != .leader, leader == nil || leader == m.from,
                  configuration.isVoter(m.from), term < Raft.maxTerm else { return }
            becomeCandidate(transfer: true)
        }
    }

    /// Messages come from the network: a malformed one is dropped, never
    /// allowed to reach an invariant (entries must follow prevIndex one by one,
    /// with terms no newer than the sender's).
    static func isWellFormed(_ m: Raft.Message) -> Bool {
        // Terms and indexes past the bounds are forged (`Raft.maxTerm`); below
        // them, every `+ 1` the core does on a message's numbers is in range.
        guard m.term <= Raft.maxTerm else { return false }
        switch m.kind {
        case .append(let prevIndex, _, let entries, _):
            guard prevIndex <= Raft.maxIndex, Raft.Index(entries.count) <= Raft.maxIndex - prevIndex else { return false }
            for (offset, entry) in entries.enumerated() {
                guard entry.index == prevIndex + 1 + Raft.Index(offset), entry.term <= m.term else { return false }
                if offset > 0 && entry.term < entries[offset - 1].term { return false }
            }
            return true
        case .appendResponse(_, let index, _, _):
            return index <= Raft.maxIndex
        case .installSnapshot(let snapshot):
            return snapshot.metadata.index > 0 && snapshot.metadata.index <= Raft.maxIndex
                && snapshot.metadata.term <= m.term && !snapshot.metadata.configuration.voters.isEmpty
        case .preVote, .preVoteResponse, .vote, .voteResponse, .heartbeat, .heartbeatResponse, .timeoutNow:
            return true
        }
    }

    /// Whether `receive` would act on `m` rather than drop it (malformed, out of
    /// bounds, from a sender with no say, or of a stale term). For a shell that
    /// must decide before fetching what a message stands for (a snapshot offered
    /// by reference).
    public func wouldAccept(_ m: Raft.Message) -> Bool {
        m.to == id && Self.isWellFormed(m) && admits(m) && m.term >= term
    }

    /// Who may say what to this node (thesis §4.2.3, and §5.2's one leader per
    /// term). The link has already proved the sender's name; this checks that
    /// the name has a say:
    /// - an election (pre-vote, vote) only from a voter of the configuration in
    ///   force here: a removed or never-added machine must not disrupt the cluster;
    /// - an answer only from a member (progress and votes are kept for no one else);
    /// - a leader's message, in a term where this node already follows a leader,
    ///   only from that leader. From a sender outside the configuration it is
    ///   still taken in a term this node has not seen led: the sender may have
    ///   won an election decided after a configuration change that has not
    ///   reached this node's log yet (refusing it would leave a lagging follower
    ///   stuck for good).
    /// A node with no configuration yet (a machine that joined and waits for its
    /// first append or snapshot) cannot tell members apart and hears anyone.
    func admits(_ m: Raft.Message) -> Bool {
        guard !configuration.voters.isEmpty else { return true }
        switch m.kind {
        case .preVote, .vote:
            return configuration.isVoter(m.from)
        case .preVoteResponse, .voteResponse, .appendResponse, .heartbeatResponse:
            return configuration.members.contains(m.from)
        case .append, .heartbeat, .installSnapshot, .timeoutNow:
            guard m.term == term, let current = leader else { return true }
            return current == m.from
        }
    }

    /// False when the message must be ignored: a leader hearing another leader
    /// of its own term. That cannot happen in a correct cluster (§5.2, one vote
    /// per term); it comes from a broken or foreign peer, which must not crash
    /// this node. The simulator checks "one leader per term" across all nodes.
    private mutating func acceptLeader(_ from: Raft.NodeID) -> Bool {
        if role == .leader {
            return false
        } else if role != .follower {
            becomeFollower(term: term, leader: from)
        } else {
            leader = from
            electionElapsed = 0
        }
        return true
    }

    private mutating func onVoteRequest(_ m: Raft.Message, lastIndex: Raft.Index, lastTerm: Raft.Term, preVote: Bool) {
        // §5.2: one vote per term; a pre-vote for a later term promises nothing.
        let canVote = vote == m.from
            || (vote == nil && leader == nil)
            || (preVote && m.term > term)
        let upToDate = config.testingFaults.contains(.skipUpToDateCheck)
            || log.isUpToDate(lastIndex: lastIndex, lastTerm: lastTerm)
        let granted = canVote && upToDate
        if preVote {
            send(m.from, .preVoteResponse(granted: granted), term: granted ? m.term : term)
        } else {
            if granted {
                vote = m.from
                electionElapsed = 0
            }
            send(m.from, .voteResponse(granted: granted))
        }
    }

    private mutating func onVoteResponse(from: Raft.NodeID, granted: Bool) {
        if votes[from] == nil { votes[from] = granted }
        switch tallyVotes() {
        case .won:
            if role == .preCandidate { becomeCandidate(transfer: false) } else { becomeLeader() }
        case .lost:
            becomeFollower(term: term, leader: nil)
        case .pending:
            break
        }
    }
}
