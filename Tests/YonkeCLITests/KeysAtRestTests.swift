import BlockCodec
import Foundation
import SodiumSupport
import Testing
import YonkeClient
import YonkeCore

/// Keys at rest on real processes: no machine's folder holds the data secret or enough to
/// rebuild it; a voter started alone stays locked; a quorum of voters unlocks and serves.
@Suite(.serialized)
struct KeysAtRestTests {
    @Test func aStolenFolderDecryptsNothingAndAQuorumUnlocks() throws {
        let cluster = try LocalCluster(blockSize: "1MiB", diskCapacity: "1GiB")
        let source = try ClusterTests.sample(cluster, "a.csv", size: "2MiB")
        #expect(try cluster.yonke(["put", source, "lake://bronze/a.csv"]).status == 0)

        // The operator sees every folder; the test rebuilds the real secret from two shares.
        let secrets = try ClusterSecrets.load(path: cluster.secretsPath)
        #expect(secrets.unlocked == nil, "the machines' secrets file holds the data secret")
        let shares = try ["m1", "m2", "m3"].map { name -> KeyShareFile in
            let share = try KeyShareFile.loadIfPresent(path: KeyShareFile.path(dataRoot: cluster.dataPath, machine: name))
            return try #require(share, "voter \(name) has no key share")
        }
        #expect(shares.allSatisfy { $0.threshold == 2 && $0.count == 3 })
        #expect(try KeyShareFile.loadIfPresent(path: KeyShareFile.path(dataRoot: cluster.dataPath, machine: "w4")) == nil)
        let real = try #require(try ClusterSecrets.Unlocked.combine(Array(shares.prefix(2)), clusterID: secrets.clusterID,
                                                                     keyCheck: secrets.keyCheck))
        let secret = real.secret.withUnsafeBytes { Array($0) }
        let secretHex = Hex.encode(secret)

        // Each machine's folder, with the secrets file every machine holds, as a thief copies them.
        for name in cluster.names {
            let files = try Self.files(under: cluster.dataPath + "/" + name) + [cluster.secretsPath]
            var candidates: Set<[UInt8]> = []
            for file in files {
                guard let bytes = FileManager.default.contents(atPath: file).map(Array.init) else { continue }
                #expect(!Self.contains(bytes, secret), "\(file) holds the data secret")
                let text = String(decoding: bytes, as: UTF8.self)
                #expect(!text.lowercased().contains(secretHex), "\(file) holds the data secret in hex")
                // Every 32-byte value written in hex anywhere in the folder, tried as the secret.
                for token in text.split(whereSeparator: { !$0.isHexDigit }) where token.count == 64 {
                    if let candidate = Hex.decode(String(token)) { candidates.insert(candidate) }
                }
                // One share alone rebuilds nothing.
                if let share = try? KeyShareFile.parse(text, path: file) {
                    #expect(try ClusterSecrets.Unlocked.combine([share], clusterID: secrets.clusterID, keyCheck: secrets.keyCheck) == nil)
                    let forced = try Shamir.combine([share.share]).withUnsafeBytes { Array($0) }
                    candidates.insert(forced)
                }
            }
            for candidate in candidates {
                let keyring = try Keyring(clusterID: secrets.clusterID, clusterSecret: candidate)
                #expect(keyring.keyCheck != secrets.keyCheck, "a value found in \(name)'s folder is the data secret")
            }
        }

        // Stopped, then one voter alone: it stays locked. A second voter: both unlock and serve.
        #expect(try cluster.yonke(["cluster", "down", "--data", cluster.dataPath]).status == 0)
        let log = { (name: String) in (try? String(contentsOfFile: cluster.dataPath + "/\(name)/node.log", encoding: .utf8)) ?? "" }
        let earlier = log("m1").count
        let alone = try HealingTests.NodeProcess(cluster: cluster, name: "m1")
        Thread.sleep(forTimeInterval: 4)
        let aloneLog = String(log("m1").dropFirst(earlier))
        #expect(aloneLog.contains("keyring locked") && !aloneLog.contains("keyring unlocked"), "m1 alone: \(aloneLog)")
        let second = try HealingTests.NodeProcess(cluster: cluster, name: "m2")
        let deadline = Date().addingTimeInterval(30)
        var copied = false
        let copy = cluster.folder.path + "/a.copy"
        while !copied, Date() < deadline {
            var environment = cluster.environment
            environment["YONKE_CLUSTER"] = "127.0.0.1:\(cluster.ports[0]),127.0.0.1:\(cluster.ports[1])"
            copied = try YonkeProcess.run(["get", "lake://bronze/a.csv", copy], environment: environment, timeoutSeconds: 30).status == 0
            if !copied { Thread.sleep(forTimeInterval: 0.5) }
        }
        #expect(copied && FileManager.default.contentsEqual(atPath: source, andPath: copy))
        #expect(String(log("m1").dropFirst(earlier)).contains("keyring unlocked"))
        _ = (alone, second)
    }

    static func files(under root: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        for case let relative as String in walker {
            var isFolder: ObjCBool = false
            let path = root + "/" + relative
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue { files.append(path) }
        }
        return files
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { start in haystack[start..<(start + needle.count)].elementsEqual(needle) }
    }
}
