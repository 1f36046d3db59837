import YonkeProtocol
import YonkeClient
import BlockCodec
import Foundation
import NIOCore
import Testing
import Transport
import YonkeCore
@testable import Node

/// The block data plane end to end on real nodes, sockets and disks
/// (DESIGN.md, "Blocks": a block is written down a replication pipeline
/// client → r1 → r2 → r3 and acknowledged when every replica has it on disk).
@Suite(.serialized)
struct BlockServiceTests {
    @Test func pipelineStoresIdenticalBytesOnThreeDisks() async throws {
        let cluster = try BlockTestCluster()
        try await cluster.start()
        let client = try cluster.blockClient()
        let endpoints = try cluster.clusterClient(["w2", "m1"]) // asks a non-master first: forwarded
        let encoded = try cluster.block(3 << 20, seed: 1)

        let targets = try await BlockClient.placement(
            blockID: encoded.id, encodedBytes: Int64(encoded.bytes.count), client: endpoints)
        #expect(targets.count == 3)
        #expect(Set(targets.map(\.name)).count == 3, "replicas on distinct machines")

        let result = try await client.write(encoded: encoded.bytes, id: encoded.id, targets: targets)
        #expect(result.storedOn == targets.map(\.name))
        #expect(result.failed.isEmpty)
        for name in targets.map(\.name) {
            #expect(FileManager.default.contents(atPath: cluster.blockFile(encoded.id, on: name)) == Data(encoded.bytes),
                    "\(name) holds the exact encoded bytes")
            #expect(try FileManager.default.contentsOfDirectory(atPath: cluster.diskPath(name) + "/tmp").isEmpty)
        }
        let others = cluster.topology.machines.map(\.name).filter { !targets.map(\.name).contains($0) }
        for name in others { #expect(!cluster.node(name).blocks.holds(encoded.id)) }

        // The reports reached the master: locations name the three holders.
        try await eventually("locations list the replicas") {
            let located = try await BlockClient.locations([encoded.id], client: endpoints)
            return Set(located[encoded.id]?.map(\.name) ?? []) == Set(targets.map(\.name))
        }

        // Writing it again is idempotent: same holders, no extra bytes.
        let before = targets.map { cluster.bytesOnDisk($0.name) }
        let again = try await client.put(encoded: encoded.bytes, id: encoded.id, cluster: endpoints)
        #expect(Set(again.storedOn) == Set(targets.map(\.name)))
        #expect(targets.map { cluster.bytesOnDisk($0.name) } == before)

        let plaintext = try await client.readDecoded(id: encoded.id, replicas: targets, codec: try cluster.codec())
        #expect(plaintext.count == 3 << 20)
        await endpoints.close()
    }

