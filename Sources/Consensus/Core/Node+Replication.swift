import YonkeCore

extension Raft.Node {
    /// Appends entries at the end of the leader's log with this term and fresh
    /// indices; returns the last index.
    mutating func appendAsLeader(_ entries: [Raft.Entry]) -> Raft.Index {
        var stamped = entries
        var index = log.lastIndex
        for i in stamped.indices {
            index += 1
            stamped[i].index = index
            stamped[i].term = term
        }
        log.append(stamped)
        if stamped.contains(where: { $0.kind == .configuration }) {
            recomputeConfiguration()
            pendingConfigurationIndex = index
        }
        // A single-voter cluster commits on its own append.
        maybeCommit()
        return index
    }

    mutating func broadcastAppend() {
        for member in configuration.members where member != id {
            sendAppend(to: member, allowEmpty: true)
        }
    }

    mutating func broadcastHeartbeat(readContext: UInt64?) {
        for member in configuration.members where member != id {
            guard let p = progress[member] else { continue }
            if readContext == nil { progress[member]?.ackedSinceHeartbeat = false }
            // Only what the follower is known to hold: it may lack later entries.
            send(member, .heartbeat(commit: min(p.match, log.committed), readContext: readContext))
        }
    }

    /// Sends what `to` is missing, respecting its flow-control state. With
    /// `allowEmpty`, sends even when there is nothing new (to carry the commit index).
    mutating func sendAppend(to: Raft.NodeID, allowEmpty: Bool) {
        guard var p = progress[to] else { return }
        defer { progress[to] = p }
        if p.state == .replicate && p.inflight.count >= config.maxInflightMessages { return }
        guard p.canSend else { return }
        let prevIndex = p.next - 1
        guard let prevTerm = log.term(at: prevIndex),
              let entries = log.entries(from: p.next, maxCount: config.maxEntriesPerMessage) else {
            // §7: the follower needs entries we compacted away.
            guard let snapshot = log.snapshot else { return }
            p.becomeSnapshot(index: snapshot.metadata.index)
            send(to, .installSnapshot(snapshot))
            return
        }
        if entries.isEmpty && !allowEmpty { return }
        send(to, .append(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: log.committed))
        p.sentCommit = max(p.sentCommit, log.committed)
        switch p.state {
        case .replicate:
            if let last = entries.last {
                p.next = last.index + 1
                p.inflight.append(last.index)
            }
        case .probe:
            p.paused = true
        case .snapshot:
            break
        }
    }

    /// Streams more appends to every follower that can take them.
    mutating func sendAvailable(to member: Raft.NodeID) {
        var rounds = 0
        while let p = progress[member], p.next <= log.lastIndex, p.canSend, rounds < config.maxInflightMessages {
            if p.state == .replicate && p.inflight.count >= config.maxInflightMessages { break }
            let before = p.next
            sendAppend(to: member, allowEmpty: false)
            rounds += 1
            if progress[member]?.state != .replicate || progress[member]?.next == before { break }
        }
    }

    // MARK: follower side

    mutating func onAppend(from: Raft.NodeID, prevIndex: Raft.Index, prevTerm: Raft.Term, entries: [Raft.Entry], commit: Raft.Index) {
        if prevIndex < log.committed {
            // Already have (and committed) this prefix; the leader just needs our position.
            send(from, .appendResponse(success: true, index: log.committed, hintIndex: 0, hintTerm: 0))
            return
        }
        let hadConfiguration = entries.contains { $0.kind == .configuration }
        if let lastNew = log.maybeAppend(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries) {
            // A configuration entry took effect or was truncated away: re-derive it.
            if hadConfiguration || (configurationIndex > 0 && log.entry(at: configurationIndex)?.kind != .configuration) {
                recomputeConfiguration()
            }
            // §5.3: commit no further than what this message proves we share.
            log.commit(to: min(commit, lastNew))
            send(from, .appendResponse(success: true, index: lastNew, hintIndex: 0, hintTerm: 0))
        } else {
            let hint = log.conflictHint(index: prevIndex, term: prevTerm)
            send(from, .appendResponse(success: false, index: prevIndex, hintIndex: hint.index, hintTerm: hint.term))
        }
    }

    mutating func onHeartbeat(from: Raft.NodeID, commit: Raft.Index, readContext: UInt64?) {
        log.commit(to: commit)
        send(from, .heartbeatResponse(readContext: readContext))
    }

