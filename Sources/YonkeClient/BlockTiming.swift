import YonkeProtocol
/// Clocks and sizes of the block data plane.
///
/// `ioTimeout` bounds every wait on another node's progress: opening a link,
/// one send into its socket. A hung replica therefore holds a write back by at
/// most this long before it is dropped from the pipeline and reported failed.
/// Once all bytes are sent, a replica with `k` nodes at and after it in the
/// pipeline must confirm within `commitAllowance + k · ioTimeout`, so each hop
/// waits strictly longer than the hop after it (r2 gives up on r3 before r1
/// gives up on r2, and r1 can still report r2's verdict on r3).
public struct BlockTiming: Sendable, Equatable {
    public var ioTimeout: Duration
    /// Time to fsync and rename a block at the end of the stream.
    public var commitAllowance: Duration
    /// An upstream (or a replica being read) silent this long is cut off.
    public var idleTimeout: Duration
    /// Bytes per stream message: 1 MiB, the codec's frame size, well under the
    /// transport's `maxPayloadBytes` (1 MiB + 64 KiB − 18).
    public var chunkBytes: Int

    public init(ioTimeout: Duration, commitAllowance: Duration, idleTimeout: Duration, chunkBytes: Int) {
        self.ioTimeout = ioTimeout
        self.commitAllowance = commitAllowance
        self.idleTimeout = idleTimeout
        self.chunkBytes = chunkBytes
    }

    /// LAN: 2 s per wait, 1 s to commit, 10 s idle, 1 MiB pieces.
    public static let lan = BlockTiming(
        ioTimeout: .seconds(2), commitAllowance: .seconds(1), idleTimeout: .seconds(10), chunkBytes: 1 << 20)

    /// Tests: 1 s waits and 256 KiB pieces, so small blocks still stream in several pieces.
    public static let test = BlockTiming(
        ioTimeout: .seconds(1), commitAllowance: .seconds(1), idleTimeout: .seconds(5), chunkBytes: 256 << 10)

    public func confirmTimeout(nodes: Int) -> Duration { commitAllowance + ioTimeout * max(1, nodes) }
}

/// Injected misbehaviour of this node's side of write streams (tests only):
/// after receiving `afterBytes` of a block it either closes the link or stops
/// reading and never answers (a hung disk or process).
public struct BlockStreamFault: Sendable, Equatable {
    public enum Action: Sendable, Equatable { case closeLink, hang }
    public var afterBytes: Int64
    public var action: Action

    public init(afterBytes: Int64, action: Action) {
        self.afterBytes = afterBytes
        self.action = action
    }
}
