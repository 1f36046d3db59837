import Foundation
import Testing

/// Issue 6's join acceptance on real processes: local-4 holds 40 blocks, a
/// fifth machine with twice the capacity joins, and the rebalancer moves
/// blocks to it until its share of the stored bytes is within ±10 % of its
/// capacity share, while a reader loop checks every file throughout.
@Suite(.serialized)
struct JoinRebalanceTests {
    @Test func aBiggerMachineJoinsAndEndsAtItsCapacityShare() throws {
        let cluster = try LocalCluster(machines: 4, voters: 3, blockSize: "1MiB", diskCapacity: "512MiB",
                                       clusterYAML: "  healGrace: 2s\n  rebalanceMbps: 200\n")
        // 4 files × 10 MiB of rows in 1 MiB blocks: 40 blocks, 120 replicas.
        let files = try HealingTests.putFiles(cluster, count: 4, size: "10MiB")
        let blocks = try HealingTests.replicas(cluster, files.map(\.lake))
        #expect(blocks.count == 40, "expected 40 blocks, got \(blocks.count)")
        let readers = HealingTests.ReaderLoop(cluster: cluster, files: files)

        let folder = cluster.folder.path + "/w5"
        let token = try JoinTests.token(cluster)
        let port = try FreePorts.take(1)[0]
        let joined = try BackgroundYonke(
            ["node", "join", "--seed", "127.0.0.1:\(cluster.ports[0])", "--token-file", try JoinTests.tokenFile(token, folder: folder), "--name", "w5",
             "--listen", "127.0.0.1:\(port)", "--disk", folder + "/disk:1GiB:ssd", "--rack", "r0", "--data", folder],
            logPath: cluster.folder.path + "/w5.log")
        defer { joined.stop() }

        var last: [String: Any] = [:]
        let balanced = HealingTests.poll(seconds: 120) {
            guard let machines = try? cluster.json(["capacity"])["machines"] as? [[String: Any]],
                  let w5 = machines.first(where: { $0["name"] as? String == "w5" }),
                  let share = w5["share"] as? Double, let capacityShare = w5["capacityShare"] as? Double else { return false }
            last = w5
            return capacityShare > 0 && abs(share - capacityShare) <= 0.1 * capacityShare
                && (w5["movingIn"] as? Int ?? 1) == 0
        }
        let reads = readers.stop()
        #expect(balanced, "w5 did not reach its capacity share: \(last)\n\(joined.log.suffix(2000))")
        #expect(abs((last["capacityShare"] as? Double ?? 0) - 1.0 / 3.0) < 0.01, "w5 has 1 GiB of 3 GiB: \(last)")
        #expect(reads.failures.isEmpty && reads.reads > 0, "reads failed during the move: \(reads.failures.prefix(3)) of \(reads.reads)")

        // After the move (its last deletes follow the copies): 3 distinct replicas per block,
        // w5 among them where placement wants it, files intact.
        var after: [String: [String]] = [:]
        let trimmed = HealingTests.poll(seconds: 30) {
            after = (try? HealingTests.replicas(cluster, files.map(\.lake))) ?? [:]
            return after.count == 40 && after.values.allSatisfy { $0.count == 3 && Set($0).count == 3 }
        }
        #expect(trimmed, "replica counts after the move: \(after.values.map(\.count))")
        #expect(after.values.filter { $0.contains("w5") }.count >= 30, "w5 holds \(after.values.filter { $0.contains("w5") }.count) of 40 blocks")
        for file in files {
            let copy = cluster.folder.path + "/after.bin"
            let get = try cluster.yonke(["get", file.lake, copy])
            #expect(get.status == 0 && FileManager.default.contentsEqual(atPath: file.local, andPath: copy), "\(file.lake) after the move: \(get.stderr)")
        }
    }
}
