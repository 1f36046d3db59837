import Foundation
import Testing

/// The scrubber on real `yonke` processes: a block file rots on one machine's
/// disk; that node finds it, moves it aside and tells the master, the master
/// copies the block back to three good replicas, and the file reads back byte-identical.
@Suite(.serialized)
struct ScrubCLITests {
    @Test func corruptBlockFileIsFoundAndReportedAndTheFileReadsBackIdentical() throws {
        // A pass about every second, fast enough for a few 4 MiB blocks.
        let cluster = try LocalCluster(clusterYAML: "  scrubMbps: 200\n  scrubIntervalHours: 0.0003\n")
        let source = try ClusterTests.sample(cluster, "rows.csv", size: "8MiB", seed: 5)
        let put = try cluster.yonke(["put", source, "lake://bronze/rows.csv"])
        #expect(put.status == 0, "\(put.stderr)")

        let blocks = try #require(try cluster.json(["stat", "lake://bronze/rows.csv"])["blocks"] as? [[String: Any]])
        let id = try #require(blocks.first?["id"] as? String)
        let victim = try #require((blocks.first?["replicas"] as? [String])?.first)
        let disk = cluster.dataPath + "/disks/\(victim)"
        let file = disk + "/blocks/\(id.prefix(2))/\(id.dropFirst(2).prefix(2))/\(id)"
        var bytes = try #require(FileManager.default.contents(atPath: file))
        bytes[bytes.count / 2] ^= 0x5A
        try bytes.write(to: URL(fileURLWithPath: file))

        // The master logs the report (naming the replica and its reporter) and stops counting that copy.
        let reported = "replica=\(victim) reporter=\(victim)"
        let deadline = Date().addingTimeInterval(30)
        var logs = ""
        while Date() < deadline {
            logs = cluster.names.map { (try? String(contentsOfFile: cluster.dataPath + "/\($0)/node.log", encoding: .utf8)) ?? "" }
                .joined(separator: "\n")
            if logs.contains("replica reported corrupt"), logs.contains(reported) { break }
            usleep(200_000)
        }
        #expect(logs.contains("replica reported corrupt") && logs.contains(reported), "\(logs.suffix(3000))")
        #expect(logs.components(separatedBy: "scrubber found a corrupt replica").count == 2, "one warning line on \(victim)")
        let quarantined = (try? FileManager.default.contentsOfDirectory(atPath: disk + "/quarantine")) ?? []
        #expect(quarantined.count == 1 && quarantined.first?.hasPrefix(id) == true, "\(quarantined)")
        #expect(!FileManager.default.fileExists(atPath: file))

        // Healed: the block is back at 3 replicas, and every copy of it on any disk decodes
        // (a re-copy may land on the victim again, now that the bad file is out of the way).
        var replicas: [String] = []
        let healDeadline = Date().addingTimeInterval(30)
        repeat {
            let after = (try? cluster.json(["stat", "lake://bronze/rows.csv"])["blocks"] as? [[String: Any]]) ?? []
            replicas = after.first { $0["id"] as? String == id }?["replicas"] as? [String] ?? []
            if Set(replicas).count == 3 { break }
            usleep(300_000)
        } while Date() < healDeadline
        #expect(Set(replicas).count == 3, "the block did not get back to 3 replicas: \(replicas)")
        for holder in replicas {
            let path = cluster.dataPath + "/disks/\(holder)/blocks/\(id.prefix(2))/\(id.dropFirst(2).prefix(2))/\(id)"
            let copy = try #require(FileManager.default.contents(atPath: path), "\(holder) lists the block but has no file")
            #expect(copy != bytes, "\(holder) holds the corrupt bytes")
        }

        // `status` shows each member's own scrub figures (members that are not alive
        // or do not answer within 1 s are left out, so wait for a status with all four).
        var members: [[String: Any]] = []
        let statusDeadline = Date().addingTimeInterval(15)
        repeat {
            members = (try? cluster.json(["status"])["members"] as? [[String: Any]]) ?? []
            if members.count == 4, members.allSatisfy({ $0["scrub"] != nil }) { break }
            usleep(300_000)
        } while Date() < deadline
        #expect(members.count == 4)
        for member in members {
            let name = try #require(member["name"] as? String)
            let scrub = try #require(member["scrub"] as? [String: Any], "\(name) answered with its scrub figures")
            #expect((scrub["corruptBlocks"] as? Int) == (name == victim ? 1 : 0), "\(name): \(scrub)")
            #expect(scrub["lastPassEndMillis"] is Int, "\(name) finished a pass: \(scrub)")
        }
        let text = try cluster.yonke(["status"])
        #expect(text.status == 0 && text.stdout.contains("1 corrupt found"), "\(text.stdout)")

        let copy = cluster.folder.path + "/copy.csv"
        let get = try cluster.yonke(["get", "lake://bronze/rows.csv", copy])
        #expect(get.status == 0, "\(get.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: source, andPath: copy))
    }
}
