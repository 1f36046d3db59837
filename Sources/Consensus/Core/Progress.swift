extension Raft {
    /// The leader's view of one follower (etcd's Progress). In `probe` the
    /// leader sends one append and waits; in `replicate` it streams up to
    /// `maxInflightMessages` appends ahead of acks; in `snapshot` it waits for
    /// the follower to load a snapshot.
    struct Progress: Sendable {
        enum State: Sendable, Equatable {
            case probe
            case replicate
            case snapshot(pendingIndex: Index)
        }

        var match: Index = 0
        var next: Index
        var state: State = .probe
        /// In probe/snapshot state: an append (or snapshot) is out and unanswered.
        var paused = false
        /// Last index of each append in flight, oldest first.
        var inflight: [Index] = []
        /// Heard from since the last check-quorum round.
        var recentActive = false

        init(next: Index) { self.next = next }

        mutating func becomeProbe() {
            if case .snapshot(let pending) = state {
                next = max(match + 1, pending + 1)
            } else {
                next = match + 1
            }
            state = .probe
            paused = false
            inflight = []
        }

        mutating func becomeReplicate() {
            state = .replicate
            next = match + 1
            paused = false
            inflight = []
        }

        mutating func becomeSnapshot(index: Index) {
            state = .snapshot(pendingIndex: index)
            paused = true
            inflight = []
        }

        /// An ack for `index`: returns whether it moved `match` forward.
        mutating func onAck(_ index: Index) -> Bool {
            var moved = false
            if index > match {
                match = index
                moved = true
                paused = false
            }
            next = max(next, index + 1)
            inflight.removeAll { $0 <= index }
            return moved
        }

        /// A rejection of `rejected` (the prevIndex we sent), with the follower's
        /// hint already mapped to our log as `probeIndex`. Returns false for a
        /// stale rejection that should be ignored.
        mutating func onReject(rejected: Index, probeIndex: Index) -> Bool {
            if state == .replicate {
                guard rejected > match else { return false }
                next = match + 1
                becomeProbe()
                next = max(min(rejected, probeIndex + 1), match + 1)
                return true
            }
            guard next - 1 == rejected else { return false }
            next = max(min(rejected, probeIndex + 1), match + 1)
            paused = false
            return true
        }

        var canSend: Bool {
            switch state {
            case .probe: !paused
            case .replicate: true
            case .snapshot: false
            }
        }
    }
}
