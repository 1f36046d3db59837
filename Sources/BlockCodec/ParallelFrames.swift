import Dispatch
import Synchronization

/// Runs `body(frameIndex)` for every frame on up to `parallelism` threads.
/// Frames are handed out one at a time from a shared counter (the last frame
/// of a block is short, and compressible frames finish early), and results go
/// to per-index slots, so the output order never depends on the schedule.
enum ParallelFrames {
    static func forEach(count: Int, parallelism: Int, _ body: (Int) -> Void) {
        let workers = max(1, min(parallelism, count))
        if workers == 1 {
            for index in 0..<count { body(index) }
            return
        }
        // Each index is handed to exactly one worker and callers write only to
        // that index's slot, which is what makes sharing `body` across threads sound.
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            let next = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard index < count else { return }
                    shared.value(index)
                }
            }
        }
    }
}

private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
