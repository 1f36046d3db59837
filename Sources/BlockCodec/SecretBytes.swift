import CSodium

/// Key material in memory that libsodium locks (no swap) and wipes when released.
/// Immutable after init, so sharing it across threads is safe.
final class SecretBytes: @unchecked Sendable {
    let count: Int
    private let pointer: UnsafeMutableRawPointer

    init(count: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) {
        precondition(Sodium.ready, "libsodium not initialised")
        guard let memory = sodium_malloc(count) else {
            preconditionFailure("sodium_malloc(\(count)) failed: out of memory")
        }
        self.count = count
        self.pointer = memory
        fill(UnsafeMutableRawBufferPointer(start: memory, count: count))
    }

    deinit {
        // sodium_free zeroes the memory before unmapping it.
        sodium_free(pointer)
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    var typedPointer: UnsafePointer<UInt8> {
        UnsafePointer(pointer.assumingMemoryBound(to: UInt8.self))
    }
}
