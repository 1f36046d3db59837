import YonkeProtocol
import YonkeClient
import ArgumentParser
import Foundation
import Logging
import Node
import Topology

struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Start or stop a whole topology on this machine.",
        subcommands: [ClusterUpCommand.self, ClusterDownCommand.self, ClusterInitCommand.self, ClusterTokenCommand.self,
                      ClusterMoveMasterCommand.self]
    )
}

/// Where `cluster up` keeps what `cluster down` and the client commands need.
struct ClusterFolder {
    let root: String
    init(_ path: String) { root = URL(fileURLWithPath: path).standardizedFileURL.path }
    var secretsPath: String { root + "/cluster.secrets" }
    /// The operator's credential (user `admin`), made with the secrets.
    var credentialPath: String { root + "/admin.credential" }
    var pidsPath: String { root + "/cluster.pids" }
    func logPath(_ name: String) -> String { root + "/" + name + "/node.log" }
    /// The `yonke` arguments a node was started with, one per line (`chaos restart` reuses them).
    func argumentsPath(_ name: String) -> String { root + "/" + name + "/node.args" }

    /// The machines' secrets, the voters' key shares and the operator's credential of this
    /// folder, made on first use (mode 0600): the secrets name the credential's public key, so
    /// the first master makes it admin; the data secret itself is written nowhere, only its shares
    /// (DATA/VOTER/key.share, any majority of which rebuilds it).
    func secretsCreatedOnce(topology: Topology) throws -> (secrets: ClusterSecrets, operator: UserCredential) {
        try DataFolder.create(root)
        if !FileManager.default.fileExists(atPath: secretsPath) {
            let voters = topology.voters.map(\.name)
            let (draft, shares) = try ClusterSecrets.generateShared(voters: voters, adminKeyHex: nil)
            let credential = try UserCredential.generate(clusterID: draft.clusterID, user: "admin")
            for voter in voters {
                guard let share = shares[voter] else { continue }
                let path = KeyShareFile.path(dataRoot: root, machine: voter)
                try DataFolder.create(root + "/" + voter)
                try? FileManager.default.removeItem(atPath: path)
                try share.write(to: path)
            }
            try draft.withAdminKey(credential.publicKeyHex).write(to: secretsPath)
            try? FileManager.default.removeItem(atPath: credentialPath)
            try credential.write(to: credentialPath)
        }
        let secrets = try ClusterSecrets.load(path: secretsPath)
        guard FileManager.default.fileExists(atPath: credentialPath) else {
            throw CLIError("\(secretsPath) exists but the operator's credential \(credentialPath) does not",
                           hint: "restore it from a backup, or start afresh with a new --data folder")
        }
        return (secrets, try UserCredential.load(path: credentialPath))
    }

    func writePids(_ pids: [(name: String, pid: pid_t)]) throws {
        try SecretFile.replace(path: pidsPath, contents: pids.map { "\($0.name) \($0.pid)" }.joined(separator: "\n").appending("\n"))
    }

    /// Starts one node process with `arguments` and records them for a restart.
    func startNode(_ name: String, arguments: [String]) throws -> pid_t {
        try DataFolder.create(root + "/" + name)
        try SecretFile.replace(path: argumentsPath(name), contents: arguments.joined(separator: "\n"))
        return try ProcessSpawner.spawn(ProcessSpawner.selfExecutable, arguments, logPath: logPath(name))
    }

    func readPids() -> [(name: String, pid: pid_t)] {
        guard let text = try? String(contentsOfFile: pidsPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let pid = pid_t(parts[1]) else { return nil }
            return (String(parts[0]), pid)
        }
    }
}

