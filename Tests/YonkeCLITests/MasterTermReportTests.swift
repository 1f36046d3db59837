import Foundation
import Testing

/// The master's block ledger is soft state of one Raft term. When the same
/// machine leads again in a new term (here: the master role moved away and
/// back), every live node's full report must reach it within a second, and
/// `capacity` must say the reports are pending rather than raise a false
/// under-replication alarm meanwhile.
@Suite(.serialized)
struct MasterTermReportTests {
    @Test func sameMasterReElectedKnowsEveryReplicaWithinOneSecond() throws {
        let cluster = try LocalCluster()
        let source = try ClusterTests.sample(cluster, "rows.csv", size: "24MiB", seed: 11)
        let put = try cluster.yonke(["put", source, "lake://bronze/rows.csv"])
        #expect(put.status == 0, "\(put.stderr)")
        let blockCount = try #require(try cluster.json(["stat", "lake://bronze/rows.csv"])["blocks"] as? [[String: Any]]).count
        #expect(blockCount == 6)
        let replicas = blockCount * 3
        #expect(try waitUntilSettled(cluster, replicas: replicas, seconds: 15) != nil, "the cluster did not settle after the put")

        let status = try cluster.json(["status"])
        let master = try #require(status["master"] as? String)
        let termBefore = try #require(status["term"] as? Int)
        let other = try #require(["m1", "m2", "m3"].first { $0 != master })
        for voter in [other, master] {
            let moved = try cluster.yonke(["cluster", "move-master", voter])
            #expect(moved.status == 0, "\(moved.stderr)")
        }
        let movedBack = Date()
        let after = try cluster.json(["status"])
        #expect(after["master"] as? String == master)
        #expect((after["term"] as? Int ?? 0) >= termBefore + 2)

        // Every sample from here on: no under-replicated or missing block; within 1 s, all replicas known.
        var settledAfter: Double?
        var samples: [String] = []
        while Date().timeIntervalSince(movedBack) < 3 {
            let capacity = try cluster.json(["capacity"])
            let figures = try #require(capacity["cluster"] as? [String: Any])
            let under = figures["underReplicated"] as? Int ?? -1
            let missing = figures["missing"] as? Int ?? -1
            let pending = figures["reportsPending"] as? [String] ?? []
            let known = (capacity["machines"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["blocks"] as? Int ?? 0) }
            let elapsed = Date().timeIntervalSince(movedBack)
            samples.append(String(format: "%.2fs under=%d missing=%d pending=%@ blocks=%d", elapsed, under, missing, pending.description, known))
            #expect(under == 0 && missing == 0, "\(samples.joined(separator: "\n"))")
            if settledAfter == nil, pending.isEmpty, known == replicas { settledAfter = elapsed }
            let located = try cluster.json(["stat", "lake://bronze/rows.csv"])
            let counts = (located["blocks"] as? [[String: Any]] ?? []).map { ($0["replicas"] as? [String] ?? []).count }
            if (located["reportsPending"] as? Int ?? 0) == 0 { #expect(counts.allSatisfy { $0 == 3 }, "\(counts)") }
        }
        let settled = try #require(settledAfter, "never settled: \(samples.joined(separator: "\n"))")
        #expect(settled <= 1.0, "every replica known only after \(settled) s:\n\(samples.joined(separator: "\n"))")
    }

    /// Seconds until capacity shows every replica and nothing pending or under-replicated.
    private func waitUntilSettled(_ cluster: LocalCluster, replicas: Int, seconds: Double) throws -> Double? {
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            let capacity = try cluster.json(["capacity"])
            let figures = capacity["cluster"] as? [String: Any] ?? [:]
            let known = (capacity["machines"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["blocks"] as? Int ?? 0) }
            if figures["underReplicated"] as? Int == 0, (figures["reportsPending"] as? [String] ?? []).isEmpty, known == replicas {
                return Date().timeIntervalSince(start)
            }
            usleep(100_000)
        }
        return nil
    }
}