    mutating func onInstallSnapshot(from: Raft.NodeID, _ snapshot: Raft.Snapshot) {
        let meta = snapshot.metadata
        if meta.index <= log.committed {
            send(from, .appendResponse(success: true, index: log.committed, hintIndex: 0, hintTerm: 0))
            return
        }
        if log.matches(index: meta.index, term: meta.term) {
            // We already hold the snapshot's last entry: just learn it is committed.
            log.commit(to: meta.index)
            send(from, .appendResponse(success: true, index: log.lastIndex, hintIndex: 0, hintTerm: 0))
            return
        }
        log.restore(snapshot)
        recomputeConfiguration()
        send(from, .appendResponse(success: true, index: log.lastIndex, hintIndex: 0, hintTerm: 0))
    }

    // MARK: leader side

    mutating func onAppendResponse(from: Raft.NodeID, success: Bool, index: Raft.Index, hintIndex: Raft.Index, hintTerm: Raft.Term) {
        // A follower cannot hold (or reject) more than we ever sent: such an
        // answer is forged, and believing it would commit entries nobody holds.
        guard var p = progress[from], index <= log.lastIndex else { return }
        p.recentActive = true
        if !success {
            // Map the follower's hint onto our log (etcd's findConflictByTerm on the leader side).
            let probe = hintTerm > 0 ? log.conflictHint(index: hintIndex, term: hintTerm).index : min(hintIndex, log.lastIndex)
            let changed = p.onReject(rejected: index, probeIndex: probe)
            progress[from] = p
            if changed { sendAppend(to: from, allowEmpty: true) }
            return
        }
        let moved = p.onAck(index)
        switch p.state {
        case .probe: if moved || p.match >= p.next - 1 { p.becomeReplicate() }
        case .snapshot(let pending): if p.match >= pending { p.becomeReplicate() }
        case .replicate: break
        }
        progress[from] = p
        if moved {
            if maybeCommit() {
                broadcastAppend()
            }
            if let target = transferTarget, target == from, p.match == log.lastIndex {
                send(from, .timeoutNow)
            }
        }
        sendAvailable(to: from)
        // A follower that has everything still needs to hear the commit index
        // moved (so it can apply) without waiting for the next heartbeat.
        if let q = progress[from], q.match == log.lastIndex, q.sentCommit < log.committed {
            sendAppend(to: from, allowEmpty: true)
        }
    }

    mutating func onHeartbeatResponse(from: Raft.NodeID, readContext: UInt64?) {
        guard var p = progress[from] else { return }
        p.recentActive = true
        switch p.state {
        case .probe: p.paused = false
        case .snapshot:
            // The snapshot (or its answer) may have been lost: probe again.
            p.becomeProbe()
        case .replicate:
            // Appends may have been lost: without this, a follower whose window
            // filled with dropped messages would never hear from us again.
            if p.inflight.count >= config.maxInflightMessages && !p.ackedSinceHeartbeat { p.becomeProbe() }
        }
        progress[from] = p
        if p.match < log.lastIndex { sendAppend(to: from, allowEmpty: true) }
        if let context = readContext { onReadAck(from: from, context: context) }
    }

    /// §5.3–5.4: the largest index stored on a quorum of voters commits, but
    /// only if it is from the current term (§5.4.2; Figure 8 shows why).
    @discardableResult
    mutating func maybeCommit() -> Bool {
        var matches: [Raft.Index] = []
        matches.reserveCapacity(configuration.voters.count)
        for voter in configuration.voters {
            matches.append(voter == id ? log.lastIndex : progress[voter]?.match ?? 0)
        }
        guard !matches.isEmpty else { return false }
        matches.sort(by: >)
        let quorumIndex = matches[configuration.quorum - 1]
        guard quorumIndex > log.committed else { return false }
        let countsOldTerms = config.testingFaults.contains(.commitOldTermByCounting)
        guard countsOldTerms || log.term(at: quorumIndex) == term else { return false }
        log.commit(to: quorumIndex)
        onCommitAdvanced()
        return true
    }

    private mutating func onCommitAdvanced() {
        // Thesis §4.2.2: a leader removed from the configuration leads until the
        // change commits, then steps down.
        if !configuration.isVoter(id) && log.committed >= configurationIndex {
            becomeFollower(term: term, leader: nil)
        }
    }
}
