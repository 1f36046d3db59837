import YonkeCore

extension Raft.Node {
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
}
