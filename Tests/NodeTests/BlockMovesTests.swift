import YonkeProtocol
import YonkeClient
import Foundation
import NIOCore
import Testing
import Transport
import YonkeCore
@testable import Node

/// The holder's side of healing: `replicate` and `deleteReplica` as the master
/// sends them, on real nodes, sockets and disks.
@Suite(.serialized)
struct BlockMovesTests {
    static func replicatePayload(_ id: BlockID, to target: BlockTarget) -> ByteBuffer {
        var payload = ByteBuffer()
        payload.writeWireBlockID(id)
        payload.writeWireString("cold")
        payload.writeTarget(target)
        return payload
    }

    static func deletePayload(_ id: BlockID) -> ByteBuffer {
        var payload = ByteBuffer()
        payload.writeWireBlockID(id)
        return payload
    }

    static func refusal(_ body: () async throws -> Void) async -> RPCFailure? {
        do { try await body() } catch let failure as RPCFailure { return failure } catch { return nil }
        return nil
    }

    @Test func copyDeleteAndTheirRefusals() async throws {
        let cluster = try BlockTestCluster()
        try await cluster.start()
        let encoded = try cluster.block(3 << 20, seed: 5)
        let stored = try await cluster.blockClient().write(encoded: encoded.bytes, id: encoded.id, targets: cluster.targets(["w2"]))
        #expect(stored.storedOn == ["w2"])
        let w2 = cluster.node("w2").blocks
        try await eventually("w2 knows its master") { await cluster.node("w2").consensus.masterName == "m1" }
        try await eventually("w2 sees w3 alive") { await cluster.node("w2").membership.member(named: "w3")?.isAlive == true }

        // Only the master may ask.
        let stranger = await Self.refusal { _ = try await w2.onReplicate(Self.replicatePayload(encoded.id, to: cluster.target("w3")), from: "w4") }
        #expect(stranger?.code == .refused && stranger?.message.contains("only from the master") == true, "\(String(describing: stranger))")
        // A block it does not hold, a target that is itself or not a live member.
        let unknown = try cluster.block(1 << 20, seed: 6)
        let missing = await Self.refusal { _ = try await w2.onReplicate(Self.replicatePayload(unknown.id, to: cluster.target("w3")), from: "m1") }
        #expect(missing?.code == .notFound, "\(String(describing: missing))")
        let itself = await Self.refusal { _ = try await w2.onReplicate(Self.replicatePayload(encoded.id, to: cluster.target("w2")), from: "m1") }
        #expect(itself?.code == .refused, "\(String(describing: itself))")
        let ghost = BlockTarget(name: "ghost", address: cluster.target("w3").address)
        let dead = await Self.refusal { _ = try await w2.onReplicate(Self.replicatePayload(encoded.id, to: ghost), from: "m1") }
        #expect(dead?.code == .refused && dead?.message.contains("not a live member") == true, "\(String(describing: dead))")

        // A copy lands byte for byte and the master hears of it.
        _ = try await w2.onReplicate(Self.replicatePayload(encoded.id, to: cluster.target("w3")), from: "m1")
        #expect(FileManager.default.contents(atPath: cluster.blockFile(encoded.id, on: "w3")) == Data(encoded.bytes))
        let endpoints = try cluster.clusterClient(["m1"])
        try await eventually("the master locates both copies") {
            Set(try await BlockClient.locations([encoded.id], client: endpoints)[encoded.id]?.map(\.name) ?? []) == ["w2", "w3"]
        }

        // Deletes are idempotent, and the removal reaches the master.
        _ = try await w2.onDeleteReplica(Self.deletePayload(encoded.id), from: "m1")
        _ = try await w2.onDeleteReplica(Self.deletePayload(encoded.id), from: "m1")
        #expect(!w2.holds(encoded.id))
        try await eventually("the master forgets w2's copy") {
            try await BlockClient.locations([encoded.id], client: endpoints)[encoded.id]?.map(\.name) == ["w3"]
        }
        let notMaster = await Self.refusal { _ = try await w2.onDeleteReplica(Self.deletePayload(encoded.id), from: "w3") }
        #expect(notMaster?.code == .refused)
    }
}
