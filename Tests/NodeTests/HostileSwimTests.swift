import YonkeProtocol
import Foundation
import Membership
import NIOCore
import Testing
import YonkeCore
@testable import Node

extension MembershipServiceTests {
    /// Issue 12's gossip findings against real nodes, sent by a member over its real link:
    /// an accusation of m2 at incarnation `UInt64.max` (trapped m2 at `+ 1`), a new name
    /// claiming m3's address (silenced m3), and tier capacities that overflow when summed.
    /// m2 ignores each, keeps its own incarnation, still reaches m3, and nobody is suspected.
    @Test func forgedGossipIsIgnoredAndTheClusterStaysAlive() async throws {
        let cluster = try MembershipTestCluster.make()
        defer { cluster.remove() }
        let nodes = try cluster.startAll()
        let converged = await membershipEventually(within: cluster.period * 50) { await Self.allSeeAllAlive(nodes, names: cluster.names) }
        try #require(converged != nil)

        let m2 = nodes["m2"]!.membership
        let m2Generation = await m2.localGeneration
        let m3Address = try #require(await m2.member(named: "m3")?.address)
        let huge = SWIM.TierUsage(capacityBytes: .max, usedBytes: .max)
        let courier = SWIM.MemberID(name: "m1", generation: await nodes["m1"]!.membership.localGeneration)
        let gossip = [
            SWIM.MemberUpdate(id: SWIM.MemberID(name: "m2", generation: m2Generation), incarnation: .max, status: .suspect, accuser: "m1"),
            SWIM.MemberUpdate(id: SWIM.MemberID(name: "m2", generation: m2Generation), incarnation: .max, status: .dead),
            SWIM.MemberUpdate(id: SWIM.MemberID(name: "evil", generation: 1), incarnation: 0, status: .alive,
                              metadata: SWIM.Metadata(address: m3Address, hot: huge, cold: huge, glacier: huge)),
        ]
        // One-way SWIM payloads may be dropped (a link being redialled under load): send until heard.
        var refused: Duration?
        for _ in 0..<20 where refused == nil {
            for message: SWIM.Message in [
                .ack(SWIM.Ack(from: courier, sequence: 1 << 40, gossip: gossip)),
                .sync(SWIM.Sync(from: courier, wantsReply: false, members: gossip)),
            ] {
                await nodes["m1"]!.node.context.peers.sendOneWay(
                    to: "m2", channel: .swim, payload: ByteBuffer(bytes: SWIM.Codec.encode(message)))
            }
            refused = await membershipEventually(within: .seconds(1)) { await m2.refusedAddressClaims > 0 }
        }
        let malformed = await m2.malformedCount
        #expect(refused != nil, "m2 never refused the claim of m3's address (malformed payloads: \(malformed))")
        #expect(try #require(await m2.member(named: "m2")).incarnation < 1_000)
        #expect(await m2.member(named: "m3")?.address == m3Address)
        #expect(await m2.members().allSatisfy { $0.capacityBytes >= 0 })

        // Several periods later m3 is still alive everywhere: m2's probes still reach it.
        try await Task.sleep(for: cluster.period * 10)
        for name in cluster.names {
            #expect(await nodes[name]!.membership.member(named: "m3")?.state == MemberView.alive, "\(name) lost m3")
            #expect(await nodes[name]!.membership.member(named: "m2")?.state == MemberView.alive, "\(name) lost m2")
        }
        for node in nodes.values { await node.stop(leaving: true) }
    }
}
