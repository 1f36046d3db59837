import Foundation
import Testing

/// A real cluster of `yonke node` processes on 127.0.0.1, started with
/// `yonke cluster up --detach` from a topology written for the test (free
/// ports, small disks under a temporary folder) and stopped when released.
final class LocalCluster {
    let folder = TemporaryFolder()
    let names: [String]
    let ports: [Int]
    var dataPath: String { folder.path + "/data" }
    var topologyPath: String { folder.path + "/topology.yaml" }
    var secretsPath: String { dataPath + "/cluster.secrets" }
    /// The operator's credential `cluster up` wrote (user admin).
    var credentialPath: String { dataPath + "/admin.credential" }
    var endpoints: String { ports.map { "127.0.0.1:\($0)" }.joined(separator: ",") }

    /// `voters` of the machines are master-eligible; all store blocks.
    /// `clusterYAML` is added under `cluster:` (e.g. "  scrubMbps: 200\n").
    /// `nodeEnvironment` reaches the node processes (`cluster up` passes its environment on).
    init(machines: Int = 4, voters: Int = 3, blockSize: String = "4MiB", diskCapacity: String = "2GiB",
         clusterYAML: String = "", nodeEnvironment: [String: String] = [:]) throws {
        names = (1...machines).map { $0 <= voters ? "m\($0)" : "w\($0)" }
        ports = try FreePorts.take(machines)
        var yaml = "cluster:\n  name: test\n  blockSize: \(blockSize)\n  replicationFactor: 3\n\(clusterYAML)machines:\n"
        for (index, name) in names.enumerated() {
            yaml += """
              - name: \(name)
                address: 127.0.0.1:\(ports[index])
                roles: [\(index < voters ? "voter, worker" : "worker")]
                rack: r\(index % 2)
                disks:
                  - path: disks/\(name)
                    capacity: \(diskCapacity)
                    class: ssd

            """
        }
        try yaml.write(toFile: topologyPath, atomically: true, encoding: .utf8)
        // The nodes inherit `nodeEnvironment` (e.g. an ingest source's PGPASSWORD).
        let up = try YonkeProcess.run(["cluster", "up", topologyPath, "--data", dataPath, "--detach", "--timeout", "60"],
                                      environment: nodeEnvironment)
        guard up.status == 0 else {
            let logs = names.map { (try? String(contentsOfFile: dataPath + "/\($0)/node.log", encoding: .utf8)) ?? "" }
            throw ClusterFailure("cluster up failed: \(up.stderr)\n\(up.stdout)\nlogs:\n\(logs.joined(separator: "\n---\n").suffix(4000))")
        }
    }

    deinit {
        _ = try? YonkeProcess.run(["cluster", "down", "--data", dataPath])
    }

    var environment: [String: String] { ["YONKE_CLUSTER": endpoints, "YONKE_CREDENTIAL": credentialPath] }

    /// Runs a client command against this cluster.
    func yonke(_ arguments: [String], timeoutSeconds: Double = 120) throws -> YonkeProcess.Result {
        try YonkeProcess.run(arguments, environment: environment, timeoutSeconds: timeoutSeconds)
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try yonke(arguments + ["--json"])
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw ClusterFailure("\(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return object
    }

    func pid(of name: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: dataPath + "/cluster.pids", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == name { return pid_t(parts[1]) }
        }
        return nil
    }

    func signal(_ name: String, _ number: Int32) {
        if let pid = pid(of: name) { kill(pid, number) }
    }

    func master() throws -> String? { try json(["status"])["master"] as? String }

    /// Polls `status` until a master other than `excluding` is named, or the deadline passes.
    func waitForMaster(excluding: String? = nil, seconds: Double) throws -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let master = try? master(), master != excluding { return master }
            usleep(100_000)
        }
        return nil
    }
}

struct ClusterFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Ports the kernel just handed out as free (bound to port 0, then released).
enum FreePorts {
    static func take(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { for socket in sockets { close(socket) } }
        return try (0..<count).map { _ in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard fd >= 0, bound == 0 else { throw ClusterFailure("cannot bind a free port") }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
            }
            sockets.append(fd)
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }
}
