import Foundation
import Testing

/// People and roles on real processes: `yonke user add/list/revoke/rotate`, each role held to
/// what it may do, and a revoked or re-keyed credential refused.
@Suite(.serialized)
struct UserRoleTests {
    static func run(_ cluster: LocalCluster, as credential: String, _ arguments: [String]) throws -> YonkeProcess.Result {
        var environment = cluster.environment
        environment["YONKE_CREDENTIAL"] = credential
        return try YonkeProcess.run(arguments, environment: environment, timeoutSeconds: 60)
    }

    @Test func rolesRevocationAndRotation() throws {
        let cluster = try LocalCluster(blockSize: "1MiB", diskCapacity: "1GiB")
        let reader = cluster.folder.path + "/rita.credential", writer = cluster.folder.path + "/wes.credential"
        let added = try cluster.json(["user", "add", "rita", "--role", "reader", "--out", reader])
        #expect(added["role"] as? String == "reader" && added["credentialFile"] as? String == reader)
        #expect(try cluster.yonke(["user", "add", "wes", "--role", "writer", "--out", writer]).status == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: reader)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let listed = try cluster.yonke(["user", "list"])
        #expect(listed.stdout.contains("admin") && listed.stdout.contains("rita") && listed.stdout.contains("wes"), "\(listed.stdout)")
        let again = try cluster.yonke(["user", "add", "rita", "--role", "admin", "--out", cluster.folder.path + "/x.credential"])
        #expect(again.status != 0 && again.stderr.contains("already exists"), "\(again.stderr)")

        let source = try ClusterTests.sample(cluster, "a.csv", size: "1MiB")
        // A writer puts and reads; it cannot rotate the token, add users, drain machines or inject faults.
        #expect(try Self.run(cluster, as: writer, ["put", source, "lake://bronze/a.csv"]).status == 0)
        for forbidden in [["cluster", "token", "--rotate"], ["user", "add", "eve", "--role", "admin", "--out", cluster.folder.path + "/eve.credential"],
                          ["user", "list"], ["node", "drain", "w4"], ["chaos", "heal"]] {
            let refused = try Self.run(cluster, as: writer, forbidden)
            #expect(refused.status != 0, "a writer could \(forbidden.joined(separator: " "))")
            #expect(refused.stderr.contains("needs the admin role"), "\(forbidden): \(refused.stderr)")
        }
        // A reader reads; it cannot put or rm.
        let copy = cluster.folder.path + "/a.copy"
        #expect(try Self.run(cluster, as: reader, ["get", "lake://bronze/a.csv", copy]).status == 0)
        #expect(FileManager.default.contentsEqual(atPath: source, andPath: copy))
        #expect(try Self.run(cluster, as: reader, ["ls", "lake://bronze/"]).status == 0)
        for forbidden in [["put", source, "lake://bronze/b.csv"], ["rm", "lake://bronze/a.csv"]] {
            let refused = try Self.run(cluster, as: reader, forbidden)
            #expect(refused.status != 0 && refused.stderr.contains("needs the writer role"), "\(forbidden): \(refused.stderr)")
        }
        #expect(try cluster.yonke(["stat", "lake://bronze/a.csv"]).status == 0, "a reader's rm went through")

        // Revoked: refused at once, on every node (non-voters poll the registry every 0.5 s).
        #expect(try cluster.yonke(["user", "revoke", "rita"]).status == 0)
        let revokedAt = Date()
        var refusedEverywhere = false
        while !refusedEverywhere, Date().timeIntervalSince(revokedAt) < 5 {
            refusedEverywhere = try cluster.ports.allSatisfy { port in
                try Self.run(cluster, as: reader, ["ls", "lake://bronze/", "--cluster", "127.0.0.1:\(port)"]).status != 0
            }
        }
        #expect(refusedEverywhere)
        let refused = try Self.run(cluster, as: reader, ["get", "lake://bronze/a.csv", copy])
        #expect(refused.stderr.contains("does not know your credential"), "\(refused.stderr)")

        // Rotated: the old file stops working, the new one works.
        let rotated = cluster.folder.path + "/wes-2.credential"
        #expect(try cluster.yonke(["user", "rotate", "wes", "--out", rotated]).status == 0)
        #expect(HealingTests.poll(seconds: 5) { (try? Self.run(cluster, as: writer, ["ls", "lake://bronze/"]).status) != 0 })
        #expect(try Self.run(cluster, as: rotated, ["ls", "lake://bronze/"]).status == 0)
    }
}
