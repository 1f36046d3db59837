import YonkeProtocol
import YonkeClient
import NIOPosix

/// Disk calls that may block — fsync, writes under the kernel's dirty-page
/// throttling, cold reads — run on NIO's blocking-I/O pool, never on Swift's
/// concurrency pool: that pool has one thread per core, and a thread stuck in
/// fsync there stalls every task queued behind it.
enum DiskWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}

/// A value owned by one task at a time, lent to the blocking pool for one call
/// (a block writer or reader: never used by two threads at once).
struct Lent<Value>: @unchecked Sendable {
    let value: Value
}
