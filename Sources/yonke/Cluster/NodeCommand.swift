import YonkeProtocol
import YonkeClient
import ArgumentParser
import Foundation
import Logging
import Node
import Topology
import Transport

struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run or manage one machine of a cluster.",
        subcommands: [NodeStartCommand.self, NodeJoinCommand.self, NodeDrainCommand.self, NodeRemoveCommand.self]
    )
}

struct NodeStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Run one node of a topology in the foreground until SIGINT or SIGTERM.",
        discussion: """
            The node's identity key and Raft log live in DATA/NAME; its disks are the topology's paths (relative ones under DATA). `yonke cluster up` runs this once per machine. Without --topology it restarts a machine that joined with `yonke node join` from DATA/NAME/joined.yaml and DATA/cluster.secrets.

            Example:
              yonke node start --topology topology/local-4.yaml --name m1 --data ./.yonke-data
              yonke node start --data /srv/yonke --name attic-pc
              yonke node start --topology topology/local-4.yaml --name w4 --scrub-mbps 50 --metrics-listen 127.0.0.1:9404
            """
    )

    @Option(name: .long, help: "The cluster's topology file. Default: DATA/NAME/joined.yaml (a joined machine).") var topology: String?
    @Option(name: .long, help: "This machine's name in the topology.") var name: String
    @Option(name: .long, help: "The cluster's data folder on this machine.") var data: String = "./.yonke-data"
    @Option(name: .long, help: "Cluster secrets file. Default: DATA/cluster.secrets.") var secrets: String?
    @Option(name: .long, help: "trace, debug, info, notice, warning, error.") var logLevel: String = "info"
    @Option(name: .long, help: "Background scrub rate in MB/s (0 = off). Default: the topology's scrubMbps, else 20.")
    var scrubMbps: Double?
    @Option(name: .long, help: "Serve Prometheus /metrics on HOST:PORT, or `off`. Default: the machine's metricsAddress in the topology (none: off).")
    var metricsListen: String?
    @Option(name: .long, help: "Serve the S3-compatible door on HOST:PORT, or `off`. Default: the machine's s3Address in the topology (none: off).")
    var s3Listen: String?
    @Option(name: .long, help: "Override the topology's cluster.healGrace (e.g. 30s, 2s).") var healGrace: String?
    @Option(name: .long, help: "Override the topology's cluster.rebalanceMbps (megabytes per second per machine).") var rebalanceMbps: Double?
    @Option(name: .long, help: "How long a connecting peer or client has to complete the handshake before it is dropped, however slowly it sends (e.g. 2s, 500ms). Default: $YONKE_HANDSHAKE_TIMEOUT, else 2s.")
    var handshakeTimeout: String?

    func run() async throws {
        let dataRoot = URL(fileURLWithPath: data).standardizedFileURL.path
        let joinedPath = NodeConfig.joinedTopologyPath(dataRoot: dataRoot, name: name)
        if topology == nil, !FileManager.default.fileExists(atPath: joinedPath) {
            throw CLIError("no --topology given and no \(joinedPath)",
                           hint: "pass --topology FILE, or join the machine first with `yonke node join`")
        }
        let parsed = try TopologyLoading.load(topology ?? joinedPath)
        let secretsPath = secrets ?? dataRoot + "/cluster.secrets"
        let clusterSecrets: ClusterSecrets
        do {
            clusterSecrets = try ClusterSecrets.load(path: secretsPath)
        } catch {
            throw CLIError("\(error)", hint: "run `yonke cluster up` once to create the secrets, or pass --secrets FILE")
        }
        var config: NodeConfig
        do {
            config = try NodeConfig(topology: parsed, name: name, dataRoot: dataRoot, secrets: clusterSecrets)
        } catch {
            throw CLIError("\(error)", hint: "pass --name with one of the topology's machines")
        }
        config.jobRunner = NodeIngestRunner()
        config.keyShare = try Self.keyShare(at: config.keySharePath, of: clusterSecrets)
        if let healGrace {
            guard let milliseconds = TopologyFile.milliseconds(parsing: healGrace) else {
                throw CLIError("--heal-grace '\(healGrace)' is not a duration", hint: "write it like 30s, 2s or 500ms")
            }
            config.rebalanceSettings.graceMilliseconds = milliseconds
        }
        if let handshakeTimeout = handshakeTimeout ?? ProcessInfo.processInfo.environment["YONKE_HANDSHAKE_TIMEOUT"] {
            guard let milliseconds = TopologyFile.milliseconds(parsing: handshakeTimeout), milliseconds > 0 else {
                throw CLIError("--handshake-timeout '\(handshakeTimeout)' is not a duration", hint: "write it like 2s or 500ms")
            }
            config.transportLimits.handshakeTimeoutMilliseconds = milliseconds
        }
        if let rebalanceMbps {
            guard rebalanceMbps > 0, rebalanceMbps.isFinite else {
                throw CLIError("--rebalance-mbps \(rebalanceMbps) is not a rate", hint: "give megabytes per second above 0, e.g. 100")
            }
            config.rebalanceSettings.bytesPerSecond = Int64(rebalanceMbps * 1_000_000)
        }
        if let scrubMbps {
            guard scrubMbps.isFinite, scrubMbps >= 0 else {
                throw CLIError("--scrub-mbps \(scrubMbps) is not a rate", hint: "pass MB/s as a number, 0 to turn the scrubber off")
            }
            config.scrub.bytesPerSecond = ScrubSettings.bytesPerSecond(mbps: scrubMbps)
        }
        if let metricsListen {
            if metricsListen == "off" {
                config.metricsAddress = nil
            } else if let address = Topology.Address(parsing: metricsListen) {
                config.metricsAddress = address
            } else {
                throw CLIError("--metrics-listen '\(metricsListen)' is not HOST:PORT", hint: "try --metrics-listen 127.0.0.1:9401, or off")
            }
        }
        if let s3Listen {
            if s3Listen == "off" {
                config.s3Address = nil
            } else if let address = Topology.Address(parsing: s3Listen) {
                config.s3Address = address
            } else {
                throw CLIError("--s3-listen '\(s3Listen)' is not HOST:PORT", hint: "try --s3-listen 127.0.0.1:9401, or off")
            }
        }
        config.secretsPath = secretsPath
        // A joined machine learns the Raft configuration from the master; it never guesses one.
        if topology == nil { config.raftBootstrapVoters = [] }
        try await NodeRunner.run(config, logLevel: logLevel)
    }
}

