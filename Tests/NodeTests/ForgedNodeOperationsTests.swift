import Catalog
import Consensus
import Foundation
import Logging
import NIOCore
import Node
import Testing
import Transport
import YonkeClient
import YonkeCore
import YonkeProtocol

/// A person holding a writer credential tries every node-to-node operation the trust review
/// found open (issue 12): each is refused at the door with the reason, the cluster keeps
/// serving, and what was stored reads back.
@Suite(.serialized) struct ForgedNodeOperationsTests {
    @Test func aWriterCannotActAsAMachine() async throws {
        let cluster = try BlockTestCluster()
        try await cluster.start()
        let admin = try cluster.clusterClient()
        let writer = try UserCredential.generate(clusterID: cluster.secrets.clusterID, user: "wes")
        _ = try await CatalogOps.users(.add(name: "wes", role: .writer, publicKeyHex: writer.publicKeyHex), client: admin)
        let m1 = try #require(cluster.topology.machine(named: "m1")).address
        for name in ["m1", "w2", "w3", "w4"] {
            try await eventually("\(name) admits wes") { cluster.node(name).context.registry.principal(for: Self.peer(writer)) != nil }
        }

        // A file stored by the writer, the honest way.
        let source = NSTemporaryDirectory() + "forged-\(UUID().uuidString).bin"
        defer { try? FileManager.default.removeItem(atPath: source) }
        let content = (0..<(300 << 10)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(content).write(to: URL(fileURLWithPath: source))
        let asWriter = try ClusterClient(endpoints: [m1], credential: writer, logger: cluster.logger)
        _ = try await FilePut.put(file: source, to: "lake://bronze/kept.bin",
                                  options: .init(source: "test", tier: "hot", contentType: "application/octet-stream"), cluster: asWriter)

        let (link, task) = try await RPCConnector.open(m1, expectedName: "m1", settings: try writer.settings(logger: cluster.logger),
                                                      handler: RefusingHandler(), logger: cluster.logger, timeout: .seconds(5))
        defer { link.close(); task.cancel() }
        let termBefore = await cluster.node("m1").consensus.raftStatus().term

        // Requests only machines (or admins) may send, with hostile payloads where the review had them.
        var propose = ByteBuffer()
        propose.writeBytes(Catalog.Command.setJoinKey(publicKeyHex: writer.publicKeyHex, epochMillis: 1).encoded())
        var snapshotChunk = ByteBuffer()
        snapshotChunk.writeWireInteger(UInt64.max)
        snapshotChunk.writeWireInteger(UInt64(0))
        let forged: [(String, UInt16, ByteBuffer)] = [
            ("propose (re-key the join token)", CatalogOps.Op.propose.rawValue, propose),
            ("readIndex", CatalogOps.Op.readIndex.rawValue, ByteBuffer()),
            ("forward", CatalogOps.Op.forward.rawValue, ByteBuffer()),
            ("snapshotChunk", CatalogOps.Op.snapshotChunk.rawValue, snapshotChunk),
            ("registry (holds the join key)", CatalogOps.Op.registry.rawValue, ByteBuffer()),
            ("joinToken (rotate)", CatalogOps.Op.joinToken.rawValue, ByteBuffer(bytes: [1])),
            ("users (make myself admin)", CatalogOps.Op.users.rawValue,
             UsersWire.encode(.add(name: "root", role: .admin, publicKeyHex: String(repeating: "77", count: 32)))),
            ("verifyReplica", BlockOps.Op.verifyReplica.rawValue, ByteBuffer()),
            ("replicate", BlockOps.Op.replicate.rawValue, ByteBuffer()),
            ("deleteReplica", BlockOps.Op.deleteReplica.rawValue, ByteBuffer()),
            ("collectGarbage", BlockOps.Op.collectGarbage.rawValue, ByteBuffer()),
            ("setMachineState (drain)", BlockOps.Op.setMachineState.rawValue, ByteBuffer()),
            ("relayed placement", BlockOps.Op.placement.rawValue | BlockOps.forwardedBit, ByteBuffer()),
            ("chaos setFaults", RPCOperation.Admin.setFaults.rawValue, ByteBuffer()),
        ]
        for (what, op, payload) in forged {
            let error = await #expect(throws: RPCFailure.self, "\(what) was not refused") {
                _ = try await link.call(op: op, payload: payload, timeout: .seconds(5))
            }
            #expect(error?.code == .forbidden, "\(what): \(String(describing: error))")
            #expect(error?.message.contains("wes is user wes (writer)") == true, "\(what): \(String(describing: error))")
        }

        // "Every replica is corrupt": each holder checks its copy, finds it intact, and all still count.
        let stored = try await CatalogOps.stat("lake://bronze/kept.bin", client: admin)
        let block = try #require(stored.blocks.first)
        let holdersBefore = try await BlockClient.locations([block.id], client: admin)[block.id]?.map(\.name).sorted() ?? []
        #expect(holdersBefore.count == 3)
        for holder in holdersBefore {
            _ = try await link.call(op: BlockOps.Op.reportCorrupt.rawValue,
                                    payload: BlockOps.corruptReport(block.id, node: holder, reason: "forged"), timeout: .seconds(30))
        }
        let holdersAfter = try await BlockClient.locations([block.id], client: admin)[block.id]?.map(\.name).sorted() ?? []
        #expect(holdersAfter == holdersBefore, "a user's word dropped replicas")

        // One-way traffic under a machine's channels is dropped unread: a heartbeat with a term
        // that cannot be incremented, a block report claiming a flood of blocks, gossip.
        let heartbeat = Raft.Message(from: Raft.NodeID("m1"), to: Raft.NodeID("m1"), term: UInt64.max,
                                     kind: .heartbeat(commit: UInt64.max, readContext: nil))
        try await link.sendOneWay(channel: .raft, payload: RaftWire.encode(heartbeat))
        let flood = BlockReport(isFull: true, disks: [.init(diskClass: .ssd, capacityBytes: 1 << 60, usedBytes: 0, blockCount: 30_000)],
                                blocks: (0..<30_000).map { i in BlockID(bytes: (0..<BlockID.byteCount).map { UInt8(truncatingIfNeeded: i >> ($0 % 3 * 8)) })! })
        try await link.sendOneWay(channel: .blockReport, payload: flood.encoded())
        try await link.sendOneWay(channel: .swim, payload: ByteBuffer(bytes: Array(repeating: 0xFF, count: 512)))
        try await Task.sleep(for: .milliseconds(500))

        let status = await cluster.node("m1").consensus.raftStatus()
        #expect(status.term == termBefore, "a writer's heartbeat moved the term")
        #expect(await cluster.node("m1").consensus.masterName == "m1")
        let capacity = try await BlockClient.capacity(client: admin)
        #expect(capacity.machines.allSatisfy { $0.name != "wes" }, "the flood was counted")
        #expect(capacity.machines.allSatisfy { $0.totalBytes < 1 << 40 && $0.blocks < 30_000 }, "the flood was counted: \(capacity.machines)")

        // The cluster still serves, and the file reads back whole.
        var back: [UInt8] = []
        _ = try await FileGet.get("lake://bronze/kept.bin", cluster: admin) { back += $0 }
        #expect(back == content)
        await asWriter.close()
        await admin.close()
    }

