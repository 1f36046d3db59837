import YonkeCore

extension Raft {
    /// A node's log in memory: a snapshot prefix, then entries. Tracks what is
    /// durable (`stableIndex`), committed and applied, with
    /// `applied <= committed` and `snapshotIndex <= applied` always.
    struct Log: Sendable {
        private(set) var snapshotIndex: Index = 0
        private(set) var snapshotTerm: Term = 0
        /// The latest snapshot, kept to send to followers that fell behind it.
        private(set) var snapshot: Snapshot?
        /// Entries with indices snapshotIndex+1 ... lastIndex.
        private(set) var entries: [Entry] = []
        var committed: Index = 0 {
            didSet { invariant(committed <= lastIndex || allowUnsafe, "committed \(committed) > lastIndex \(lastIndex)") }
        }
        private(set) var applied: Index = 0
        /// Entries at or below this index are durable; above it they must go out in the next Ready.
        private(set) var stableIndex: Index = 0
        /// A snapshot not yet durable, and whether the state machine must load it.
        private(set) var unstableSnapshot: Snapshot?
        private(set) var unstableSnapshotIsReceived = false
        /// With test faults on, the core may be led into states a correct Raft never
        /// reaches; the simulator, not an invariant, must then notice.
        let allowUnsafe: Bool

        init(allowUnsafe: Bool) { self.allowUnsafe = allowUnsafe }

        init(restoring state: PersistentState, allowUnsafe: Bool) {
            self.allowUnsafe = allowUnsafe
            if let snap = state.snapshot {
                snapshotIndex = snap.metadata.index
                snapshotTerm = snap.metadata.term
                snapshot = snap
            }
            let kept = state.entries.filter { $0.index > snapshotIndex }
            for (offset, entry) in kept.enumerated() {
                invariant(entry.index == snapshotIndex + 1 + Index(offset),
                          "restored entries not contiguous after snapshot \(snapshotIndex): \(entry.index) at offset \(offset)")
            }
            entries = kept
            stableIndex = lastIndex
            committed = min(max(state.hardState.commit, snapshotIndex), lastIndex)
            applied = snapshotIndex
        }

        var firstIndex: Index { snapshotIndex + 1 }
        var lastIndex: Index { snapshotIndex + Index(entries.count) }
        var lastTerm: Term { entries.last?.term ?? snapshotTerm }

        /// The term at `index`, or nil when compacted away or beyond the end.
        func term(at index: Index) -> Term? {
            if index == snapshotIndex { return snapshotTerm }
            guard index > snapshotIndex, index <= lastIndex else { return nil }
            return entries[Int(index - snapshotIndex - 1)].term
        }

        func entry(at index: Index) -> Entry? {
            guard index > snapshotIndex, index <= lastIndex else { return nil }
            return entries[Int(index - snapshotIndex - 1)]
        }

        func matches(index: Index, term: Term) -> Bool { self.term(at: index) == term }

        /// §5.4.1: a candidate's log is at least as up to date as ours.
        func isUpToDate(lastIndex otherIndex: Index, lastTerm otherTerm: Term) -> Bool {
            otherTerm > lastTerm || (otherTerm == lastTerm && otherIndex >= lastIndex)
        }

        /// Entries from `index` on, at most `maxCount`; nil if `index` is compacted.
        func entries(from index: Index, maxCount: Int) -> [Entry]? {
            guard index > snapshotIndex else { return nil }
            guard index <= lastIndex else { return [] }
            let start = Int(index - snapshotIndex - 1)
            return Array(entries[start..<min(entries.count, start + maxCount)])
        }

        mutating func append(_ newEntries: [Entry]) {
            guard let first = newEntries.first else { return }
            invariant(first.index >= firstIndex && first.index <= lastIndex + 1,
                      "append at \(first.index) leaves a gap or rewrites the snapshot (first \(firstIndex), last \(lastIndex))")
            invariant(first.index > committed || allowUnsafe,
                      "append at \(first.index) would truncate committed \(committed)")
            let keep = Int(first.index - snapshotIndex - 1)
            if keep < entries.count { entries.removeSubrange(keep...) }
            entries.append(contentsOf: newEntries)
            stableIndex = min(stableIndex, first.index - 1)
            if committed > lastIndex { committed = lastIndex }
            if applied > lastIndex { applied = lastIndex }
        }

