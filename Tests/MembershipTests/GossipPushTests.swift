import Testing
import Membership
import YonkeCore

/// memberlist's gossip interval: between probes, queued claims are pushed
/// to `gossipFanout` members as pings with sequence 0, which nobody acks.
@Suite struct GossipPushTests {
    @Test func startArmsTheGossipTimerWithinOneInterval() throws {
        var a = Fixture.instance(peers: ["b", "c", "d", "e"])
        let gossip = try #require(a.start(now: 0).timers().first { $0.0 == .gossip })
        #expect(gossip.1 >= 1 && gossip.1 <= SWIM.Config.test.gossipIntervalTicks)
    }

    @Test func aQuietQueueSendsNothingButRearms() {
        var a = Fixture.instance(peers: ["b", "c", "d", "e"])
        let out = a.onTimeout(.gossip, now: 2)
        #expect(out.sends.isEmpty)
        #expect(out.timers().map(\.0) == [.gossip])
        #expect(out.timers().first?.1 == SWIM.Config.test.gossipIntervalTicks)
    }

    @Test func newsIsPushedToFanoutMembersAsUnackedPings() {
        var a = Fixture.instance(peers: ["b", "c", "d", "e", "f", "g"])
        _ = Fixture.gossip([Fixture.claim("b", .dead, incarnation: 0)], to: &a)
        let out = a.onTimeout(.gossip, now: 2)
        let pings = out.sends.compactMap { if case .ping(let p) = $0.0 { p } else { nil } }
        // Each push carries the claim, and pushes stop at half its budget.
        let pushLimit = a.config.gossipPushLimit(memberCount: a.liveMemberCount)
        #expect(pushLimit >= 2)
        #expect(pings.count == min(SWIM.Config.test.gossipFanout, pushLimit))
        #expect(pings.allSatisfy { $0.sequence == SWIM.Ping.gossipSequence })
        #expect(pings.allSatisfy { $0.gossip.contains { $0.id.name == "b" && $0.status == .dead } })
        #expect(Set(pings.map(\.target.name)).count == pings.count, "distinct members")
        #expect(!pings.contains { $0.target.name == "b" || $0.target.name == "a" }, "not the dead, not ourselves")
        #expect(out.timers().map(\.0) == [.gossip])
    }

    @Test func aPushIsMergedAndNotAcked() {
        var a = Fixture.instance(peers: ["b", "c", "d"])
        let push = SWIM.Ping(from: Fixture.id("b"), target: Fixture.id("a"), sequence: SWIM.Ping.gossipSequence,
                             gossip: [Fixture.claim("c", .dead, incarnation: 0)])
        let out = a.onMessage(.ping(push), from: "b", now: 3)
        #expect(out.sends.isEmpty, "no ack: no probe waits for a push")
        #expect(a.member(named: "c")?.status == .dead)
        // A probe (sequence ≥ 1) is still answered.
        let probe = SWIM.Ping(from: Fixture.id("b"), target: Fixture.id("a"), sequence: 1, gossip: [])
        #expect(a.onMessage(.ping(probe), from: "b", now: 4).sends.contains { if case .ack = $0.0 { true } else { false } })
    }

    @Test func pushesSpendHalfTheBudgetAndLeaveTheRestToPiggybacking() {
        var a = Fixture.instance(peers: ["b", "c", "d", "e", "f", "g"])
        _ = Fixture.gossip([Fixture.claim("b", .dead, incarnation: 0)], to: &a)
        var copies = 0
        for tick in 1...50 {
            for (message, _) in a.onTimeout(.gossip, now: SWIM.Tick(2 * tick)).sends {
                if case .ping(let p) = message { copies += p.gossip.filter { $0.id.name == "b" }.count }
            }
        }
        let limit = a.config.retransmitLimit(memberCount: a.liveMemberCount)
        #expect(copies == (limit + 1) / 2)
        // The rest rides on probes.
        var piggybacked = 0
        for period in 1...20 {
            for (message, _) in a.onPeriodicPingTick(now: SWIM.Tick(200 + 10 * period)).sends {
                // A reconnect ping to the dead `b` carries our belief about it, not the queue's claim.
                if case .ping(let p) = message, p.target.name == "b" { continue }
                piggybacked += message.gossip.filter { $0.id.name == "b" }.count
            }
        }
        #expect(copies + piggybacked == limit)
    }
}
