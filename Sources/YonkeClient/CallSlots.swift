import Synchronization

/// A counting semaphore for calls in flight on one link: `acquire` waits
/// (first come, first served) while every slot is taken, so a busy caller is
/// slowed down by the link instead of overrunning the node at the other end.
final class CallSlots: Sendable {
    let capacity: Int

    private struct State {
        var taken = 0
        var nextWaiter: UInt64 = 0
        /// Waiters oldest first; a cancelled one is removed where it stands.
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    }
    private let state = Mutex(State())

    init(capacity: Int) {
        precondition(capacity >= 1, "CallSlots capacity \(capacity) must be positive")
        self.capacity = capacity
    }

    var taken: Int { state.withLock { $0.taken } }

    /// Takes a slot, waiting for one if needed; throws `CancellationError` if
    /// the task is cancelled while waiting.
    /// Takes a slot if one is free and nobody waits for one.
    func tryAcquire() -> Bool {
        state.withLock { s -> Bool in
            guard s.taken < capacity, s.waiters.isEmpty else { return false }
            s.taken += 1
            return true
        }
    }

    func acquire() async throws {
        if tryAcquire() { return }
        let id = state.withLock { s -> UInt64 in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Checked again under the lock: a slot may have come free since.
                let outcome = state.withLock { s -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if s.taken < capacity, s.waiters.isEmpty {
                        s.taken += 1
                        return .success(())
                    }
                    s.waiters.append((id, continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Gives a slot back: to the oldest waiter if there is one.
    func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            if !s.waiters.isEmpty { return s.waiters.removeFirst().continuation }  // the slot passes on
            precondition(s.taken > 0, "CallSlots released more often than acquired")
            s.taken -= 1
            return nil
        }
        next?.resume()
    }
}
