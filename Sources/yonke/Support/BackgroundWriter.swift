import Dispatch

/// Runs one write at a time off the encoding thread, so the fsync of block n
/// overlaps the encoding of block n+1. `wait()` rethrows the first failure.
final class BackgroundWriter: @unchecked Sendable {
    /// One encoded block's buffer. Two of them alternate: the encoder fills one
    /// while the writer drains the other, never the same one at once.
    final class Slot: @unchecked Sendable {
        var bytes: [UInt8] = []
        var count = 0
    }

    private let queue = DispatchQueue(label: "yonke.background-writer")
    private let group = DispatchGroup()
    // Written on `queue` only, read after `group.wait()`: the group orders the two.
    private var failure: (any Error)?

    func submit(_ work: @escaping @Sendable () throws -> Void) {
        group.enter()
        queue.async {
            if self.failure == nil {
                do { try work() } catch { self.failure = error }
            }
            self.group.leave()
        }
    }

    func wait() throws {
        group.wait()
        if let failure { throw failure }
    }
}