    @Test func readFallsBackPastAStoppedOrCorruptReplica() async throws {
        let cluster = try BlockTestCluster()
        try await cluster.start()
        let client = try cluster.blockClient()
        let endpoints = try cluster.clusterClient(["m1"])
        let codec = try cluster.codec()
        let encoded = try cluster.block(1 << 20, seed: 2)
        let written = try await client.write(encoded: encoded.bytes, id: encoded.id, targets: cluster.targets(["w2", "w3", "w4"]))
        #expect(written.storedOn == ["w2", "w3", "w4"])

        // w3's copy rots: one byte in the middle of a frame flips.
        let path = cluster.blockFile(encoded.id, on: "w3")
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[bytes.count / 2] ^= 0x5A
        try bytes.write(to: URL(fileURLWithPath: path))
        try await eventually("the master knows w3's copy") {
            let located = try await BlockClient.locations([encoded.id], client: endpoints)
            return located[encoded.id]?.map(\.name).contains("w3") == true
        }

        // w2 stops: the reader moves on to w3 (corrupt: refused and reported), then w4. The report
        // is a user's, so w3 checks its copy first; only its verdict reaches the master.
        await cluster.stop("w2")
        let started = ContinuousClock.now
        let plaintext = try await client.readDecoded(
            id: encoded.id, replicas: cluster.targets(["w2", "w3", "w4"]), codec: codec, reportingTo: endpoints)
        #expect(plaintext == (try codec.decode(encoded.bytes)))
        #expect(ContinuousClock.now - started < .seconds(5))
        try await eventually("w3's copy no longer counts") {
            try await BlockClient.locations([encoded.id], client: endpoints)[encoded.id]?.map(\.name).contains("w3") == false
        }

        // Raw read returns the verified encoded bytes; with no good replica left, a clear error.
        #expect(try await client.read(id: encoded.id, replicas: cluster.targets(["w3", "w4"]), codec: codec) == encoded.bytes)
        await #expect(throws: BlockClientError.self) {
            try await client.read(id: encoded.id, replicas: cluster.targets(["w2", "w3"]), codec: codec)
        }
        await endpoints.close()
    }

    @Test(arguments: [BlockStreamFault.Action.closeLink, .hang])
    func aReplicaFailingMidStreamIsReportedWhileTheOthersStore(action: BlockStreamFault.Action) async throws {
        let cluster = try BlockTestCluster()
        try await cluster.start()
        let client = try cluster.blockClient()
        let encoded = try cluster.block(2 << 20, seed: 3)
        cluster.node("w4").blocks.injectStreamFault(.init(afterBytes: 512 << 10, action: action))

        let started = ContinuousClock.now
        let result = try await client.write(encoded: encoded.bytes, id: encoded.id, targets: cluster.targets(["w2", "w3", "w4"]))
        let elapsed = ContinuousClock.now - started
        #expect(result.storedOn == ["w2", "w3"])
        #expect(result.failed.map(\.node) == ["w4"])
        if action == .hang {
            #expect(result.failed.first?.code == .timeout)
            // ioTimeout (1 s) for the stalled hop plus the confirmation allowance, not the idle timeout.
            #expect(elapsed < .seconds(4), "a hung replica held the write for \(elapsed)")
        }
        for name in ["w2", "w3"] {
            #expect(FileManager.default.contents(atPath: cluster.blockFile(encoded.id, on: name)) == Data(encoded.bytes))
        }
        #expect(!cluster.node("w4").blocks.holds(encoded.id))

        // A failure in the middle: the hop after it is reported as not reached.
        cluster.node("w4").blocks.injectStreamFault(nil)
        cluster.node("w3").blocks.injectStreamFault(.init(afterBytes: 256 << 10, action: .closeLink))
        let other = try cluster.block(1 << 20, seed: 4)
        let middle = try await client.write(encoded: other.bytes, id: other.id, targets: cluster.targets(["w2", "w3", "w4"]))
        #expect(middle.storedOn == ["w2"])
        #expect(middle.failed.map(\.node) == ["w3", "w4"])
        #expect(middle.failed.map(\.wasReached) == [true, false])
        try await eventually("w3's partial copy is gone") {
            (try? FileManager.default.contentsOfDirectory(atPath: cluster.diskPath("w3") + "/tmp").isEmpty) == true
        }
    }

    @Test func capacityFiguresEqualTheBytesOnDisk() async throws {
        var specs = BlockTestCluster.defaultSpecs
        specs[3].capacityBytes = 1 << 20 // w4 cannot take a 1.5 MiB block
        let cluster = try BlockTestCluster(specs)
        try await cluster.start()
        let client = try cluster.blockClient()
        let endpoints = try cluster.clusterClient(["w3", "m1"])

        let small = try cluster.block(300_000, seed: 5)
        let large = try cluster.block(1_500_000, seed: 6)
        #expect(try await client.write(encoded: small.bytes, id: small.id, targets: cluster.targets(["m1", "w2", "w4"])).storedOn
                == ["m1", "w2", "w4"])
        let refused = try await client.write(encoded: large.bytes, id: large.id, targets: cluster.targets(["w4", "w3", "w2"]))
        #expect(refused.storedOn == ["w3", "w2"], "a full node relays the block it cannot keep")
        #expect(refused.failed.map(\.node) == ["w4"])
        #expect(refused.failed.first?.code == .insufficientCapacity)

        // Placement leaves out the machine without room for the block.
        let placed = try await BlockClient.placement(blockID: large.id, encodedBytes: Int64(large.bytes.count), client: endpoints)
        #expect(!placed.map(\.name).contains("w4"))
        #expect(placed.count == 3)

        var report = try await BlockClient.capacity(client: endpoints)
        try await eventually("every node's usage reached the master") {
            report = try await BlockClient.capacity(client: endpoints)
            return report.machines.allSatisfy { $0.usedBytes == cluster.bytesOnDisk($0.name) && $0.reported }
        }
        #expect(report.machines.map(\.name) == ["m1", "w2", "w3", "w4"])
        #expect(report.machines.map(\.totalBytes) == specs.map(\.capacityBytes))
        #expect(report.machines.map(\.blocks) == [1, 2, 1, 1])
        for machine in report.machines {
            #expect(machine.freeBytes == machine.totalBytes - machine.usedBytes)
        }
        let raw = specs.reduce(Int64(0)) { $0 + $1.capacityBytes }
        #expect(report.cluster.rawBytes == raw)
        #expect(report.cluster.usableBytes == raw / 3)
        #expect(report.cluster.usedBytes == Int64(small.bytes.count * 3 + large.bytes.count * 2))
        // Against the catalog (no file references these blocks yet) nothing is short;
        // against the block map alone the large block has 2 of 3 copies.
        #expect(report.cluster.underReplicated == (report.cluster.countedFrom == "blockMap" ? 1 : 0))
        #expect(report.cluster.missing == 0)
        let shares = report.machines.map(\.share).reduce(0, +)
        #expect(abs(shares - 1) < 1e-9)
        await endpoints.close()
    }

    @Test func malformedStreamsCloseTheirLinkAndTheNodeKeepsServing() async throws {
        let cluster = try BlockTestCluster()
        try await cluster.start()
        let target = cluster.target("w2")
        let settings = try cluster.blockClient().settings
        let openings: [(UInt8, [UInt8])] = [
            (BlockStream.writeOpen, [1, 2, 3]),                       // truncated open
            (BlockStream.writeData, [UInt8](repeating: 7, count: 100)), // data before any open
            (0x5E, []),                                                // unknown stream kind
            (BlockStream.readOpen, [UInt8](repeating: 0, count: 40)),  // trailing bytes
        ]
        for (kind, payload) in openings {
            let link = try await StreamLink.open(target, settings: settings, timeout: .seconds(2))
            defer { link.release() }
            try await link.connection.send(kind: kind, bytes: payload)
            var inbound = link.connection.inbound.makeAsyncIterator()
            let watchdog = Watchdog { link.connection.close() }
            watchdog.arm(.seconds(3))
            let ended = (try? await inbound.next()) == nil
            let closed = ended && !watchdog.fired
            watchdog.stop()
            #expect(closed, "kind \(kind): the node closed the link")
        }
        // A write whose data overruns its announced length is cut off, and stores nothing.
        let encoded = try cluster.block(200_000, seed: 7)
        let link = try await StreamLink.open(target, settings: settings, timeout: .seconds(2))
        let open = BlockStream.WriteOpen(id: encoded.id, encodedLength: 1000, tier: "hot", pipeline: [])
        try await link.connection.send(kind: BlockStream.writeOpen, payload: open.encoded())
        try? await link.connection.send(kind: BlockStream.writeData, bytes: encoded.bytes.prefix(5000))
        var inbound = link.connection.inbound.makeAsyncIterator()
        #expect((try? await inbound.next()) == nil)
        link.release()

        let client = try cluster.blockClient()
        let result = try await client.write(encoded: encoded.bytes, id: encoded.id, targets: cluster.targets(["w2"]))
        #expect(result.storedOn == ["w2"])
        #expect(try await client.read(id: encoded.id, replicas: [target], codec: try cluster.codec()) == encoded.bytes)
    }
}

