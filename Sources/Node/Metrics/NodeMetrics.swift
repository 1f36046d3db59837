import YonkeProtocol
import YonkeClient
import Prometheus
import Synchronization

/// One scrape's figures, gathered from the node's services (`YonkeNode.metricsSnapshot`).
public struct MetricsSnapshot: Sendable, Equatable {
    public struct DiskClassFigures: Sendable, Equatable {
        public var diskClass: String
        public var capacityBytes: Int64
        public var usedBytes: Int64
        public var freeBytes: Int64 { max(0, capacityBytes - usedBytes) }
    }

    public struct ClusterFigures: Sendable, Equatable {
        public var underReplicatedBlocks: Int
        public var missingBlocks: Int
    }

    /// Per disk class (ssd, hdd), sorted by class.
    public var disks: [DiskClassFigures]
    public var blocksHeld: Int
    public var scrub: ScrubStatus
    public var raftTerm: UInt64
    public var raftCommitIndex: UInt64
    public var isMaster: Bool
    /// Members this node's gossip knows, by state; every state of `NodeMetrics.memberStates` is present.
    public var membersByState: [String: Int]
    public var receivedBytes: Int64
    public var sentBytes: Int64
    public var rpc: RPCCounters.Counts
    /// Only on the master, which holds the block map.
    public var cluster: ClusterFigures?
}

/// Renders snapshots as Prometheus text with swift-prometheus: one registry
/// per node (never the process-wide MetricsSystem, so that several nodes in
/// one test process keep apart). Every series carries `node="NAME"`.
/// Cumulative figures are counters (`_total`): each scrape adds what grew
/// since the previous one, so the registry's counter equals the node's.
public final class NodeMetrics: Sendable {
    let node: String
    private let registry = PrometheusCollectorRegistry()
    /// Counter totals already added to the registry, by series.
    private let mirrored = Mutex<[String: Int64]>([:])

    public static let memberStates = ["alive", "suspect", "dead", "left"]

    public init(node: String) {
        self.node = node
    }

    /// Names and help texts, one place (the registry refuses a second help for a name).
    enum Metric: String, CaseIterable {
        case diskCapacityBytes = "yonke_disk_capacity_bytes"
        case diskUsedBytes = "yonke_disk_used_bytes"
        case diskFreeBytes = "yonke_disk_free_bytes"
        case blocksHeld = "yonke_blocks_held"
        case scrubVerifiedBlocks = "yonke_scrub_verified_blocks_total"
        case scrubVerifiedBytes = "yonke_scrub_verified_bytes_total"
        case scrubCorruptBlocks = "yonke_scrub_corrupt_blocks_total"
        case scrubUnverifiable = "yonke_scrub_unverifiable_blocks_total"
        case scrubPasses = "yonke_scrub_passes_total"
        case scrubLastPassEnd = "yonke_scrub_last_pass_end_timestamp_seconds"
        case scrubLastPassDuration = "yonke_scrub_last_pass_duration_seconds"
        case scrubRunning = "yonke_scrub_running"
        case raftTerm = "yonke_raft_term"
        case raftCommitIndex = "yonke_raft_commit_index"
        case isMaster = "yonke_raft_is_master"
        case gossipMembers = "yonke_gossip_members"
        case transportReceived = "yonke_transport_received_bytes_total"
        case transportSent = "yonke_transport_sent_bytes_total"
        case rpcRequests = "yonke_rpc_requests_total"
        case oneWayMessages = "yonke_rpc_one_way_messages_total"
        case blockStreams = "yonke_block_streams_total"
        case underReplicated = "yonke_cluster_under_replicated_blocks"
        case missing = "yonke_cluster_missing_blocks"

        var help: String {
            switch self {
            case .diskCapacityBytes: "Configured capacity of this node's disks, per disk class."
            case .diskUsedBytes: "Bytes of blocks held on this node's disks, per disk class."
            case .diskFreeBytes: "Configured capacity minus used bytes, per disk class."
            case .blocksHeld: "Blocks held on this node (quarantined files not counted)."
            case .scrubVerifiedBlocks: "Blocks the scrubber verified since the node started (corrupt ones included)."
            case .scrubVerifiedBytes: "Encoded bytes the scrubber read and verified since the node started."
            case .scrubCorruptBlocks: "Corrupt replicas the scrubber found, quarantined and reported since the node started."
            case .scrubUnverifiable: "Blocks this node could not judge (another keyring, a cipher its CPU lacks); never quarantined."
            case .scrubPasses: "Full scrub passes completed since the node started."
            case .scrubLastPassEnd: "Unix time the last full scrub pass ended (0: none yet)."
            case .scrubLastPassDuration: "Seconds the last full scrub pass took (0: none yet)."
            case .scrubRunning: "1 while a scrub pass runs."
            case .raftTerm: "Current Raft term as this node knows it."
            case .raftCommitIndex: "Raft commit index as this node knows it."
            case .isMaster: "1 on the master (the Raft leader), else 0."
            case .gossipMembers: "Members this node's SWIM view holds, per state."
            case .transportReceived: "Bytes received over node links (sealed frames with headers)."
            case .transportSent: "Bytes sent over node links (sealed frames with headers)."
            case .rpcRequests: "Requests this node answered or forwarded, per service."
            case .oneWayMessages: "One-way messages received, per channel."
            case .blockStreams: "Block read and write streams this node served."
            case .underReplicated: "Master only: catalog blocks with fewer live replicas than the replication factor."
            case .missing: "Master only: catalog blocks with no live replica."
            }
        }
    }

