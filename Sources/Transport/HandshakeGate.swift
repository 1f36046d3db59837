import Synchronization
import YonkeCore

/// Bounds the handshakes one listener runs at once, so a flood of silent or
/// slow connections costs a fixed amount of memory and cannot starve members;
/// each waits at most `Limits.handshakeTimeoutMilliseconds` anyway.
final class HandshakeGate: Sendable {
    let limit: Int
    private let inProgress = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    func tryEnter() -> Bool {
        while true {
            let current = inProgress.load(ordering: .relaxed)
            guard current < limit else { return false }
            if inProgress.compareExchange(expected: current, desired: current + 1, ordering: .relaxed).exchanged {
                return true
            }
        }
    }

    func leave() {
        let before = inProgress.subtract(1, ordering: .relaxed).oldValue
        invariant(before > 0, "handshake gate left more often than entered (was \(before))")
    }
}
