#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's file-descriptor limit (RLIMIT_NOFILE). A listener holding
/// thousands of strangers' connections needs far more than the usual soft
/// limit of 1,024, and running out makes `accept` fail (NIO then stops
/// accepting for a second, members included), so a listener raises the soft
/// limit to the hard one and holds its pending handshakes below what is left.
public enum DescriptorLimit {
    public struct Values: Sendable, Equatable {
        public var soft: UInt64
        public var hard: UInt64
    }

    /// Descriptors kept out of the gate's reach: authenticated links, disks,
    /// the Raft log, outgoing links, the metrics port.
    public static let reservedForMembers: UInt64 = 1_024

    /// Raises the soft limit to the hard limit (idempotent; only ever raises).
    /// Returns the limits in force afterwards, nil if they cannot be read.
    @discardableResult
    public static func raiseSoftToHard() -> Values? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Values(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
    }

    /// The pending handshakes a listener may hold with `descriptors` in force:
    /// the configured figure, or what is left after `reservedForMembers`
    /// (at least 16 of it, so a starved process still lets members in).
    static func pendingHandshakeLimit(configured: Int, descriptors: Values?) -> Int {
        guard let descriptors else { return configured }
        let available = descriptors.soft > reservedForMembers ? descriptors.soft - reservedForMembers : 0
        return min(configured, max(16, Int(clamping: available)))
    }
}