/// Runs one node in the foreground until SIGINT or SIGTERM.
enum NodeRunner {
    static func run(_ config: NodeConfig, logLevel: String) async throws {
        let name = config.name
        var logger = Logger.yonke(node: name)
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let node = try YonkeNode(config: config, logger: logger)
        let log = logger
        let running = Task { try await node.run() }
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { signal in
            log.notice("stopping", metadata: ["signal": "\(signal)"])
            running.cancel()
        }
        defer { signals.cancel() }
        do {
            try await running.value
        } catch is CancellationError {
        } catch {
            throw CLIError("node \(name) stopped: \(error)", hint: "see the log lines above for the cause")
        }
        logger.notice("stopped")
    }
}

/// Turns SIGINT/SIGTERM into a callback (instead of the default immediate exit),
/// so a node can close its links and leave the cluster gracefully.
final class SignalWatcher: @unchecked Sendable {
    // Set once in init, only cancelled afterwards (DispatchSource is thread-safe).
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], _ handler: @escaping @Sendable (Int32) -> Void) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }

    func cancel() { for source in sources { source.cancel() } }
}

extension NodeStartCommand {
    /// This voter's key share, checked against the machines' secrets (same cluster, same key).
    static func keyShare(at path: String, of secrets: ClusterSecrets) throws -> KeyShareFile? {
        let share: KeyShareFile?
        do { share = try KeyShareFile.loadIfPresent(path: path) } catch {
            throw CLIError("\(error)", hint: "restore \(path) from this machine's backup, or move it away: the node then asks the other machines for the keyring")
        }
        if let share, share.clusterID != secrets.clusterID || share.keyCheck != secrets.keyCheck {
            throw CLIError("the key share \(path) belongs to another cluster or key than the secrets file",
                           hint: "check --data and --secrets name this machine's own folder and cluster")
        }
        return share
    }
}
