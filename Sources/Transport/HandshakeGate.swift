import Synchronization
import YonkeCore

/// Bounds the unauthenticated connections one listener holds, so a flood of
/// silent or trickling connections costs a fixed amount of memory and
/// descriptors and cannot starve members, clients or other sources:
///
/// - each source (`HandshakeSource`) holds at most `perSourceLimit` pending
///   handshakes; one more from it is closed on arrival;
/// - all sources together hold at most `limit`; when that is full, a newcomer
///   from a source with fewer pending handshakes than the busiest source
///   evicts the busiest source's oldest one (the closest to its deadline
///   anyway), so a fresh source always gets in and the flood only displaces
///   itself; a newcomer from the busiest source is closed instead;
/// - every pending handshake ends within `Limits.handshakeTimeoutMilliseconds`
///   of its arrival however it trickles (the link handler's timer).
///
/// Authenticated links never count here: they leave the gate when the proof
/// checks out, so nothing a stranger does touches them.
final class HandshakeGate: Sendable {
    let limit: Int
    let perSourceLimit: Int
    private let book: Mutex<Book>
    /// Counts silent drops and rate-limits their log lines.
    let report = FloodReport()

    init(limit: Int, perSourceLimit: Int) {
        self.limit = limit
        self.perSourceLimit = perSourceLimit
        self.book = Mutex(Book(limit: limit, perSourceLimit: perSourceLimit))
    }

    /// One admitted handshake; give it back with `leave` however it ends.
    struct Ticket: Sendable, Hashable {
        let id: UInt64
        let source: HandshakeSource
    }

    enum Admission: Sendable, Equatable {
        case admitted(Ticket)
        case sourceFull(HandshakeSource, limit: Int)
        case gateFull(limit: Int)
    }

    /// `evict` is called (outside the lock, from any thread) if a newcomer from a
    /// quieter source later takes this slot; it must close the connection.
    func enter(source: HandshakeSource, evict: @escaping @Sendable () -> Void) -> Admission {
        let (admission, evicted) = book.withLock { $0.enter(source: source, evict: evict) }
        evicted?()
        return admission
    }

    /// Idempotent: a ticket already evicted or left is ignored.
    func leave(_ ticket: Ticket) {
        book.withLock { $0.leave(ticket) }
    }

    var pendingCount: Int { book.withLock { $0.total } }
    func pendingCount(from source: HandshakeSource) -> Int { book.withLock { $0.count(of: source) } }
}

extension HandshakeGate {
    /// The gate's bookkeeping, without locks or I/O.
    struct Book {
        let limit: Int
        let perSourceLimit: Int
        private(set) var total = 0
        private var nextID: UInt64 = 1
        /// Per source, its pending handshakes oldest first (at most `perSourceLimit`).
        private var pending: [HandshakeSource: [(id: UInt64, evict: @Sendable () -> Void)]] = [:]
        /// `sourcesByCount[c]`: the sources holding exactly `c` pending handshakes,
        /// so the busiest source is found without scanning every source.
        private var sourcesByCount: [Set<HandshakeSource>]
        private var busiestCount = 0

        init(limit: Int, perSourceLimit: Int) {
            invariant(limit >= 1 && perSourceLimit >= 1, "gate limits \(limit)/\(perSourceLimit) must be positive")
            self.limit = limit
            self.perSourceLimit = perSourceLimit
            sourcesByCount = Array(repeating: [], count: perSourceLimit + 1)
        }

        func count(of source: HandshakeSource) -> Int { pending[source]?.count ?? 0 }

        mutating func enter(source: HandshakeSource, evict: @escaping @Sendable () -> Void)
            -> (Admission, evicted: (@Sendable () -> Void)?) {
            let mine = count(of: source)
            guard mine < perSourceLimit else { return (.sourceFull(source, limit: perSourceLimit), nil) }
            var evicted: (@Sendable () -> Void)?
            if total >= limit {
                guard let busiest = busiestSource(), count(of: busiest) > mine else {
                    return (.gateFull(limit: limit), nil)
                }
                evicted = removeOldest(of: busiest)
            }
            let id = nextID
            nextID += 1
            setCount(of: source, from: mine, to: mine + 1)
            pending[source, default: []].append((id, evict))
            total += 1
            return (.admitted(Ticket(id: id, source: source)), evicted)
        }

        mutating func leave(_ ticket: Ticket) {
            guard var entries = pending[ticket.source],
                  let index = entries.firstIndex(where: { $0.id == ticket.id }) else { return }
            entries.remove(at: index)
            store(entries, for: ticket.source, previousCount: entries.count + 1)
        }

        private mutating func removeOldest(of source: HandshakeSource) -> (@Sendable () -> Void)? {
            guard var entries = pending[source], !entries.isEmpty else { return nil }
            let oldest = entries.removeFirst()
            store(entries, for: source, previousCount: entries.count + 1)
            return oldest.evict
        }

        private mutating func store(_ entries: [(id: UInt64, evict: @Sendable () -> Void)],
                                    for source: HandshakeSource, previousCount: Int) {
            pending[source] = entries.isEmpty ? nil : entries
            setCount(of: source, from: previousCount, to: entries.count)
            total -= 1
            invariant(total >= 0, "handshake gate left more often than entered (total \(total))")
        }

        private mutating func setCount(of source: HandshakeSource, from old: Int, to new: Int) {
            if old > 0 { sourcesByCount[old].remove(source) }
            if new > 0 { sourcesByCount[new].insert(source) }
            busiestCount = max(busiestCount, new)
        }

        private mutating func busiestSource() -> HandshakeSource? {
            while busiestCount > 0 {
                if let source = sourcesByCount[busiestCount].first { return source }
                busiestCount -= 1
            }
            return nil
        }
    }
}