/// Placement as the master answers it (DESIGN.md, "Placement": distinct
/// machines chosen by weighted rendezvous; hot blocks on SSDs).
struct BlockPlacementTests {
    @Test func placementFollowsTiersAndExclusions() async throws {
        // Three SSD machines: enough for hot blocks to stay on SSDs at three
        // replicas (with fewer, hot blocks fall back to any disk; see `placement`).
        var specs = BlockTestCluster.defaultSpecs
        specs[3].diskClass = .hdd
        let cluster = try BlockTestCluster(specs)
        try await cluster.start()
        let endpoints = try cluster.clusterClient(["w4", "m1"])
        let id = try cluster.block(1000, seed: 8).id

        let hot = try await BlockClient.placement(blockID: id, encodedBytes: 2000, tier: "hot", client: endpoints)
        #expect(Set(hot.map(\.name)) == ["m1", "w2", "w3"], "only machines with SSDs take hot blocks")
        let cold = try await BlockClient.placement(blockID: id, encodedBytes: 2000, tier: "cold", exclude: ["w2"], client: endpoints)
        #expect(Set(cold.map(\.name)) == ["m1", "w3", "w4"])
        #expect(cold.map(\.address) == cold.map { cluster.target($0.name).address })
        let again = try await BlockClient.placement(blockID: id, encodedBytes: 2000, tier: "cold", exclude: ["w2"], client: endpoints)
        #expect(again == cold, "placement is a function of the block id")
        await #expect(throws: RPCFailure.self) {
            try await BlockClient.placement(blockID: id, encodedBytes: 2000, tier: "lukewarm", client: endpoints)
        }
        let none = await #expect(throws: RPCFailure.self) {
            try await BlockClient.placement(blockID: id, encodedBytes: 1 << 40, tier: "cold", client: endpoints)
        }
        #expect(none?.code == .insufficientCapacity)
        await endpoints.close()
    }
}

