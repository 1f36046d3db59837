import YonkeProtocol
import YonkeClient
import Catalog
import Consensus
import Foundation
import NIOCore
import Testing
import YonkeCore
@testable import Node

/// Issue 12's Raft findings against real nodes: forged messages sent over a real
/// authenticated link, by a voter of the cluster. Each is refused, every voter
/// keeps serving and a restart still starts.
@Suite(.serialized)
struct HostileRaftTests {
    /// A heartbeat at `UInt64.max` from a member was persisted and trapped each later
    /// election (`term + 1`) on every voter it reached; and a forged inline snapshot from
    /// the master itself was saved, after which the node could never start again.
    @Test func forgedTermsAndSnapshotsAreRefusedAndTheClusterKeepsServing() async throws {
        try await ConsensusTestCluster.with(voters: ["m1", "m2", "m3"], workers: []) { cluster in
            let master = try await cluster.waitForMaster(within: .seconds(2))
            try await cluster.waitForBootstrap()
            let followers = cluster.voterNames.filter { $0 != master }
            let forger = try #require(cluster.nodes[followers[1]])
            let victim = followers[0]
            let client = try cluster.client(master)
            _ = try await CatalogOps.commitFile("lake://bronze/before.csv", sizeBytes: 1,
                                                blocks: [(ConsensusTestCluster.block(1), 1)],
                                                source: "t", contentType: "text/csv", tier: "hot", client: client)

            // 1. Terms no leader could have won, of every kind, to every other voter.
            for to in [master, victim] {
                for kind: Raft.Message.Kind in [
                    .heartbeat(commit: .max, readContext: nil),
                    .vote(lastIndex: .max, lastTerm: .max, transfer: true),
                    .append(prevIndex: .max, prevTerm: .max, entries: [Raft.Entry(term: .max, index: 0, data: [1])], commit: .max),
                ] {
                    let message = Raft.Message(from: Raft.NodeID(forger.context.config.name), to: Raft.NodeID(to), term: .max, kind: kind)
                    await forger.context.peers.sendOneWay(to: to, channel: .raft, payload: RaftWire.encode(message))
                }
            }

            // 1b. The master's name in `from`, over the forger's link: the link proved who sent it.
            let termBefore = await cluster.nodes[victim]!.consensus.raftStatus().term
            let impersonation = Raft.Message(from: Raft.NodeID(master), to: Raft.NodeID(victim), term: termBefore + 1_000,
                                             kind: .heartbeat(commit: 0, readContext: nil))
            await forger.context.peers.sendOneWay(to: victim, channel: .raft, payload: RaftWire.encode(impersonation))

            // 2. A forged inline snapshot, sent by the master itself (the one sender Raft
            //    would take it from): its catalog does not decode.
            let masterNode = try #require(cluster.nodes[master])
            let status = await masterNode.consensus.raftStatus()
            let forged = Raft.Message(
                from: Raft.NodeID(master), to: Raft.NodeID(victim), term: status.term,
                kind: .installSnapshot(Raft.Snapshot(metadata: Raft.SnapshotMetadata(
                    index: status.commitIndex + 1_000, term: status.term,
                    configuration: Raft.Configuration(voters: cluster.voterNames.map { Raft.NodeID($0) })),
                    data: Array("not a catalog".utf8))))
            await masterNode.context.peers.sendOneWay(to: victim, channel: .raft, payload: RaftWire.encode(forged))

            let victimNode = try #require(cluster.nodes[victim])
            let deadline = ContinuousClock.now + .seconds(30)
            while await victimNode.consensus.refusedSnapshots == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(await victimNode.consensus.refusedSnapshots == 1)
            for name in cluster.voterNames {
                let term = await cluster.nodes[name]!.consensus.raftStatus().term
                #expect(term <= Raft.maxTerm, "\(name) took term \(term)")
                #expect(term < termBefore + 1_000, "\(name) took the impersonated term")
            }

            // Still serving: a write commits and every voter sees both files.
            _ = try await CatalogOps.commitFile("lake://bronze/after.csv", sizeBytes: 1,
                                                blocks: [(ConsensusTestCluster.block(2), 1)],
                                                source: "t", contentType: "text/csv", tier: "hot", client: client)
            await client.close()
            for name in cluster.voterNames {
                let files = try await cluster.nodes[name]!.consensus.read { state in
                    [state.file(at: try! LakePath("lake://bronze/before.csv")) != nil,
                     state.file(at: try! LakePath("lake://bronze/after.csv")) != nil]
                }
                #expect(files == [true, true], "\(name) lost a file")
            }

            // And the victim starts again from what it saved, with both files.
            await cluster.kill(victim)
            try await cluster.start(victim)
            let restarted = try #require(cluster.nodes[victim])
            let restartDeadline = ContinuousClock.now + ConsensusTestCluster.wallClockCap
            while await restarted.consensus.catalog.file(at: try LakePath("lake://bronze/after.csv")) == nil,
                  ContinuousClock.now < restartDeadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(await restarted.consensus.catalog.file(at: try LakePath("lake://bronze/before.csv")) != nil)
            #expect(await restarted.consensus.catalog.file(at: try LakePath("lake://bronze/after.csv")) != nil)
        }
    }

    /// A snapshot offered by reference is bounded before anything is fetched: 4 GiB is refused
    /// by the decoder with a reason, and an offer Raft would not take is never fetched.
    @Test func aFourGibibyteSnapshotOfferIsRefusedAtTheDoor() throws {
        let reference = RaftWire.SnapshotReference(
            from: "m1", to: "m2", term: 3,
            metadata: Raft.SnapshotMetadata(index: 10, term: 3, configuration: Raft.Configuration(voters: ["m1", "m2", "m3"])),
            sizeBytes: 4 << 30, checksum: 0)
        let error = #expect(throws: WireError.self) { try RaftWire.decodeEnvelope(RaftWire.encode(reference)) }
        #expect(error.map { "\($0)" }?.contains("exceeds") == true)
        var fits = reference
        fits.sizeBytes = RaftWire.maxSnapshotBytes
        #expect(try RaftWire.decodeEnvelope(RaftWire.encode(fits)) == .snapshotReference(fits))
    }
}
