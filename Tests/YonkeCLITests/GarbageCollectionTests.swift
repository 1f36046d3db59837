import Foundation
import Testing

/// Blocks that no file references any more (after `rm` or an overwrite) leave
/// every disk once the garbage grace has passed; blocks still referenced stay.
@Suite(.serialized)
struct GarbageCollectionTests {
    static func blockFiles(_ cluster: LocalCluster) -> [String: Set<String>] {
        var byID: [String: Set<String>] = [:]
        for name in cluster.names {
            let root = cluster.dataPath + "/disks/\(name)/blocks"
            let files = FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []
            for file in files where file.split(separator: "/").count == 3 {
                byID[String(file.split(separator: "/")[2]), default: []].insert(name)
            }
        }
        return byID
    }

    static func blockIDs(_ cluster: LocalCluster, _ path: String) throws -> Set<String> {
        let blocks = try cluster.json(["stat", path])["blocks"] as? [[String: Any]] ?? []
        return Set(blocks.compactMap { $0["id"] as? String })
    }

    @Test func removedAndOverwrittenBlocksAreCollected() throws {
        let cluster = try LocalCluster(blockSize: "1MiB", clusterYAML: "  gcGrace: 2s\n")
        let first = try ClusterTests.sample(cluster, "a.csv", size: "3MiB", seed: 1)
        let second = try ClusterTests.sample(cluster, "b.csv", size: "3MiB", seed: 2)
        let third = try ClusterTests.sample(cluster, "c.csv", size: "2MiB", seed: 3)
        for (local, lake) in [(first, "lake://bronze/gc/a.csv"), (second, "lake://bronze/gc/b.csv")] {
            let put = try cluster.yonke(["put", local, lake])
            #expect(put.status == 0, "\(put.stderr)")
        }
        let removed = try Self.blockIDs(cluster, "lake://bronze/gc/a.csv")
        let replaced = try Self.blockIDs(cluster, "lake://bronze/gc/b.csv")
        #expect(try cluster.yonke(["rm", "lake://bronze/gc/a.csv"]).status == 0)
        #expect(try cluster.yonke(["put", third, "lake://bronze/gc/b.csv"]).status == 0, "overwrite")
        let kept = try Self.blockIDs(cluster, "lake://bronze/gc/b.csv")

        let collected = HealingTests.poll(seconds: 40) {
            let files = Self.blockFiles(cluster)
            return removed.union(replaced).allSatisfy { files[$0] == nil }
        }
        let files = Self.blockFiles(cluster)
        #expect(collected, "unreferenced blocks left: \(removed.union(replaced).filter { files[$0] != nil }.map { "\($0.prefix(8)) on \(files[$0]!.sorted())" })")
        #expect(kept.allSatisfy { files[$0]?.count == 3 }, "the current version keeps its 3 replicas: \(kept.map { files[$0]?.count ?? 0 })")
        let copy = cluster.folder.path + "/copy.csv"
        let get = try cluster.yonke(["get", "lake://bronze/gc/b.csv", copy])
        #expect(get.status == 0 && FileManager.default.contentsEqual(atPath: third, andPath: copy), "\(get.stderr)")
        // Capacity counts what is left, nothing more.
        let used = (try cluster.json(["capacity"])["machines"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["blocks"] as? Int ?? 0) }
        #expect(HealingTests.poll(seconds: 15) {
            (try? cluster.json(["capacity"])["machines"] as? [[String: Any]])?.reduce(0) { $0 + ($1["blocks"] as? Int ?? 0) } == kept.count * 3
        }, "capacity still counts \(used) replicas, \(kept.count * 3) remain")
    }
}
