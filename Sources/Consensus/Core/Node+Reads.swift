import YonkeCore

extension Raft.Node {
    /// A read waiting for a quorum to confirm this node still leads.
    struct PendingRead: Sendable {
        let context: UInt64
        let index: Raft.Index
        var acks: Set<Raft.NodeID>
    }

    /// ReadIndex (thesis §6.4). Assumptions: none about clocks. The leader
    /// records its commit index, then confirms with a heartbeat round that a
    /// quorum still follows it; only then is the read point released. A leader
    /// that has not yet committed an entry of its own term does not know the
    /// true commit index (§6.4 step 1) and refuses (`index == nil`: retry).
    /// Leases (reads without the round trip) are not offered: they would rest
    /// on bounded clock drift, which the simulator deliberately violates.
    public mutating func requestRead(context: UInt64) {
        guard role == .leader else {
            readStates.append(Raft.ReadState(context: context, index: nil))
            return
        }
        guard log.term(at: log.committed) == term else {
            readStates.append(Raft.ReadState(context: context, index: nil))
            return
        }
        if configuration.voters == [id] {
            readStates.append(Raft.ReadState(context: context, index: log.committed))
            return
        }
        pendingReads.append(PendingRead(context: context, index: log.committed, acks: [id]))
        broadcastHeartbeat(readContext: context)
    }

    mutating func onReadAck(from: Raft.NodeID, context: UInt64) {
        guard let position = pendingReads.firstIndex(where: { $0.context == context }) else { return }
        if configuration.isVoter(from) { pendingReads[position].acks.insert(from) }
        let acks = pendingReads[position].acks.filter { configuration.isVoter($0) }.count
        guard acks >= configuration.quorum else { return }
        // Confirming leadership now confirms it for every earlier request too.
        for read in pendingReads[...position] {
            readStates.append(Raft.ReadState(context: read.context, index: read.index))
        }
        pendingReads.removeSubrange(...position)
    }

    mutating func releaseReadsAwaitingCommit() {}

    /// Leadership transfer (thesis §3.10): bring `target` up to date, then tell
    /// it to campaign at once. Proposals are refused meanwhile; the attempt is
    /// abandoned after an election timeout.
    public mutating func transferLeadership(to target: Raft.NodeID) {
        guard role == .leader, target != id, configuration.isVoter(target), let p = progress[target] else { return }
        transferTarget = target
        transferElapsed = 0
        if p.match == log.lastIndex {
            send(target, .timeoutNow)
        } else {
            sendAppend(to: target, allowEmpty: true)
        }
    }

    /// One server at a time (thesis §4.1). Refused while a previous change is
    /// uncommitted, and until this leader has committed an entry of its term
    /// (the fix to the single-server algorithm in thesis §4.1 errata / raft-dev 2015).
    public mutating func proposeConfigurationChange(_ change: Raft.ConfigurationChange) -> Result<Raft.Index, ProposalError> {
        guard role == .leader else { return .failure(.notLeader(knownLeader: leader)) }
        guard transferTarget == nil else { return .failure(.transferInProgress) }
        guard pendingConfigurationIndex <= log.committed, log.term(at: log.committed) == term else {
            return .failure(.configurationChangePending)
        }
        guard let next = configuration.applying(change) else { return .failure(.invalidConfigurationChange) }
        let index = appendAsLeader([Raft.Entry(term: term, index: 0, kind: .configuration, data: next.encoded())])
        broadcastAppend()
        return .success(index)
    }
}
