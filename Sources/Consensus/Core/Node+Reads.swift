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
        let unsafe = config.testingFaults.contains(.readWithoutQuorumCheck)
        guard unsafe || log.term(at: log.committed) == term else {
            readStates.append(Raft.ReadState(context: context, index: nil))
            return
        }
        if configuration.voters == [id] || unsafe {
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
}
