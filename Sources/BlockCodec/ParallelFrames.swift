import Dispatch
import Synchronization

/// Runs `body(frameIndex, scratch)` for every frame on up to `parallelism` threads.
/// Frames are handed out one at a time from a shared counter (the last frame
/// of a block is short, and compressible frames finish early), and results go
/// to per-index slots, so the output never depends on the schedule. Each worker
/// gets one scratch buffer for all its frames: a fresh 1 MiB allocation per
/// frame would be a fresh mmap, and its page faults, every time.
enum ParallelFrames {
    static func forEach(count: Int, parallelism: Int, _ body: (Int) -> Void) {
        forEach(count: count, parallelism: parallelism, scratchBytes: 0) { index, _ in body(index) }
    }

    static func forEach(
        count: Int, parallelism: Int, scratchBytes: Int, _ body: (Int, UnsafeMutableRawBufferPointer) -> Void
    ) {
        let workers = max(1, min(parallelism, count))
        if workers == 1 {
            withScratch(scratchBytes) { scratch in
                for index in 0..<count { body(index, scratch) }
            }
            return
        }
        // Each index goes to exactly one worker and callers write only to that
        // index's slot: that is what makes sharing `body` across threads sound.
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            let next = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                withScratch(scratchBytes) { scratch in
                    while true {
                        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                        guard index < count else { return }
                        shared.value(index, scratch)
                    }
                }
            }
        }
    }

    private static func withScratch(_ byteCount: Int, _ body: (UnsafeMutableRawBufferPointer) -> Void) {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        defer { scratch.deallocate() }
        body(scratch)
    }
}

private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