struct ClusterUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start every machine of a topology as its own process on this machine.",
        discussion: """
            Creates the machines' secrets and the operator's credential on first use (DATA/cluster.secrets and DATA/admin.credential, mode 0600; the first master registers that credential as user `admin`), starts one `yonke node start` per machine (logs in DATA/NAME/node.log), waits for a master and prints the endpoints. Stops them all on Ctrl-C; with --detach returns at once (`yonke cluster down`).

            Example:
              yonke cluster up topology/local-4.yaml --detach
              export YONKE_CLUSTER=127.0.0.1:7401,127.0.0.1:7402 YONKE_CREDENTIAL=.yonke-data/admin.credential
            """
    )

    @Argument(help: "The topology file.") var topology: String
    @Option(name: .long, help: "Cluster data folder on this machine.") var data: String = "./.yonke-data"
    @Flag(name: .long, help: "Return once the cluster is up instead of waiting for Ctrl-C.") var detach = false
    @Option(name: .long, help: "Seconds to wait for every node and a master.") var timeout: Double = 30

    func run() async throws {
        let topologyPath = URL(fileURLWithPath: topology).standardizedFileURL.path
        let parsed = try TopologyLoading.load(topologyPath)
        let folder = ClusterFolder(data)
        try DataFolder.create(folder.root)
        let running = folder.readPids().filter { ProcessSpawner.isAlive($0.pid) }
        guard running.isEmpty else {
            throw CLIError("a cluster is already running from \(folder.root) (\(running.map(\.name).joined(separator: ", ")))",
                           hint: "stop it with `yonke cluster down --data \(data)` first")
        }
        let (_, credential) = try folder.secretsCreatedOnce(topology: parsed)
        var pids: [(name: String, pid: pid_t)] = []
        for machine in parsed.machines {
            let pid = try folder.startNode(
                machine.name, arguments: ["node", "start", "--topology", topologyPath, "--name", machine.name, "--data", folder.root])
            pids.append((machine.name, pid))
        }
        try folder.writePids(pids)

        let endpoints = parsed.machines.map(\.address)
        let readiness = try await ClusterReadiness.wait(
            endpoints: endpoints, credential: credential, timeoutSeconds: timeout,
            stillRunning: { pids.allSatisfy { ProcessSpawner.isAlive($0.pid) } })
        guard let readiness else {
            ClusterStopper.stop(pids)
            throw CLIError("the cluster did not come up within \(Int(timeout)) s",
                           hint: "read the node logs in \(folder.root)/NAME/node.log")
        }
        print("cluster \(parsed.cluster.name) is up: \(parsed.machines.count) nodes, master \(readiness.master)")
        for machine in parsed.machines {
            let roles = machine.roles.map(\.rawValue).joined(separator: ",")
            let metrics = (machine.metricsAddress.map { "  metrics http://\($0)\(MetricsServer.path)" } ?? "")
                + (machine.s3Address.map { "  s3 http://\($0)" } ?? "")
            print("  \(machine.name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(machine.address)  [\(roles)]  log \(folder.logPath(machine.name))\(metrics)")
        }
        print("export YONKE_CLUSTER=\(endpoints.map(\.description).joined(separator: ","))")
        print("export YONKE_CREDENTIAL=\(folder.credentialPath)")
        if detach { return }

        print("Ctrl-C stops the cluster.")
        let stop = AsyncStream<Void>.makeStream()
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { _ in stop.continuation.yield() }
        defer { signals.cancel() }
        for await _ in stop.stream { break }
        ClusterStopper.stop(pids)
        try? FileManager.default.removeItem(atPath: folder.pidsPath)
        print("cluster stopped")
    }
}

struct ClusterDownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop the nodes that `yonke cluster up --detach` started.",
        discussion: """
            Sends SIGTERM to each node (they leave the cluster gracefully), then SIGKILL after 10 s. Data stays in the folder; `cluster up` starts the same cluster again.

            Example:
              yonke cluster down --data ./.yonke-data
            """
    )

    @Option(name: .long, help: "Cluster data folder on this machine.") var data: String = "./.yonke-data"

    func run() throws {
        let folder = ClusterFolder(data)
        let pids = folder.readPids()
        guard !pids.isEmpty else {
            throw CLIError("no running cluster recorded in \(folder.pidsPath)", hint: "was it started with `yonke cluster up --data \(data)`?")
        }
        ClusterStopper.stop(pids)
        try? FileManager.default.removeItem(atPath: folder.pidsPath)
        print("stopped \(pids.map(\.name).joined(separator: ", "))")
    }
}

enum ClusterStopper {
    static func stop(_ pids: [(name: String, pid: pid_t)]) {
        for (_, pid) in pids { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, pids.contains(where: { ProcessSpawner.isAlive($0.pid) && !isZombie($0.pid) }) {
            usleep(50_000)
        }
        for (_, pid) in pids where ProcessSpawner.isAlive(pid) { kill(pid, SIGKILL) }
        for (_, pid) in pids { _ = waitpid(pid, nil, WNOHANG) }
    }

    /// A child that exited but was not reaped still answers kill(pid, 0).
    private static func isZombie(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid
    }
}

struct ClusterInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new cluster's secrets without starting any node.",
        discussion: """
            For clusters whose nodes are started one by one (`yonke node start` on each machine, or in network namespaces): makes DATA/cluster.secrets, one key share per voter (DATA/VOTER/key.share) and the operator's DATA/admin.credential (mode 0600) unless they exist, and checks the topology. Copy the secrets file to every machine's data folder and each voter's key share to that voter's DATA/VOTER/ only (no machine should hold two shares: any majority of them rebuilds the data key); keep the credential with the operator.

            Example:
              yonke cluster init topology/local-4.yaml --data /srv/yonke
            """
    )

    @Argument(help: "The topology file.") var topology: String
    @Option(name: .long, help: "Cluster data folder on this machine.") var data: String = "./.yonke-data"

    func run() throws {
        let parsed = try TopologyLoading.load(topology)
        let folder = ClusterFolder(data)
        let existed = FileManager.default.fileExists(atPath: folder.secretsPath)
        _ = try folder.secretsCreatedOnce(topology: parsed)
        print("cluster \(parsed.cluster.name): \(parsed.machines.count) machines; secrets \(existed ? "kept" : "created") in \(folder.secretsPath), operator credential \(folder.credentialPath)")
    }
}
