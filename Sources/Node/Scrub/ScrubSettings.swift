import YonkeProtocol
import YonkeClient
import Topology

/// How hard and how often a node re-verifies its blocks in the background.
///
/// At the default 20 MB/s a node reads 1.7 TB a day, so a 2 TB junkyard disk
/// takes about 28 hours a pass: slow enough that clients never wait on the
/// scrubber (one core decodes ~500 MB/s, a tired HDD reads ~100 MB/s), fast
/// enough that a weekly pass (HDFS scans every three weeks, ZFS users monthly)
/// finds rot while the other replicas are still good.
public struct ScrubSettings: Sendable, Equatable {
    /// Read rate of the background check; 0 turns the scrubber off.
    public var bytesPerSecond: Int64
    /// A full pass starts at most this often (measured from the previous pass's start).
    public var passIntervalMilliseconds: Int64
    /// Quarantined files older than this are deleted (they are kept for forensics meanwhile).
    public var quarantineKeepSeconds: Int64 = 30 * 86_400

    public init(bytesPerSecond: Int64, passIntervalMilliseconds: Int64) {
        self.bytesPerSecond = bytesPerSecond
        self.passIntervalMilliseconds = passIntervalMilliseconds
    }

    /// 20 MB/s, a pass at most weekly.
    public static let standard = ScrubSettings(bytesPerSecond: 20_000_000, passIntervalMilliseconds: 168 * 3_600_000)

    public var isOn: Bool { bytesPerSecond > 0 }

    /// The topology's cluster-wide figures over `standard`.
    public init(cluster: Topology.ClusterSettings) {
        self = .standard
        if let mbps = cluster.scrubMbps { bytesPerSecond = Self.bytesPerSecond(mbps: mbps) }
        if let hours = cluster.scrubIntervalHours { passIntervalMilliseconds = max(1, Int64((hours * 3_600_000).rounded())) }
    }

    /// How long to wait before the next pass: none before the first, else until
    /// `passIntervalMilliseconds` after the last began. A last start in the
    /// future (the wall clock stepped back) does not postpone scrubbing.
    public func millisecondsUntilNextPass(lastPassStart: Int64?, now: Int64) -> Int64 {
        guard let lastPassStart, lastPassStart <= now else { return 0 }
        return max(0, passIntervalMilliseconds - (now - lastPassStart))
    }

    /// MB/s (decimal, as disks are sold) to bytes per second.
    public static func bytesPerSecond(mbps: Double) -> Int64 { Int64((max(0, mbps) * 1_000_000).rounded()) }
}
