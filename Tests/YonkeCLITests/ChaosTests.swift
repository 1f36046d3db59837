import Foundation
import Testing

/// `yonke chaos` on real processes: partitions through each node's fault
/// rules, and a hung (SIGSTOPped) replica during writes.
@Suite(.serialized) struct ChaosTests {
    /// Five machines, three voters: {m1, w5} / {m2, m3, w4} leaves the majority
    /// two voters and three workers (enough for three replicas).
    @Test func minorityRefusesQuicklyMajorityWritesAndHealRejoins() throws {
        let cluster = try LocalCluster(machines: 5, voters: 3)
        let file = cluster.folder.path + "/small.bin"
        try Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: file))
        let cut = try cluster.yonke(["chaos", "partition", "m1,w5", "/", "m2,m3,w4", "--json"])
        #expect(cut.status == 0, "partition failed: \(cut.stderr)")
        let rules = try JSONSerialization.jsonObject(with: Data(cut.stdout.utf8)) as? [String: [[String: Any]]]
        #expect(rules?["m1"]?.count == 6 && rules?["w4"]?.count == 4, "rules set: \(cut.stdout)")

        let minority = "127.0.0.1:\(cluster.ports[0])"
        let majority = cluster.ports[1...3].map { "127.0.0.1:\($0)" }.joined(separator: ",")
        // Majority side: a master of its own within a few seconds, and writes go on.
        var wrote = false
        let deadline = Date().addingTimeInterval(20)
        while !wrote, Date() < deadline {
            wrote = try cluster.yonke(["put", file, "lake://bronze/during.bin", "--cluster", majority]).status == 0
            if !wrote { usleep(300_000) }
        }
        #expect(wrote, "the majority side never accepted the write")

        // Minority side: refused with an error that says why, well before any long timeout.
        let started = Date()
        let refused = try cluster.yonke(["put", file, "lake://bronze/minority.bin", "--cluster", minority], timeoutSeconds: 60)
        #expect(refused.status != 0, "a write on the minority side succeeded: \(refused.stdout)")
        #expect(Date().timeIntervalSince(started) < 15, "the minority write took \(Date().timeIntervalSince(started)) s to fail")
        // Before check-quorum demotes a cut-off master, its placement can still name
        // only its own side: then the put fails on the replica count instead.
        #expect(["master", "quorum", "replicas"].contains { refused.stderr.contains($0) }, "unclear error: \(refused.stderr)")

        let healed = try cluster.yonke(["chaos", "heal", "--json"])
        #expect(healed.status == 0, "heal failed: \(healed.stderr)")
        let shown = try cluster.yonke(["chaos", "show", "--json"])
        let after = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: [[String: Any]]]
        #expect(after?.values.allSatisfy(\.isEmpty) == true, "rules left after heal: \(shown.stdout)")

        // Healed: the former minority node serves the file the majority wrote.
        let copy = cluster.folder.path + "/copy.bin"
        var read = false
        let healDeadline = Date().addingTimeInterval(20)
        while !read, Date() < healDeadline {
            read = try cluster.yonke(["get", "lake://bronze/during.bin", copy, "--cluster", minority]).status == 0
            if !read { usleep(300_000) }
        }
        #expect(read && FileManager.default.contentsEqual(atPath: file, andPath: copy), "m1 did not serve the file after heal")
    }

    /// A replica that hangs (SIGSTOP: no reset, no FIN) must not hold writes or
    /// reads for more than a few seconds: the pipeline drops it after its I/O
    /// timeout and reads go to another replica.
    @Test func aPausedReplicaDoesNotStallPutsOrGets() throws {
        let cluster = try LocalCluster(machines: 5, voters: 3, blockSize: "1MiB")
        let file = cluster.folder.path + "/multi.bin"
        var generator = SystemRandomNumberGenerator()
        try Data((0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: URL(fileURLWithPath: file))
        #expect(try cluster.yonke(["put", file, "lake://bronze/before.bin"]).status == 0)
        let paused = try cluster.yonke(["chaos", "pause", "w4", "--data", cluster.dataPath])
        #expect(paused.status == 0, "pause failed: \(paused.stderr)")
        defer { cluster.signal("w4", SIGCONT) }
        for index in 0..<3 {
            let started = Date()
            let put = try cluster.yonke(["put", file, "lake://bronze/paused-\(index).bin"], timeoutSeconds: 60)
            let seconds = Date().timeIntervalSince(started)
            #expect(put.status == 0, "put \(index) with w4 paused failed: \(put.stderr)")
            #expect(seconds < 5, "put \(index) took \(seconds) s with one replica hung (3 blocks, ≤ 2 s I/O timeout each)")
        }
        // Every block of the writes made while w4 hung has three replicas, none on w4.
        for index in 0..<3 {
            let stat = try cluster.json(["stat", "lake://bronze/paused-\(index).bin"])
            let replicas = (stat["blocks"] as? [[String: Any]] ?? []).map { $0["replicas"] as? [String] ?? [] }
            #expect(replicas.count == 3 && replicas.allSatisfy { $0.count == 3 && !$0.contains("w4") }, "replicas of paused-\(index): \(replicas)")
        }
        let copy = cluster.folder.path + "/copy.bin"
        let started = Date()
        let get = try cluster.yonke(["get", "lake://bronze/before.bin", copy], timeoutSeconds: 60)
        #expect(get.status == 0 && FileManager.default.contentsEqual(atPath: file, andPath: copy), "get with w4 paused failed: \(get.stderr)")
        #expect(Date().timeIntervalSince(started) < 5, "get took \(Date().timeIntervalSince(started)) s with one replica hung")
        let resumed = try cluster.yonke(["chaos", "resume", "w4", "--data", cluster.dataPath])
        #expect(resumed.status == 0)
    }

    @Test func badChaosArgumentsAreExplained() throws {
        let cluster = try LocalCluster(machines: 4, voters: 3)
        let unknown = try cluster.yonke(["chaos", "isolate", "nosuch"])
        #expect(unknown.status != 0 && unknown.stderr.contains("no node named 'nosuch'"), "\(unknown.stderr)")
        let oneGroup = try cluster.yonke(["chaos", "partition", "m1,m2"])
        #expect(oneGroup.status != 0 && oneGroup.stderr.contains("groups"), "\(oneGroup.stderr)")
        let twice = try cluster.yonke(["chaos", "partition", "m1,m2", "/", "m2"])
        #expect(twice.status != 0 && twice.stderr.contains("more than one group"), "\(twice.stderr)")
        let arrow = try cluster.yonke(["chaos", "one-way", "m1", "m2", "w4"])
        #expect(arrow.status != 0 && arrow.stderr.contains("FROM -> TO"), "\(arrow.stderr)")
        let notLocal = try cluster.yonke(["chaos", "kill", "zz", "--data", cluster.dataPath])
        #expect(notLocal.status != 0 && notLocal.stderr.contains("no node named 'zz'"), "\(notLocal.stderr)")
        for form in [["m1 -> m2"], ["m1", "m2"]] {
            let oneWay = try cluster.yonke(["chaos", "one-way"] + form + ["--json"])
            let rules = try JSONSerialization.jsonObject(with: Data(oneWay.stdout.utf8)) as? [String: [[String: Any]]]
            #expect(rules?["m1"]?.first?["direction"] as? String == "outbound" && rules?["m1"]?.first?["peer"] as? String == "m2"
                    && rules?["m2"]?.first?["direction"] as? String == "inbound", "\(oneWay.stdout) \(oneWay.stderr)")
        }
    }
}
