import YonkeProtocol
import YonkeClient
import Foundation
import Topology
import Transport

/// Everything one node process needs to start.
public struct NodeConfig: Sendable {
    public let topology: Topology
    public let machine: Topology.Machine
    /// The cluster's data folder on this machine (`cluster up --data`, default
    /// `./.yonke-data`): relative disk paths of the topology live under it.
    public let dataRoot: String
    public let secrets: ClusterSecrets
    /// This voter's share of the data secret (`DATA/NAME/key.share`); nil for workers, voters that
    /// joined later, and nodes whose secrets carry the secret itself.
    public var keyShare: KeyShareFile?
    public var timing: NodeTiming
    /// The background scrubber (the topology's figures unless `node start` overrides them).
    public var scrub: ScrubSettings
    /// Where `/metrics` is served; nil: not served (the default: the topology's `metricsAddress` turns it on).
    public var metricsAddress: Topology.Address?
    /// The voter set Raft starts from when its log is empty: the topology's voters for a machine
    /// of the cluster's first topology; empty for a machine that joined later (it learns the
    /// configuration from the master's log, never campaigns on a guess).
    public var raftBootstrapVoters: [String]
    /// Where the cluster secrets were read from: rewritten (atomically) when the join token rotates.
    public var secretsPath: String?
    /// Healing and rebalancing limits: the topology's `cluster:` figures unless `node start` overrides them.
    public var rebalanceSettings: RebalanceSettings
    /// Frame sizes, handshake deadline and the bounds on strangers' pending handshakes
    /// (`Transport.Limits.lan` unless `node start` overrides them).
    public var transportLimits: Transport.Limits = .lan
    /// Runs ingest jobs the master hands this node; nil: the node refuses them.
    public var jobRunner: (any NodeJobRunner)?
    /// Where the S3 door listens (the machine's `s3Address` unless `node start --s3-listen`); nil: off.
    public var s3Address: Topology.Address?
    /// Serves the S3 door when `s3Address` is set (the CLI injects it, so `Node` does not depend on it).
    public var gateway: (any NodeGateway)?

    public init(topology: Topology, name: String, dataRoot: String, secrets: ClusterSecrets,
                timing: NodeTiming = .lan) throws {
        guard let machine = topology.machine(named: name) else {
            throw NodeError.notInTopology(name: name, known: topology.machines.map(\.name))
        }
        self.topology = topology
        self.machine = machine
        self.dataRoot = dataRoot
        self.secrets = secrets
        self.timing = timing
        scrub = ScrubSettings(cluster: topology.cluster)
        metricsAddress = machine.metricsAddress
        s3Address = machine.s3Address
        self.raftBootstrapVoters = topology.voters.map(\.name)
        self.secretsPath = nil
        rebalanceSettings = RebalanceSettings(graceMilliseconds: topology.cluster.healGraceMilliseconds,
                                              bytesPerSecond: topology.cluster.rebalanceBytesPerSecond)
        rebalanceSettings.garbageGraceMilliseconds = topology.cluster.garbageGraceMilliseconds
    }

    public var name: String { machine.name }
    /// This node's own folder: identity key and Raft log.
    public var dataDirectory: String { dataRoot + "/" + machine.name }
    public var identityPath: String { dataDirectory + "/identity.key" }
    public var raftDirectory: String { dataDirectory + "/raft" }
    /// This voter's key share, if it holds one.
    public var keySharePath: String { KeyShareFile.path(dataRoot: dataRoot, machine: machine.name) }
    /// When this node last finished a scrub pass (survives restarts, so a restart does not rescan).
    public var scrubStatePath: String { dataDirectory + "/scrub.state" }
    /// What `node join` received: the cluster's settings and machines at join time (a topology file).
    public var joinedTopologyPath: String { Self.joinedTopologyPath(dataRoot: dataRoot, name: machine.name) }

    public static func joinedTopologyPath(dataRoot: String, name: String) -> String {
        dataRoot + "/" + name + "/joined.yaml"
    }

    /// The registry as this node last heard it (machines' pinned keys, users' public keys): what
    /// it trusts after a restart or a join, before it hears the registry again.
    public var registryCachePath: String { Self.registryCachePath(dataRoot: dataRoot, name: machine.name) }

    public static func registryCachePath(dataRoot: String, name: String) -> String {
        dataRoot + "/" + name + "/registry.cache"
    }

    /// A disk path from the topology: relative ones live under the data root,
    /// so one topology file serves every node of a local cluster.
    public func diskPath(_ disk: Topology.Disk) -> String {
        disk.path.hasPrefix("/") ? disk.path : dataRoot + "/" + disk.path
    }

    public func address(of name: String) -> PeerDirectory.Address? {
        topology.machine(named: name)?.address
    }
}

/// A door the node hosts beside its own port (the S3 gateway): runs until cancelled, as a client
/// of the cluster it lives in.
public protocol NodeGateway: Sendable {
    func run(address: Topology.Address, context: NodeContext) async throws
}

/// Clocks of the node's protocols. `.lan`: 10 ms Raft ticks, 150–300 ms
/// election timeout, 50 ms heartbeat (the Raft paper's LAN figures); SWIM
/// probes every 500 ms. `.test` is the same: tests use real time too.
public struct NodeTiming: Sendable {
    public var raftTickMilliseconds: Int
    public var swimPeriodMilliseconds: Int
    public var blockReportIntervalMilliseconds: Int
    public var requestTimeoutMilliseconds: Int
    /// The master snapshots the catalog and compacts the Raft log once this many
    /// applied entries sit in it (bounds restart time and disk use).
    public var raftSnapshotThresholdEntries: Int = 1_000

    public static let lan = NodeTiming(
        raftTickMilliseconds: 10, swimPeriodMilliseconds: 500,
        blockReportIntervalMilliseconds: 5_000, requestTimeoutMilliseconds: 5_000)
}

/// How the master heals and rebalances (see `Rebalance.Scheduler`).
public struct RebalanceSettings: Sendable, Equatable {
    /// A machine down this long counts as lost and its blocks are copied elsewhere.
    public var graceMilliseconds: Int64
    /// Per machine, for healing and rebalancing copies (in and out).
    public var bytesPerSecond: Int64
    /// Copies a machine takes part in at once.
    public var copiesPerMachineMax: Int = 2
    /// How long a block no file references waits before its holders delete it.
    public var garbageGraceMilliseconds: Int64 = 3_600_000

    public init(graceMilliseconds: Int64, bytesPerSecond: Int64) {
        self.graceMilliseconds = graceMilliseconds
        self.bytesPerSecond = bytesPerSecond
    }
}
