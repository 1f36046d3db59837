import Foundation

/// A cluster whose nodes each run in a Linux network namespace of their own,
/// joined by veth pairs to a bridge this helper creates; the test process sits
/// on the bridge too, as a client. A partition here is real: blackhole routes
/// inside the namespaces make the kernel drop the packets (no fault rule in
/// the nodes is involved). Needs root and `ip` (iproute2); see `isPermitted`.
final class NamespaceCluster {
    let folder = TemporaryFolder()
    let names: [String]
    let addresses: [String: String]
    private let tag: String
    private let subnet: String
    private var processes: [String: Process] = [:]
    var dataPath: String { folder.path + "/data" }
    var topologyPath: String { folder.path + "/topology.yaml" }
    var secretsPath: String { dataPath + "/cluster.secrets" }
    var credentialPath: String { dataPath + "/admin.credential" }
    static let port = 7400

    /// Whether this machine lets us create namespaces, and why not when it does not.
    static let permission: (allowed: Bool, reason: String) = {
        let probe = "ykprobe\(getpid())"
        let added = shell(["ip", "netns", "add", probe])
        guard added.status == 0 else {
            return (false, "network namespaces are not permitted here (`ip netns add` said: \(added.output.trimmingCharacters(in: .whitespacesAndNewlines)))")
        }
        _ = shell(["ip", "netns", "del", probe])
        return (true, "")
    }()

    init(machines: Int = 5, voters: Int = 3, blockSize: String = "1MiB") throws {
        names = (1...machines).map { $0 <= voters ? "m\($0)" : "w\($0)" }
        tag = String(getpid() % 10000)
        subnet = "10.78.\(getpid() % 250)"
        var addresses: [String: String] = [:]
        for (index, name) in names.enumerated() { addresses[name] = "\(subnet).\(index + 1)" }
        self.addresses = addresses
        var yaml = "cluster:\n  name: netns\n  blockSize: \(blockSize)\n  replicationFactor: 3\nmachines:\n"
        for (index, name) in names.enumerated() {
            yaml += """
              - name: \(name)
                address: \(addresses[name]!):\(Self.port)
                roles: [\(index < voters ? "voter, worker" : "worker")]
                rack: r\(index % 2)
                disks:
                  - path: disks/\(name)
                    capacity: 1GiB
                    class: ssd

            """
        }
        try yaml.write(toFile: topologyPath, atomically: true, encoding: .utf8)
        let initialised = try YonkeProcess.run(["cluster", "init", topologyPath, "--data", dataPath])
        guard initialised.status == 0 else { throw ClusterFailure("cluster init failed: \(initialised.stderr)") }
        try run(["ip", "link", "add", bridge, "type", "bridge"])
        try run(["ip", "addr", "add", "\(subnet).254/24", "dev", bridge])
        try run(["ip", "link", "set", bridge, "up"])
        for (index, name) in names.enumerated() {
            let namespace = self.namespace(name)
            try run(["ip", "netns", "add", namespace])
            try run(["ip", "link", "add", "ykv\(tag)n\(index)", "type", "veth", "peer", "name", "eth0", "netns", namespace])
            try run(["ip", "link", "set", "ykv\(tag)n\(index)", "master", bridge, "up"])
            try run(["ip", "netns", "exec", namespace, "ip", "addr", "add", "\(addresses[name]!)/24", "dev", "eth0"])
            try run(["ip", "netns", "exec", namespace, "ip", "link", "set", "eth0", "up"])
            try run(["ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up"])
        }
        for name in names { try start(name) }
    }

    deinit {
        for process in processes.values where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for process in processes.values { process.waitUntilExit() }
        for name in names { _ = Self.shell(["ip", "netns", "del", namespace(name)]) }
        _ = Self.shell(["ip", "link", "del", bridge])
    }

    var bridge: String { "ykb\(tag)" }
    func namespace(_ name: String) -> String { "yk\(tag)\(name)" }
    func endpoint(_ name: String) -> String { "\(addresses[name]!):\(Self.port)" }
    var endpoints: String { names.map(endpoint).joined(separator: ",") }

    func start(_ name: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", namespace(name), YonkeProcess.binary, "node", "start",
                             "--topology", topologyPath, "--name", name, "--data", dataPath]
        let log = dataPath + "/\(name).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = process.standardOutput
        try process.run()
        processes[name] = process
    }

    /// Drops every packet between the groups, both ways, in the kernel.
    func partition(_ groups: [[String]]) throws {
        for (index, group) in groups.enumerated() {
            for other in groups.enumerated() where other.offset != index {
                for node in group {
                    for peer in other.element {
                        try run(["ip", "netns", "exec", namespace(node), "ip", "route", "add", "blackhole", "\(addresses[peer]!)/32"])
                    }
                }
            }
        }
    }

    func heal() {
        for node in names {
            for peer in names where peer != node {
                _ = Self.shell(["ip", "netns", "exec", namespace(node), "ip", "route", "del", "blackhole", "\(addresses[peer]!)/32"])
            }
        }
    }

    func yonke(_ arguments: [String], via nodes: [String]? = nil, timeoutSeconds: Double = 120) throws -> YonkeProcess.Result {
        let cluster = (nodes ?? names).map(endpoint).joined(separator: ",")
        return try YonkeProcess.run(arguments, environment: ["YONKE_CLUSTER": cluster, "YONKE_CREDENTIAL": credentialPath],
                                    timeoutSeconds: timeoutSeconds)
    }

    /// Polls until `status` names a master, through the given nodes.
    func waitForMaster(via nodes: [String]? = nil, seconds: Double) throws -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let status = try yonke(["status", "--json"], via: nodes, timeoutSeconds: 20)
            if status.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any],
               let master = object["master"] as? String { return master }
            usleep(200_000)
        }
        return nil
    }

    private func run(_ arguments: [String]) throws {
        let result = Self.shell(arguments)
        guard result.status == 0 else { throw ClusterFailure("\(arguments.joined(separator: " ")) failed: \(result.output)") }
    }

    static func shell(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
