import Foundation
import Testing

/// A `yonke` process that runs until stopped (a joined node), its output in a log file.
final class BackgroundYonke {
    let process = Process()
    let logPath: String

    init(_ arguments: [String], logPath: String, environment: [String: String] = [:]) throws {
        self.logPath = logPath
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: YonkeProcess.binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM (a graceful leave), SIGKILL after 10 s.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// `yonke node join` and `yonke cluster token` on real processes: a fifth machine joins local-4,
/// stores new blocks, restarts from what it saved; wrong tokens and stolen names are refused.
@Suite(.serialized)
struct JoinTests {
    static func token(_ cluster: LocalCluster, rotate: Bool = false) throws -> String {
        let result = try cluster.yonke(["cluster", "token"] + (rotate ? ["--rotate"] : []))
        guard result.status == 0 else { throw ClusterFailure("cluster token: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func join(_ cluster: LocalCluster, name: String, token: String, roles: String = "worker",
                     folder: String) throws -> (arguments: [String], port: Int) {
        let port = try FreePorts.take(1)[0]
        let seed = "127.0.0.1:\(cluster.ports[3])"
        return (["node", "join", "--seed", seed, "--token-file", try tokenFile(token, folder: folder), "--name", name, "--listen", "127.0.0.1:\(port)",
                 "--disk", folder + "/disk:1GiB:ssd", "--rack", "r9", "--roles", roles, "--data", folder], port)
    }

    /// The token in a file (mode 0600), as an operator hands it over: never on the command line.
    static func tokenFile(_ token: String, folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/join.token"
        try? FileManager.default.removeItem(atPath: path)
        guard FileManager.default.createFile(atPath: path, contents: Data(token.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ClusterFailure("cannot write \(path)")
        }
        return path
    }

    /// Polls `status --json` until `check` holds for it.
    static func waitForStatus(_ cluster: LocalCluster, seconds: Double, _ check: ([String: Any]) -> Bool) -> [String: Any]? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let status = try? cluster.json(["status"]), check(status) { return status }
            usleep(200_000)
        }
        return nil
    }

    static func isAlive(_ name: String, in status: [String: Any]) -> Bool {
        (status["members"] as? [[String: Any]] ?? []).contains { $0["name"] as? String == name && $0["state"] as? String == "alive" }
    }

    @Test func workerJoinsStoresBlocksAndRestarts() throws {
        let cluster = try LocalCluster(blockSize: "1MiB", diskCapacity: "1GiB")
        let token = try Self.token(cluster)
        #expect(token.hasPrefix("yk1.") && token.split(separator: ".").count == 3, "\(token)")

        // A wrong token never reaches the master.
        let wrongFolder = cluster.folder.path + "/w6"
        let wrong = try Self.join(cluster, name: "w6", token: String(token.dropLast()) + (token.hasSuffix("0") ? "1" : "0"), folder: wrongFolder)
        let refused = try YonkeProcess.run(wrong.arguments, timeoutSeconds: 30)
        #expect(refused.status != 0 && refused.stderr.contains("join token mismatch") && refused.stderr.contains("yonke cluster token"),
                "\(refused.stderr)")

        let folder = cluster.folder.path + "/w5"
        let joined = try Self.join(cluster, name: "w5", token: token, folder: folder)
        var node = try BackgroundYonke(joined.arguments, logPath: cluster.folder.path + "/w5.log")
        let status = Self.waitForStatus(cluster, seconds: 30) { Self.isAlive("w5", in: $0) }
        #expect(status != nil, "w5 never alive; its log:\n\(node.log.suffix(3000))")
        #expect(FileManager.default.fileExists(atPath: folder + "/w5/joined.yaml"))
        #expect(FileManager.default.fileExists(atPath: folder + "/cluster.secrets"))

        // New blocks land on the new machine: 4 files of 2 blocks, 3 replicas each over 5 machines.
        var holders = Set<String>()
        for index in 1...4 {
            let source = try ClusterTests.sample(cluster, "f\(index).csv", size: "2MiB", seed: index)
            let put = try cluster.yonke(["put", source, "lake://bronze/f\(index).csv"])
            #expect(put.status == 0, "\(put.stderr)")
            let stat = try cluster.json(["stat", "lake://bronze/f\(index).csv"])
            for block in stat["blocks"] as? [[String: Any]] ?? [] { holders.formUnion(block["replicas"] as? [String] ?? []) }
        }
        #expect(holders.contains("w5"), "replicas only on \(holders.sorted())")

        // The same name with another key (a fresh data folder) is refused, naming the way out.
        let thief = try Self.join(cluster, name: "w5", token: token, folder: cluster.folder.path + "/thief")
        let stolen = try YonkeProcess.run(thief.arguments, timeoutSeconds: 30)
        #expect(stolen.status != 0 && stolen.stderr.contains("registered with another key") && stolen.stderr.contains("node remove w5"),
                "\(stolen.stderr)")

        // Restart from the saved files, no topology.
        node.stop()
        node = try BackgroundYonke(["node", "start", "--data", folder, "--name", "w5"], logPath: cluster.folder.path + "/w5-restart.log")
        let back = Self.waitForStatus(cluster, seconds: 30) { Self.isAlive("w5", in: $0) && node.log.contains("node listening") }
        #expect(back != nil, "w5 not back; its log:\n\(node.log.suffix(3000))")
        let again = try ClusterTests.sample(cluster, "g.csv", size: "2MiB", seed: 9)
        #expect(try cluster.yonke(["put", again, "lake://bronze/g.csv"]).status == 0)
        let copy = cluster.folder.path + "/g.copy"
        #expect(try cluster.yonke(["get", "lake://bronze/g.csv", copy]).status == 0)
        #expect(FileManager.default.contentsEqual(atPath: again, andPath: copy))
        #expect(!node.log.contains("refused"), "\(node.log.suffix(2000))")

        // Joining again with the same name and key is a restart too.
        node.stop()
        node = try BackgroundYonke(joined.arguments, logPath: cluster.folder.path + "/w5-rejoin.log")
        let rejoined = Self.waitForStatus(cluster, seconds: 30) { Self.isAlive("w5", in: $0) && node.log.contains("joined cluster") }
        #expect(rejoined != nil, "w5 did not rejoin; its log:\n\(node.log.suffix(3000))")
    }

    @Test func rotatedTokenAndVoterJoin() throws {
        let cluster = try LocalCluster(blockSize: "1MiB", diskCapacity: "1GiB")
        let old = try Self.token(cluster)
        let rotated = try cluster.json(["cluster", "token", "--rotate"])
        let new = try #require(rotated["token"] as? String)
        #expect(new != old && rotated["rotated"] as? Bool == true)
        // Only the token's public key was committed: the token is in no file of any machine
        // (Raft logs, snapshots, secrets), and the cluster cannot print it again.
        let secret = String(new.split(separator: ".")[2])
        let enumerator = FileManager.default.enumerator(atPath: cluster.dataPath)
        while let relative = enumerator?.nextObject() as? String {
            let path = cluster.dataPath + "/" + relative
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            #expect(!String(decoding: data, as: UTF8.self).contains(secret), "the rotated token is stored in \(relative)")
        }
        let again = try cluster.yonke(["cluster", "token"])
        #expect(again.status != 0 && again.stderr.contains("--rotate"), "\(again.stderr)")

        let stale = try Self.join(cluster, name: "v5", token: old, roles: "voter,worker", folder: cluster.folder.path + "/stale")
        let refused = try YonkeProcess.run(stale.arguments, timeoutSeconds: 30)
        #expect(refused.status != 0 && refused.stderr.contains("join token mismatch"), "\(refused.stderr)")

        // The cluster still serves.
        let source = try ClusterTests.sample(cluster, "a.csv", size: "2MiB")
        #expect(try cluster.yonke(["put", source, "lake://bronze/a.csv"]).status == 0)

        // The seed (a non-voter) learns the new join key from the master's registry within a poll
        // or two (every 0.5 s); a join through it before that is refused like any stale token.
        sleep(2)

        // With the new token a voter joins: learner first, then a voter of Raft.
        let joined = try Self.join(cluster, name: "v5", token: new, roles: "voter,worker", folder: cluster.folder.path + "/v5")
        let node = try BackgroundYonke(joined.arguments, logPath: cluster.folder.path + "/v5.log")
        let status = Self.waitForStatus(cluster, seconds: 30) { status in
            (status["voters"] as? [String] ?? []).contains("v5") && Self.isAlive("v5", in: status)
        }
        #expect(status != nil, "v5 never a voter; its log:\n\(node.log.suffix(3000))")
        #expect((status?["learners"] as? [String]) == [])
        let copy = cluster.folder.path + "/a.copy"
        #expect(try cluster.yonke(["get", "lake://bronze/a.csv", copy]).status == 0)
        #expect(FileManager.default.contentsEqual(atPath: source, andPath: copy))
    }
}
