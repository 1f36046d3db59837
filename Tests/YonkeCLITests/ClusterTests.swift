import Foundation
import Testing

/// The acceptance tests for the real cluster: real `yonke` processes
/// on 127.0.0.1, real disks in temporary folders, real signals.
@Suite(.serialized)
struct ClusterTests {
    static func sample(_ cluster: LocalCluster, _ name: String, size: String, seed: Int = 1) throws -> String {
        let path = cluster.folder.path + "/" + name
        let result = try YonkeProcess.run(["sample", path, "--size", size, "--seed", "\(seed)"])
        guard result.status == 0 else { throw ClusterFailure(result.stderr) }
        return path
    }

    static func bytesOnDisk(_ folder: String) -> Int64 {
        var total: Int64 = 0
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return 0 }
        while let name = enumerator.nextObject() as? String {
            let path = folder + "/" + name
            if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
               attributes[.type] as? FileAttributeType == .typeRegular, path.contains("/blocks/") {
                total += (attributes[.size] as? NSNumber)?.int64Value ?? 0
            }
        }
        return total
    }

    @Test func putGetStatCapacityOnFourNodes() throws {
        let cluster = try LocalCluster()
        let source = try Self.sample(cluster, "rows.csv", size: "300MiB")
        let put = try cluster.yonke(["put", source, "lake://bronze/rows.csv", "--source", "test"])
        #expect(put.status == 0, "\(put.stderr)")

        let copy = cluster.folder.path + "/copy.csv"
        let get = try cluster.yonke(["get", "lake://bronze/rows.csv", copy])
        #expect(get.status == 0, "\(get.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: source, andPath: copy))

        let stat = try cluster.json(["stat", "lake://bronze/rows.csv"])
        #expect(stat["path"] as? String == "lake://bronze/rows.csv")
        #expect(stat["size"] as? Int == 300 << 20)
        let blocks = try #require(stat["blocks"] as? [[String: Any]])
        #expect(blocks.count == 75, "300 MiB in 4 MiB blocks")
        for block in blocks {
            let replicas = block["replicas"] as? [String] ?? []
            #expect(replicas.count == 3 && Set(replicas).count == 3, "\(block)")
        }

        let capacity = try cluster.json(["capacity"])
        let machines = try #require(capacity["machines"] as? [[String: Any]])
        #expect(machines.count == 4)
        for machine in machines {
            let name = try #require(machine["name"] as? String)
            let used = (machine["usedBytes"] as? NSNumber)?.int64Value
            #expect(used == Self.bytesOnDisk(cluster.dataPath + "/disks/\(name)"), "\(name)")
        }
        let ls = try cluster.yonke(["ls", "lake://bronze/", "--long"])
        #expect(ls.status == 0 && ls.stdout.contains("rows.csv") && ls.stdout.contains("test"))
    }

    @Test func masterKilledThenNewMasterServesWithinFiveSeconds() throws {
        let cluster = try LocalCluster()
        let source = try Self.sample(cluster, "a.csv", size: "20MiB")
        #expect(try cluster.yonke(["put", source, "lake://bronze/a.csv"]).status == 0)
        let oldMaster = try #require(try cluster.master())
        let killed = Date()
        cluster.signal(oldMaster, SIGKILL)
        let newMaster = try cluster.waitForMaster(excluding: oldMaster, seconds: 5)
        #expect(newMaster != nil)
        let copy = cluster.folder.path + "/a.copy"
        let get = try cluster.yonke(["get", "lake://bronze/a.csv", copy])
        #expect(get.status == 0, "\(get.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: source, andPath: copy))
        let again = try Self.sample(cluster, "b.csv", size: "1MiB", seed: 2)
        let put = try cluster.yonke(["put", again, "lake://bronze/b.csv"])
        #expect(put.status == 0, "\(put.stderr)")
        #expect(Date().timeIntervalSince(killed) < 5, "readable and writable within 5 s of the kill")
    }

    @Test func workerKilledDuringPutStillSucceeds() throws {
        let cluster = try LocalCluster()
        let source = try Self.sample(cluster, "big.csv", size: "120MiB")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: YonkeProcess.binary)
        process.arguments = ["put", source, "lake://bronze/big.csv"]
        process.environment = ProcessInfo.processInfo.environment.merging(cluster.environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        usleep(700_000)
        cluster.signal("w4", SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        let copy = cluster.folder.path + "/big.copy"
        #expect(try cluster.yonke(["get", "lake://bronze/big.csv", copy]).status == 0)
        #expect(FileManager.default.contentsEqual(atPath: source, andPath: copy))
    }

    @Test func strangersAndHostileBytesAreRefusedAndNodesKeepServing() throws {
        let cluster = try LocalCluster()
        // A client whose credential the cluster never registered is refused, and says so.
        let realCredential = try String(contentsOfFile: cluster.credentialPath, encoding: .utf8)
        let forged = cluster.folder.path + "/forged.credential"
        try realCredential.split(separator: "\n").map { $0.hasPrefix("key:") ? "key: " + String(repeating: "5a", count: 32) : String($0) }
            .joined(separator: "\n").write(toFile: forged, atomically: true, encoding: .utf8)
        var environment = cluster.environment
        environment["YONKE_CREDENTIAL"] = forged
        let refused = try YonkeProcess.run(["status"], environment: environment, timeoutSeconds: 60)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("not admitted") && refused.stderr.contains("yonke user add"), "\(refused.stderr)")

        // A node with the wrong join token cannot join: the members never list it.
        let realSecrets = try String(contentsOfFile: cluster.secretsPath, encoding: .utf8)
        let wrongSecrets = cluster.folder.path + "/wrong.secrets"
        try realSecrets.split(separator: "\n").map { $0.hasPrefix("join-token:") ? "join-token: 00ff00ff" : String($0) }
            .joined(separator: "\n").write(toFile: wrongSecrets, atomically: true, encoding: .utf8)

        let strangerPort = try FreePorts.take(1)[0]
        let strangerTopology = cluster.folder.path + "/stranger.yaml"
        let topology = try String(contentsOfFile: cluster.topologyPath, encoding: .utf8)
        try (topology + """
              - name: x9
                address: 127.0.0.1:\(strangerPort)
                roles: [worker]
                disks:
                  - path: disks/x9
                    capacity: 1GiB
                    class: hdd

            """).write(toFile: strangerTopology, atomically: true, encoding: .utf8)
        let stranger = Process()
        stranger.executableURL = URL(fileURLWithPath: YonkeProcess.binary)
        stranger.arguments = ["node", "start", "--topology", strangerTopology, "--name", "x9",
                              "--data", cluster.folder.path + "/stranger", "--secrets", wrongSecrets]
        stranger.standardError = FileHandle.nullDevice
        try stranger.run()
        defer { stranger.terminate() }
        sleep(3)
        let members = try cluster.json(["status"])["members"] as? [[String: Any]] ?? []
        #expect(!members.contains { $0["name"] as? String == "x9" })

        // Truncated and oversized frames at a node's port: that link closes, the node serves on.
        for bytes in [[UInt8]([0, 0, 0]), [0xFF, 0xFF, 0xFF, 0xFF, 1, 1], Array(repeating: 0x41, count: 5000)] {
            try RawSocket.send(bytes, port: cluster.ports[0])
        }
        #expect(try cluster.json(["status"])["master"] != nil)
    }
}

enum RawSocket {
    static func send(_ bytes: [UInt8], port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ClusterFailure("cannot connect to 127.0.0.1:\(port)") }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        usleep(100_000)
    }
}