    /// `user revoke` closes the user's links on every node: the master's at once, a non-voter's
    /// at its next registry poll (every 0.5 s).
    @Test func revokedUsersLinksClose() async throws {
        let cluster = try BlockTestCluster()
        try await cluster.start()
        let admin = try cluster.clusterClient(["m1"])
        let reader = try UserCredential.generate(clusterID: cluster.secrets.clusterID, user: "rita")
        _ = try await CatalogOps.users(.add(name: "rita", role: .reader, publicKeyHex: reader.publicKeyHex), client: admin)
        var links: [(String, RPCLink, Task<Void, Never>)] = []
        for name in ["m1", "w2"] {
            try await eventually("\(name) admits rita") { cluster.node(name).context.registry.principal(for: Self.peer(reader)) != nil }
            let address = try #require(cluster.topology.machine(named: name)).address
            let (link, task) = try await RPCConnector.open(address, expectedName: name, settings: try reader.settings(logger: cluster.logger),
                                                          handler: RefusingHandler(), logger: cluster.logger, timeout: .seconds(5))
            _ = try await link.call(op: CatalogOps.Op.status.rawValue, payload: ByteBuffer(), timeout: .seconds(5))
            links.append((name, link, task))
        }
        let revoked = ContinuousClock.now
        _ = try await CatalogOps.users(.revoke(name: "rita"), client: admin)
        for (name, link, task) in links {
            try await eventually("\(name) closes rita's link", timeout: .seconds(3)) { link.isClosed }
            let took = ContinuousClock.now - revoked
            print("revocation: \(name) closed the link \(took) after the revoke was sent")
            #expect(took < .milliseconds(name == "m1" ? 1_000 : 1_500), "\(name) took \(took)")
            task.cancel()
        }
        await admin.close()
    }

    static func peer(_ credential: UserCredential) -> Peer {
        Peer(name: credential.user, publicKey: credential.identity.publicKey)
    }
}
