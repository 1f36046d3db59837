import YonkeCore

extension Raft.Node {
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
        if case .promoteLearner(let learner) = change, (progress[learner]?.match ?? 0) < log.committed {
            // Thesis §4.2.1: a voter that is far behind stalls commits; catch up first.
            return .failure(.learnerNotCaughtUp)
        }
        let index = appendAsLeader([Raft.Entry(term: term, index: 0, kind: .configuration, data: next.encoded())])
        broadcastAppend()
        return .success(index)
    }
}