/// `BlockClient.put`: a replica that fails is replaced by asking placement
/// again without it (DESIGN.md, "Blocks": retries are idempotent, identical
/// content has the same id).
struct BlockPutTests {
    @Test func putReplacesAReplicaThatFailsMidStream() async throws {
        let cluster = try BlockTestCluster()
        try await cluster.start()
        let client = try cluster.blockClient()
        let endpoints = try cluster.clusterClient(["m1"])
        // A block that placement puts on w4, whose write streams then break.
        var chosen: (block: EncodedBlock, targets: [BlockTarget])?
        for seed in UInt64(100)..<UInt64(140) {
            let block = try cluster.block(600_000, seed: seed)
            let targets = try await BlockClient.placement(
                blockID: block.id, encodedBytes: Int64(block.bytes.count), client: endpoints)
            if targets.map(\.name).contains("w4") {
                chosen = (block, targets)
                break
            }
        }
        let (block, targets) = try #require(chosen, "some block among 40 is placed on w4")
        cluster.node("w4").blocks.injectStreamFault(.init(afterBytes: 300_000, action: .closeLink))

        let result = try await client.put(encoded: block.bytes, id: block.id, cluster: endpoints)
        #expect(result.storedOn.count == 3)
        #expect(Set(result.storedOn) == Set(["m1", "w2", "w3", "w4"]).subtracting(["w4"]))
        #expect(result.failed.map(\.node) == ["w4"], "only the broken replica is reported: \(result.failed)")
        for name in result.storedOn {
            #expect(FileManager.default.contents(atPath: cluster.blockFile(block.id, on: name)) == Data(block.bytes))
        }
        #expect(targets.count == 3)
        await endpoints.close()
    }
}

/// Figures for the README (debug build, one process, loopback): not a pass/fail timing.
struct BlockMeasureTests {
    @Test func pipelineAndReadThroughput() async throws {
        let cluster = try BlockTestCluster()
        try await cluster.start()
        let client = try cluster.blockClient()
        let codec = try cluster.codec()
        let blocks = try (0..<3).map { try cluster.block(4 << 20, seed: 200 + UInt64($0)) }
        let bytes = blocks.reduce(0) { $0 + $1.bytes.count }

        var started = ContinuousClock.now
        for block in blocks {
            let result = try await client.write(encoded: block.bytes, id: block.id, targets: cluster.targets(["w2", "w3", "w4"]))
            #expect(result.storedOn == ["w2", "w3", "w4"])
        }
        let writeSeconds = (ContinuousClock.now - started) / .seconds(1)
        started = ContinuousClock.now
        for block in blocks {
            #expect(try await client.read(id: block.id, replicas: cluster.targets(["w3"]), codec: codec) == block.bytes)
        }
        let readSeconds = (ContinuousClock.now - started) / .seconds(1)
        let mebibytes = Double(bytes) / Double(1 << 20)
        print(String(format: "block pipeline (3 replicas, fsync each): %.1f MiB in %.2f s = %.1f MiB/s; "
                     + "verified read from one replica: %.1f MiB/s", mebibytes, writeSeconds, mebibytes / writeSeconds,
                     mebibytes / readSeconds))
    }
}

/// The master's block map is soft state rebuilt from reports (HDFS NameNode:
/// block locations come from DataNode reports, never from the log).
struct BlockMapRebuildTests {
    @Test func aRestartedMasterAsksForFullReportsAndRelearnsEveryReplica() async throws {
        let cluster = try BlockTestCluster()
        try await cluster.start()
        let client = try cluster.blockClient()
        let encoded = try cluster.block(200_000, seed: 9)
        #expect(try await client.write(encoded: encoded.bytes, id: encoded.id, targets: cluster.targets(["w2", "w3", "w4"])).storedOn
                == ["w2", "w3", "w4"])

        await cluster.stop("m1")
        try await cluster.restart("m1")
        let endpoints = try cluster.clusterClient(["m1"])
        // Same master name, so no node saw a change: the new master's empty map
        // asks each node that reports usage for a full report.
        try await eventually("the restarted master relearns the replicas", timeout: .seconds(5)) {
            let located = try await BlockClient.locations([encoded.id], client: endpoints)
            return located[encoded.id]?.map(\.name) == ["w2", "w3", "w4"]
        }
        let report = try await BlockClient.capacity(client: endpoints)
        #expect(report.machines.allSatisfy { $0.reported })
        await endpoints.close()
    }
}
