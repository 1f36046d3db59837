import YonkeProtocol
import YonkeClient
import ArgumentParser
import Foundation
import Logging
import Node
import Topology
import Transport
import YonkeCore

struct NodeJoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Add this machine to a running cluster, then run it as a node in the foreground.",
        discussion: """
            Makes the machine's key (DATA/NAME/identity.key), asks the master through the seed to admit it with the join token (`yonke cluster token` prints one), saves what the master answers — DATA/NAME/joined.yaml (the cluster's settings and machines) and DATA/cluster.secrets (mode 0600) — and runs the node like `yonke node start`. Later restarts: `yonke node start --data DATA --name NAME`. Joining again with the same name and key is a restart; a name registered with another key is refused.

            Example:
              YONKE_JOIN_TOKEN=yk1.5f0c…e1.9a7d…44 yonke node join --seed 10.0.0.5:7400 --name attic-pc \\
                --listen 10.0.0.9:7400 --disk /mnt/disk1:2TB:hdd --disk /mnt/ssd:240GB:ssd --rack r2 --data /srv/yonke
            """
    )

    @Option(name: .long, help: "Any machine of the cluster, HOST:PORT.") var seed: String
    @Option(name: .long, help: "A file holding the join token yk1.<cluster id>.<token> from `yonke cluster token`. Default: $YONKE_JOIN_TOKEN (never pass the token itself as an argument: `ps` shows arguments to every user).") var tokenFile: String?
    @Option(name: .long, help: "This machine's name in the cluster (unique).") var name: String
    @Option(name: .long, help: "HOST:PORT this node listens on and the others dial.") var listen: String
    @Option(name: .long, help: "A disk to store blocks on: PATH:CAPACITY[:ssd|hdd] (default hdd). Repeat for more.")
    var disk: [String] = []
    @Option(name: .long, help: "Failure domain for placement.") var rack: String = TopologyFile.defaultRack
    @Option(name: .long, help: "worker, voter or voter,worker. A voter joins Raft as a learner, then is promoted.")
    var roles: String = "worker"
    @Option(name: .long, help: "This machine's data folder (its key, Raft log, joined.yaml, cluster.secrets).")
    var data: String = "./.yonke-data"
    @Option(name: .long, help: "trace, debug, info, notice, warning, error.") var logLevel: String = "info"

    func run() async throws {
        let request = try joinRequest()
        guard let seedAddress = Topology.Address(parsing: seed) else {
            throw CLIError("--seed '\(seed)' is not HOST:PORT", hint: "give any cluster machine's address, like 10.0.0.5:7400")
        }
        let token: String
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw CLIError("cannot read the token file \(tokenFile)", hint: "write the line `yonke cluster token` prints into it (mode 0600)")
            }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else if let value = ProcessInfo.processInfo.environment["YONKE_JOIN_TOKEN"] {
            token = value.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            throw CLIError("no join token given", hint: "pass --token-file FILE or export YONKE_JOIN_TOKEN (from `yonke cluster token` on the admin's machine)")
        }
        guard let parsedToken = JoinToken.parse(token) else {
            throw CLIError("the join token is not a Yonke join token", hint: "copy the whole yk1.<cluster id>.<token> line that `yonke cluster token` prints")
        }
        let dataRoot = URL(fileURLWithPath: data).standardizedFileURL.path
        try DataFolder.create(dataRoot + "/" + name)
        let identity = try IdentityFile.loadOrCreate(path: dataRoot + "/" + name + "/identity.key")
        var logger = Logger(label: "yonke.join")
        logger.logLevel = .critical
        var settings: Transport.Settings
        do {
            settings = try Transport.Settings(nodeName: name, identity: identity, clusterID: parsedToken.clusterID,
                                              joinToken: parsedToken.token, logger: logger)
        } catch {
            throw CLIError("\(error)", hint: "names are 1–255 bytes without control characters")
        }
        // The seed cannot be pinned yet, and after a rotation it no longer holds the token: the
        // master checks ours, and the grant is only the cluster's settings and machine list.
        settings.trustOnFirstUse = true
        let grant: JoinGrant
        do {
            grant = try await CatalogOps.join(request, seed: seedAddress, settings: settings, logger: logger)
        } catch {
            throw Self.joinFailure(error, seed: seedAddress)
        }

        let secretsPath = dataRoot + "/cluster.secrets"
        // The grant's token may be an old one: keep the one this machine proved.
        let secrets = try ClusterSecrets.parse(grant.secretsFileContents, path: "the master's answer").withJoinToken(parsedToken.token)
        guard secrets.clusterID == parsedToken.clusterID else {
            throw CLIError("the master answered with secrets of another cluster", hint: "check --seed and --token belong to the same cluster")
        }
        try secrets.replace(at: secretsPath)
        // The machines' pinned keys, trusted until the node hears the registry itself.
        try RegistryCache.save(RegistryView(records: grant.machines, joinKeyHex: nil, users: []),
                               path: NodeConfig.registryCachePath(dataRoot: dataRoot, name: name))
        let topology = grant.topology()
        let joinedPath = NodeConfig.joinedTopologyPath(dataRoot: dataRoot, name: name)
        let yaml = TopologyWriter.yaml(topology)
        do {
            _ = try TopologyFile.parse(yaml: yaml, fileName: joinedPath)
        } catch {
            throw CLIError("the cluster's machine list does not make a valid topology: \(error)", hint: "report this; the registry holds a machine the topology rules refuse")
        }
        try SecretFile.replace(path: joinedPath, contents: yaml)
        // Straight to the file descriptor: the node's run never returns to flush stdio.
        FileHandle.standardOutput.write(Data("joined cluster \(topology.cluster.name) as \(name) (\(topology.machines.count) machines); running — restart later with `yonke node start --data \(data) --name \(name)`\n".utf8))

        var config = try NodeConfig(topology: topology, name: name, dataRoot: dataRoot, secrets: secrets)
        config.jobRunner = NodeIngestRunner()
        config.secretsPath = secretsPath
        config.raftBootstrapVoters = []
        try await NodeRunner.run(config, logLevel: logLevel)
    }

    private func joinRequest() throws -> JoinRequest {
        guard let address = Topology.Address(parsing: listen) else {
            throw CLIError("--listen '\(listen)' is not HOST:PORT", hint: "give the address the other machines dial, like 10.0.0.9:7400")
        }
        var parsedRoles: [Topology.Role] = []
        for item in roles.split(separator: ",") {
            guard let role = Topology.Role(rawValue: item.trimmingCharacters(in: .whitespaces)) else {
                throw CLIError("--roles: '\(item)' is not a role", hint: "use worker, voter or voter,worker")
            }
            parsedRoles.append(role)
        }
        guard !parsedRoles.isEmpty else { throw CLIError("--roles is empty", hint: "use worker, voter or voter,worker") }
        let disks = try disk.map(Self.parseDisk)
        if parsedRoles.contains(.worker) && disks.isEmpty {
            throw CLIError("a worker needs at least one --disk", hint: "add --disk /mnt/disk1:500GB:hdd (PATH:CAPACITY[:ssd|hdd])")
        }
        return JoinRequest(name: name, address: address, roles: parsedRoles, rack: rack, disks: disks)
    }

    /// `PATH:CAPACITY[:ssd|hdd]`, split from the right so a path may hold colons; relative paths
    /// become absolute (the node may later run from another folder).
    static func parseDisk(_ spec: String) throws -> Topology.Disk {
        var parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var diskClass = Topology.DiskClass.hdd
        if let last = parts.last, let named = Topology.DiskClass(rawValue: last.lowercased()) {
            diskClass = named
            parts.removeLast()
        }
        guard parts.count >= 2, let capacity = ByteCount.parse(parts.removeLast()), capacity > 0 else {
            throw CLIError("--disk '\(spec)' is not PATH:CAPACITY[:ssd|hdd]", hint: "write it like /mnt/disk1:500GB:hdd")
        }
        let path = parts.joined(separator: ":")
        guard !path.isEmpty else { throw CLIError("--disk '\(spec)' has no path", hint: "write it like /mnt/disk1:500GB:hdd") }
        return Topology.Disk(path: URL(fileURLWithPath: path).standardizedFileURL.path, capacityBytes: capacity, diskClass: diskClass)
    }

    static func joinFailure(_ error: any Error, seed: Topology.Address) -> CLIError {
        let text = "\(error)"
        if text.contains("join token") {
            return CLIError("join refused by \(seed): \(text)", hint: "the token is wrong or was rotated: an admin gets a new one with `yonke cluster token --rotate`")
        }
        if text.contains("registered with another key") {
            return CLIError("join refused: \(text)", hint: "this machine has a new key under an old name: pick another --name, or `yonke node remove NAME` the old one first")
        }
        if text.contains("no node answered") || text.contains("no link") {
            return CLIError("cannot reach the seed \(seed): \(text)", hint: "check --seed is a running machine of the cluster and the port is open")
        }
        return CLIError("join refused: \(text)", hint: "fix what the message names and run the same command again")
    }
}
