import Synchronization
import Transport

/// The links this node accepted, by peer, so that a revocation can close the links of a user who
/// is no longer admitted (not only refuse their next request).
final class LinkRoster: Sendable {
    private struct Entry {
        let peer: Peer
        let connection: Connection
    }

    private let state = Mutex<(entries: [UInt64: Entry], next: UInt64)>(([:], 0))

    func add(_ connection: Connection) -> UInt64 {
        state.withLock { s in
            defer { s.next += 1 }
            s.entries[s.next] = Entry(peer: connection.peer, connection: connection)
            return s.next
        }
    }

    func remove(_ id: UInt64) { state.withLock { _ = $0.entries.removeValue(forKey: id) } }

    /// Closes every link whose peer `isAdmitted` now refuses; returns the peers cut off.
    @discardableResult
    func closeLinks(unless isAdmitted: (Peer) -> Bool) -> [Peer] {
        let doomed = state.withLock { s in s.entries.values.filter { !isAdmitted($0.peer) } }
        for entry in doomed { entry.connection.close() }
        return doomed.map(\.peer)
    }
}