        /// The follower side of AppendEntries (§5.3): nil if the log lacks
        /// prevIndex@prevTerm, else the last index the message proves matches.
        mutating func maybeAppend(prevIndex: Index, prevTerm: Term, entries newEntries: [Entry]) -> Index? {
            guard matches(index: prevIndex, term: prevTerm) else { return nil }
            let lastNew = prevIndex + Index(newEntries.count)
            // Skip entries we already have: rewriting them would needlessly
            // truncate (and un-persist) a matching suffix.
            var firstConflict: Int?
            for (offset, entry) in newEntries.enumerated() where !matches(index: entry.index, term: entry.term) {
                firstConflict = offset
                break
            }
            if let offset = firstConflict { append(Array(newEntries[offset...])) }
            return lastNew
        }

        /// Fast backtracking (§5.3, last paragraphs; etcd's findConflictByTerm):
        /// the largest index <= `index` whose term is <= `term`, with its term.
        func conflictHint(index: Index, term: Term) -> (index: Index, term: Term) {
            var i = min(index, lastIndex)
            while i > snapshotIndex, let t = self.term(at: i), t > term { i -= 1 }
            return (i, self.term(at: i) ?? 0)
        }

        mutating func commit(to index: Index) {
            if index > committed { committed = min(index, lastIndex) }
        }

        /// Committed entries not yet handed to the state machine.
        func unappliedCommitted() -> [Entry] {
            guard committed > applied else { return [] }
            let from = max(applied + 1, firstIndex)
            guard from <= committed else { return [] }
            return Array(entries[Int(from - snapshotIndex - 1)..<Int(committed - snapshotIndex)])
        }

        mutating func applied(through index: Index) {
            invariant(index <= committed || allowUnsafe, "applied \(index) beyond committed \(committed)")
            applied = max(applied, index)
        }

        mutating func stable(through index: Index, term: Term) {
            // A later truncation may have replaced the entry; then it is not stable yet.
            if self.term(at: index) == term { stableIndex = max(stableIndex, index) }
        }

        var unstableEntries: [Entry] {
            guard lastIndex > stableIndex else { return [] }
            return Array(entries[Int(stableIndex - snapshotIndex)...])
        }

        /// Installs a snapshot received from the leader: everything before it is
        /// replaced; entries after it are kept only if they match (§7).
        mutating func restore(_ snap: Snapshot) {
            let meta = snap.metadata
            if matches(index: meta.index, term: meta.term) {
                entries.removeSubrange(..<Int(meta.index - snapshotIndex))
            } else {
                entries = []
            }
            snapshotIndex = meta.index
            snapshotTerm = meta.term
            snapshot = snap
            unstableSnapshot = snap
            unstableSnapshotIsReceived = true
            stableIndex = max(stableIndex, meta.index)
            committed = max(committed, meta.index)
            applied = meta.index
        }

        /// Drops entries through `index`, which the application has captured in `data`.
        mutating func compact(through index: Index, data: [UInt8], configuration: Configuration) {
            invariant(index <= applied, "compact through \(index) beyond applied \(applied)")
            guard index > snapshotIndex, let t = term(at: index) else { return }
            let snap = Snapshot(metadata: SnapshotMetadata(index: index, term: t, configuration: configuration), data: data)
            entries.removeSubrange(..<Int(index - snapshotIndex))
            snapshotIndex = index
            snapshotTerm = t
            snapshot = snap
            if unstableSnapshot == nil || !unstableSnapshotIsReceived {
                unstableSnapshot = snap
                unstableSnapshotIsReceived = false
            }
            stableIndex = max(stableIndex, index)
        }

        mutating func snapshotStable(through index: Index) {
            if let s = unstableSnapshot, s.metadata.index <= index {
                unstableSnapshot = nil
                unstableSnapshotIsReceived = false
            }
        }
    }
}