    /// The exposition text for one snapshot.
    public func render(_ s: MetricsSnapshot) -> [UInt8] {
        for disk in s.disks {
            let labels = [("class", disk.diskClass)]
            gauge(.diskCapacityBytes, Double(disk.capacityBytes), labels)
            gauge(.diskUsedBytes, Double(disk.usedBytes), labels)
            gauge(.diskFreeBytes, Double(disk.freeBytes), labels)
        }
        gauge(.blocksHeld, Double(s.blocksHeld))
        counter(.scrubVerifiedBlocks, s.scrub.verifiedBlocks)
        counter(.scrubVerifiedBytes, s.scrub.verifiedBytes)
        counter(.scrubCorruptBlocks, s.scrub.corruptBlocks)
        counter(.scrubUnverifiable, s.scrub.unverifiableBlocks)
        counter(.scrubPasses, s.scrub.completedPasses)
        gauge(.scrubLastPassEnd, Double(s.scrub.lastPassEndMillis ?? 0) / 1000)
        if let start = s.scrub.lastPassStartMillis, let end = s.scrub.lastPassEndMillis {
            gauge(.scrubLastPassDuration, Double(end - start) / 1000)
        } else {
            gauge(.scrubLastPassDuration, 0)
        }
        gauge(.scrubRunning, s.scrub.isPassRunning ? 1 : 0)
        gauge(.raftTerm, Double(s.raftTerm))
        gauge(.raftCommitIndex, Double(s.raftCommitIndex))
        gauge(.isMaster, s.isMaster ? 1 : 0)
        for state in Self.memberStates { gauge(.gossipMembers, Double(s.membersByState[state] ?? 0), [("state", state)]) }
        counter(.transportReceived, s.receivedBytes)
        counter(.transportSent, s.sentBytes)
        for (index, service) in RPCCounters.services.enumerated() {
            counter(.rpcRequests, s.rpc.requests[index], [("service", service)])
        }
        for (index, channel) in RPCCounters.channels.enumerated() {
            counter(.oneWayMessages, s.rpc.oneWays[index], [("channel", channel)])
        }
        counter(.blockStreams, s.rpc.streams)
        if let cluster = s.cluster {
            gauge(.underReplicated, Double(cluster.underReplicatedBlocks))
            gauge(.missing, Double(cluster.missingBlocks))
        } else {
            // A node that stopped being master stops exporting cluster figures it no longer knows.
            registry.unregisterGauge(makeGauge(.underReplicated))
            registry.unregisterGauge(makeGauge(.missing))
        }
        return Self.sortedByFamily(registry.emitToString())
    }

    /// The registry keeps families in a dictionary, so each scrape would list
    /// them in another order; sorted, two scrapes diff line by line. Each
    /// family keeps its HELP and TYPE lines first, then its series sorted.
    static func sortedByFamily(_ text: String) -> [UInt8] {
        var families: [Substring: (comments: [Substring], series: [Substring])] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#") {
                let words = line.split(separator: " ", maxSplits: 3)
                guard words.count >= 3 else { continue }
                families[words[2], default: ([], [])].comments.append(line)
            } else {
                let name = line.prefix { $0 != "{" && $0 != " " }
                families[name, default: ([], [])].series.append(line)
            }
        }
        var out = ""
        for name in families.keys.sorted() {
            let family = families[name]!
            for line in family.comments + family.series.sorted() { out += line + "\n" }
        }
        return Array(out.utf8)
    }

    private func labels(_ extra: [(String, String)]) -> [(String, String)] { [("node", node)] + extra }

    /// Our names already end in their unit (`_bytes`, `_total`), so the unit part stays empty.
    private func descriptor(_ metric: Metric) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: metric.rawValue, unitName: "", helpText: metric.help)
    }

    private func makeGauge(_ metric: Metric, _ extra: [(String, String)] = []) -> Gauge {
        registry.makeGauge(descriptor: descriptor(metric), labels: labels(extra))
    }

    private func gauge(_ metric: Metric, _ value: Double, _ extra: [(String, String)] = []) {
        makeGauge(metric, extra).set(value)
    }

    private func counter(_ metric: Metric, _ total: Int64, _ extra: [(String, String)] = []) {
        let series = metric.rawValue + extra.map { "|\($0.0)=\($0.1)" }.joined()
        let growth = mirrored.withLock { last -> Int64 in
            let growth = total - (last[series] ?? 0)
            if growth > 0 { last[series] = total }
            return growth
        }
        let counter = registry.makeCounter(descriptor: descriptor(metric), labels: labels(extra))
        if growth > 0 { counter.increment(by: growth) }
    }
}
