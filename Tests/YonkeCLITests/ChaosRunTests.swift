import Foundation
import Testing

/// A Jepsen-style run on real processes: a workload writes, overwrites,
/// deletes and reads files with known contents while `chaos run` partitions,
/// isolates, pauses and kills nodes; `chaos check` must then find every file
/// linearizable, no operation hung or failed without a message, one master
/// per term, and every block at its replication factor.
@Suite(.serialized) struct ChaosRunTests {
    @Test func workloadUnderFaultsChecksOut() throws {
        let cluster = try LocalCluster(machines: 5, voters: 3, blockSize: "1MiB")
        let history = cluster.folder.path + "/history.jsonl"
        let workload = Process()
        workload.executableURL = URL(fileURLWithPath: YonkeProcess.binary)
        workload.arguments = ["chaos", "workload", "--duration", "24", "--processes", "2", "--files", "3",
                              "--size", "1500000", "--op-timeout", "20", "--history", history,
                              "--cluster", cluster.endpoints, "--credential", cluster.credentialPath]
        workload.standardOutput = FileHandle.nullDevice
        workload.standardError = FileHandle.nullDevice
        try workload.run()
        defer { if workload.isRunning { workload.terminate() } }

        let run = try cluster.yonke(["chaos", "run", "--duration", "18", "--interval", "3", "--seed", "11",
                                     "--faults", "partition,isolate,pause,kill,one-way", "--data", cluster.dataPath,
                                     "--log", cluster.folder.path + "/chaos.jsonl"], timeoutSeconds: 120)
        #expect(run.status == 0, "chaos run failed: \(run.stderr)")
        workload.waitUntilExit()
        #expect(workload.terminationStatus == 0)
        let log = (try? String(contentsOfFile: cluster.folder.path + "/chaos.jsonl", encoding: .utf8)) ?? ""
        #expect(log.split(separator: "\n").filter { $0.contains("\"event\":\"fault\"") }.count >= 3, "chaos log: \(log)")

        let check = try cluster.yonke(["chaos", "check", "--history", history, "--data", cluster.dataPath,
                                       "--heal-seconds", "60", "--json"], timeoutSeconds: 180)
        let report = try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any]
        #expect(check.status == 0 && report?["valid"] as? Bool == true, "check failed: \(check.stdout) \(check.stderr)")
        #expect((report?["acknowledged"] as? Int ?? 0) >= 10, "too few operations went through: \(check.stdout)")
        #expect((report?["terms"] as? Int ?? 0) >= 1)
    }

    /// The checker is not a rubber stamp: a history with a stale read fails it.
    @Test func checkRejectsAStaleRead() throws {
        let cluster = try LocalCluster(machines: 4, voters: 3)
        let history = cluster.folder.path + "/history.jsonl"
        let lines = [
            #"{"completeMillis":20,"invokeMillis":10,"kind":"write","outcome":"ok","path":"lake://bronze/chaos/x","process":0,"value":"v1"}"#,
            #"{"completeMillis":40,"invokeMillis":30,"kind":"write","outcome":"ok","path":"lake://bronze/chaos/x","process":0,"value":"v2"}"#,
            #"{"completeMillis":60,"invokeMillis":50,"kind":"read","outcome":"ok","path":"lake://bronze/chaos/x","process":0,"value":"v1"}"#,
        ]
        try lines.joined(separator: "\n").write(toFile: history, atomically: true, encoding: .utf8)
        let check = try cluster.yonke(["chaos", "check", "--history", history, "--heal-seconds", "5", "--json"])
        let report = try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any]
        #expect(check.status != 0 && report?["valid"] as? Bool == false)
        #expect((report?["registerViolations"] as? [Any])?.count == 2, "a stale read and a final read of a file that was never written: \(check.stdout)")
    }
}
