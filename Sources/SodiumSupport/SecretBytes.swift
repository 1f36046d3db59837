import CSodium
import YonkeCore

/// Key material in memory that libsodium locks (no swap) and wipes when released.
/// Immutable after init, so sharing it across threads is safe.
public final class SecretBytes: @unchecked Sendable {
    public let count: Int
    private let pointer: UnsafeMutableRawPointer

    public init(count: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) {
        invariant(Sodium.ready, "libsodium not initialised before allocating \(count) secret bytes")
        guard let memory = sodium_malloc(count) else {
            preconditionFailure("sodium_malloc(\(count)) failed: out of memory")
        }
        self.count = count
        self.pointer = memory
        fill(UnsafeMutableRawBufferPointer(start: memory, count: count))
    }

    public convenience init(copying bytes: some Collection<UInt8>) {
        self.init(count: bytes.count) { out in
            for (index, byte) in bytes.enumerated() { out[index] = byte }
        }
    }

    deinit {
        // sodium_free zeroes the memory before unmapping it.
        sodium_free(pointer)
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    public var typedPointer: UnsafePointer<UInt8> {
        UnsafePointer(pointer.assumingMemoryBound(to: UInt8.self))
    }
}
