import YonkeProtocol
import YonkeClient
import BlockCodec
import Foundation
import Testing
import Topology
import YonkeCore
@testable import Node

/// The background scrubber on real nodes, sockets and disks: a replica that
/// rots on one node's disk is found, moved aside and reported to the master,
/// while the block stays readable from the others.
@Suite(.serialized)
struct ScrubServiceTests {
    @Test func corruptReplicaIsQuarantinedAndReportedAndTheBlockStaysReadable() async throws {
        let cluster = try BlockTestCluster()
        cluster.configure = { config in
            // A pass every 300 ms at 200 MB/s: a 1 MiB block is checked a few times a second.
            config.scrub = ScrubSettings(bytesPerSecond: 200_000_000, passIntervalMilliseconds: 300)
        }
        try await cluster.start()
        let client = try cluster.blockClient()
        let endpoints = try cluster.clusterClient(["m1"])
        let codec = try cluster.codec()
        let encoded = try cluster.block(1 << 20, seed: 21)
        let holders = ["w2", "w3", "w4"]
        let written = try await client.write(encoded: encoded.bytes, id: encoded.id, targets: cluster.targets(holders))
        #expect(written.storedOn == holders)
        func located() async throws -> Set<String> {
            Set(try await BlockClient.locations([encoded.id], client: endpoints)[encoded.id]?.map(\.name) ?? [])
        }
        try await eventually("the master knows the three replicas") { try await located() == Set(holders) }
        try await eventually("w3's scrubber has verified its copy") { cluster.node("w3").scrubber.status.verifiedBlocks >= 1 }

        // One byte of w3's copy flips on its disk (not through the node).
        let path = cluster.blockFile(encoded.id, on: "w3")
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[bytes.count / 2] ^= 0x5A
        try bytes.write(to: URL(fileURLWithPath: path))

        try await eventually("the master stops counting w3's copy", timeout: .seconds(10)) {
            try await located() == ["w2", "w4"]
        }
        let w3 = cluster.node("w3")
        #expect(w3.scrubber.status.corruptBlocks == 1)
        #expect(!w3.blocks.holds(encoded.id), "no longer held, so no block report lists it")
        #expect(w3.blocks.diskUsage[0].blockCount == 0 && w3.blocks.diskUsage[0].usedBytes == 0)
        #expect(!FileManager.default.fileExists(atPath: path))
        let quarantined = try FileManager.default.contentsOfDirectory(atPath: cluster.diskPath("w3") + "/quarantine")
        #expect(quarantined.count == 1 && quarantined[0].hasPrefix(encoded.id.hex), "kept for forensics: \(quarantined)")
        for name in ["w2", "w4"] {
            #expect(cluster.node(name).blocks.holds(encoded.id))
            #expect(cluster.node(name).scrubber.status.corruptBlocks == 0)
        }

        // Still readable, byte for byte, from the good replicas the master names.
        let replicas = try await BlockClient.locations([encoded.id], client: endpoints)[encoded.id] ?? []
        let plaintext = try await client.readDecoded(id: encoded.id, replicas: replicas, codec: codec)
        #expect(plaintext == (try codec.decode(encoded.bytes)))

        // A re-copy (what healing sends) lands on w3 again and passes the next scrub.
        let recopy = try await client.write(encoded: encoded.bytes, id: encoded.id, targets: cluster.targets(["w3"]))
        #expect(recopy.storedOn == ["w3"])
        let verifiedBefore = w3.scrubber.status.verifiedBlocks
        try await eventually("w3 verifies the new copy") { w3.scrubber.status.verifiedBlocks > verifiedBefore }
        #expect(w3.blocks.holds(encoded.id))
        #expect(w3.scrubber.status.corruptBlocks == 1)
        await endpoints.close()
    }

    @Test func scrubSettingsComeFromTheTopology() throws {
        var cluster = Topology.ClusterSettings(name: "t", blockSizeBytes: 1 << 20, replicationFactor: 3)
        #expect(ScrubSettings(cluster: cluster) == .standard)
        #expect(ScrubSettings.standard.bytesPerSecond == 20_000_000)
        cluster.scrubMbps = 0
        cluster.scrubIntervalHours = 0.5
        let settings = ScrubSettings(cluster: cluster)
        #expect(!settings.isOn)
        #expect(settings.passIntervalMilliseconds == 1_800_000)
    }

    @Test(arguments: [
        (nil, 5_000, 0),                       // never scrubbed: at once
        (1_000, 1_000, 1_800_000),             // just began: a whole interval
        (1_000, 601_000, 1_200_000),           // ten minutes in
        (1_000, 1_801_000, 0),                 // due
        (1_000, 9_000_000, 0),                 // overdue (node was down)
        (9_000, 1_000, 0),                     // last start in the future: clock stepped back
    ] as [(Int64?, Int64, Int64)])
    func nextPassWaitsForTheInterval(_ last: Int64?, _ now: Int64, _ wait: Int64) {
        let settings = ScrubSettings(bytesPerSecond: 1, passIntervalMilliseconds: 1_800_000)
        #expect(settings.millisecondsUntilNextPass(lastPassStart: last, now: now) == wait)
    }
}
