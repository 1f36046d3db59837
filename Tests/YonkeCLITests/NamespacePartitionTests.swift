import Foundation
import Testing

/// Partitions made of dropped packets, not of fault rules: each node in its
/// own network namespace, blackhole routes between the sides.
@Suite(.serialized, .enabled(if: NamespaceCluster.permission.allowed, "\(NamespaceCluster.permission.reason)"))
struct NamespacePartitionTests {
    @Test func realPartitionMinorityRefusesMajorityWritesHealRejoins() throws {
        let cluster = try NamespaceCluster(machines: 5, voters: 3)
        #expect(try cluster.waitForMaster(seconds: 60) != nil, "no master in the namespace cluster")
        let file = cluster.folder.path + "/file.bin"
        try Data((0..<700_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: file))
        let before = try cluster.yonke(["put", file, "lake://bronze/before.bin"])
        #expect(before.status == 0, "put before the partition: \(before.stderr)")

        try cluster.partition([["m1", "w5"], ["m2", "m3", "w4"]])
        let majority = ["m2", "m3", "w4"]
        var wrote = false
        let deadline = Date().addingTimeInterval(30)
        while !wrote, Date() < deadline {
            wrote = try cluster.yonke(["put", file, "lake://bronze/during.bin"], via: majority, timeoutSeconds: 30).status == 0
            if !wrote { usleep(500_000) }
        }
        #expect(wrote, "the majority side never accepted a write")

        let started = Date()
        let refused = try cluster.yonke(["put", file, "lake://bronze/minority.bin"], via: ["m1"], timeoutSeconds: 60)
        #expect(refused.status != 0, "the minority side accepted a write")
        #expect(Date().timeIntervalSince(started) < 20, "the minority write took \(Date().timeIntervalSince(started)) s to fail")
        let read = try cluster.yonke(["get", "lake://bronze/before.bin", cluster.folder.path + "/stale.bin"], via: ["m1"], timeoutSeconds: 60)
        #expect(read.status != 0 && read.stderr.contains("quorum"), "a minority read must be refused as not known fresh: \(read.stderr)")

        cluster.heal()
        let copy = cluster.folder.path + "/copy.bin"
        var served = false
        let healDeadline = Date().addingTimeInterval(30)
        while !served, Date() < healDeadline {
            served = try cluster.yonke(["get", "lake://bronze/during.bin", copy], via: ["m1"], timeoutSeconds: 30).status == 0
            if !served { usleep(500_000) }
        }
        #expect(served && FileManager.default.contentsEqual(atPath: file, andPath: copy), "m1 did not serve the majority's file after the heal")
    }
}
