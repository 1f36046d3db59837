import CSodium
import YonkeCore

/// Key material in memory that libsodium locks (no swap) and wipes when released.
/// Immutable after init, so sharing it across threads is safe.
///
/// TEMPORARY DUPLICATE: an equivalent of BlockCodec's internal `SecretBytes`,
/// written separately for Transport so the two modules stay independent until
/// the type moves to a shared module.
final class SecretBytes: @unchecked Sendable {
    let count: Int
    private let pointer: UnsafeMutableRawPointer

    init(count: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) {
        invariant(Sodium.ready, "libsodium not initialised before allocating \(count) secret bytes")
        guard let memory = sodium_malloc(count) else {
            preconditionFailure("sodium_malloc(\(count)) failed: out of memory")
        }
        self.count = count
        self.pointer = memory
        fill(UnsafeMutableRawBufferPointer(start: memory, count: count))
    }

    convenience init(copying bytes: some Collection<UInt8>) {
        self.init(count: bytes.count) { out in
            for (index, byte) in bytes.enumerated() { out[index] = byte }
        }
    }

    deinit {
        // sodium_free zeroes the memory before unmapping it.
        sodium_free(pointer)
    }

    var typedPointer: UnsafePointer<UInt8> {
        UnsafePointer(pointer.assumingMemoryBound(to: UInt8.self))
    }
}
