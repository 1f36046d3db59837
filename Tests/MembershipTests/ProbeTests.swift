import Testing
import Membership
import YonkeCore

/// SWIM §3.1 (failure detector) and Lifeguard §IV.A (local health), driving
/// one instance by hand and reading its directives.
@Suite struct ProbeTests {
    @Test func aPeriodPingsOneMemberAndArmsTheTimers() {
        var a = Fixture.instance(peers: ["b", "c", "d", "e"])
        let out = a.onPeriodicPingTick(now: 10)
        let pings = out.sends.filter { if case .ping = $0.0 { true } else { false } }
        #expect(pings.count == 1)
        let timers = out.timers()
        #expect(timers.contains { $0.0 == .periodicPing && $0.1 == SWIM.Config.test.probeIntervalTicks })
        #expect(timers.contains { if case .probeTimeout = $0.0 { $0.1 == SWIM.Config.test.probeTimeoutTicks } else { false } })
    }

    @Test func roundRobinProbesEveryMemberOncePerRound() {
        let peers = ["b", "c", "d", "e", "f"]
        var a = Fixture.instance(peers: peers)
        var probed: [String] = []
        for period in 0..<peers.count {
            let out = a.onPeriodicPingTick(now: SWIM.Tick(period * 10))
            for (message, _) in out.sends { if case .ping(let p) = message { probed.append(p.target.name) } }
            // Answer, so nobody becomes a suspect.
            for (message, to) in out.sends {
                if case .ping(let p) = message {
                    _ = a.onMessage(.ack(SWIM.Ack(from: p.target, sequence: p.sequence, gossip: [])), from: to, now: SWIM.Tick(period * 10 + 1))
                }
            }
        }
        #expect(probed.sorted() == peers)
    }

    @Test func silenceLeadsToPingRequestsThenSuspicionThenDeath() throws {
        var a = Fixture.instance(peers: ["b", "c", "d", "e"])
        let out = a.onPeriodicPingTick(now: 10)
        guard case .ping(let ping) = try #require(out.sends.first).0 else { Issue.record("no ping"); return }
        let target = ping.target.name

        let afterDirect = a.onTimeout(.probeTimeout(sequence: ping.sequence), now: 15)
        let requests = afterDirect.sends.compactMap { if case .pingRequest(let r) = $0.0 { r } else { nil } }
        #expect(requests.count == 3, "k = indirectChecks helpers, none of them the target")
        #expect(requests.allSatisfy { $0.target.name == target })
        let helpers = afterDirect.sends.compactMap { if case .pingRequest = $0.0 { $0.1 } else { nil } }
        #expect(Set(helpers).isDisjoint(with: [target, "a"]))
        // memberlist's fallback: one more direct ping, same sequence, so its ack counts.
        let retries = afterDirect.sends.compactMap { if case .ping(let p) = $0.0 { p } else { nil } }
        #expect(retries.map(\.sequence) == [ping.sequence] && retries.map(\.target.name) == [target])

        let afterIndirect = a.onTimeout(.indirectProbeTimeout(sequence: ping.sequence), now: 20)
        #expect(afterIndirect.statusChanges.map(\.member.status) == [.suspect])
        #expect(a.member(named: target)?.status == .suspect)
        let suspicion = try #require(afterIndirect.timers().first { $0.0 == .suspicionTimeout(name: target) })
        // Nobody confirmed: the maximum timeout (Lifeguard §IV.B).
        #expect(suspicion.1 == SWIM.Config.test.suspicionTimeoutMaxTicks(memberCount: 5))

        #expect(a.onTimeout(.suspicionTimeout(name: target), now: 20 + suspicion.1 - 1).isEmpty, "early timer is ignored")
        let death = a.onTimeout(.suspicionTimeout(name: target), now: 20 + suspicion.1)
        #expect(death.statusChanges.map { [$0.previousStatus, $0.member.status] } == [[.suspect, .dead]])
        #expect(a.liveMemberCount == 4)
    }

    @Test func anAckInTimeKeepsTheTargetAlive() throws {
        var a = Fixture.instance(peers: ["b", "c"])
        let out = a.onPeriodicPingTick(now: 10)
        guard case .ping(let ping) = try #require(out.sends.first).0 else { return }
        _ = a.onMessage(.ack(SWIM.Ack(from: ping.target, sequence: ping.sequence, gossip: [])), from: ping.target.name, now: 12)
        #expect(a.onTimeout(.probeTimeout(sequence: ping.sequence), now: 15).isEmpty)
        #expect(a.onTimeout(.indirectProbeTimeout(sequence: ping.sequence), now: 20).isEmpty)
        #expect(a.member(named: ping.target.name)?.status == .alive)
    }

    @Test func aRelayedAckCountsAsAnAck() throws {
        var a = Fixture.instance(peers: ["b", "c", "d"])
        let out = a.onPeriodicPingTick(now: 10)
        guard case .ping(let ping) = try #require(out.sends.first).0 else { return }
        _ = a.onTimeout(.probeTimeout(sequence: ping.sequence), now: 15)
        _ = a.onMessage(.ack(SWIM.Ack(from: ping.target, sequence: ping.sequence, gossip: [])), from: "helper", now: 17)
        #expect(a.onTimeout(.indirectProbeTimeout(sequence: ping.sequence), now: 20).isEmpty)
        #expect(a.member(named: ping.target.name)?.status == .alive)
    }

    @Test func aHelperRelaysThePingAndTheAckOrSendsANack() throws {
        var helper = Fixture.instance("h", peers: ["a", "t"])
        let request = SWIM.PingRequest(from: Fixture.id("a"), target: Fixture.id("t"), targetAddress: "t", sequence: 42, gossip: [])
        let out = helper.onMessage(.pingRequest(request), from: "a", now: 1)
        let (message, to) = try #require(out.sends.first)
        guard case .ping(let relayed) = message else { Issue.record("expected a ping"); return }
        #expect(to == "t" && relayed.target == Fixture.id("t"))

        let acked = helper.onMessage(.ack(SWIM.Ack(from: Fixture.id("t"), sequence: relayed.sequence, gossip: [])), from: "t", now: 2)
        guard case .ack(let back) = try #require(acked.sends.first).0 else { Issue.record("expected an ack"); return }
        #expect(back.sequence == 42 && back.from == Fixture.id("t"))
        #expect(helper.onTimeout(.forwardTimeout(sequence: relayed.sequence), now: 5).isEmpty, "no nack after an ack")

        let second = helper.onMessage(.pingRequest(request), from: "a", now: 10)
        guard case .ping(let again) = try #require(second.sends.first).0 else { return }
        let nack = helper.onTimeout(.forwardTimeout(sequence: again.sequence), now: 14)
        guard case .nack(let n) = try #require(nack.sends.first).0 else { Issue.record("expected a nack"); return }
        #expect(n.sequence == 42)
    }

    @Test func aPingForAnOlderRunIsNotAnswered() {
        var restarted = SWIM.Instance(config: .test, id: Fixture.id("b", 2), metadata: TestCluster.metadata("b"),
                                      generator: SeededGenerator(seed: 1))
        let old = restarted.onMessage(.ping(SWIM.Ping(from: Fixture.id("a"), target: Fixture.id("b", 1), sequence: 1, gossip: [])),
                                      from: "a", now: 1)
        #expect(old.sends.isEmpty)
        let current = restarted.onMessage(.ping(SWIM.Ping(from: Fixture.id("a"), target: Fixture.id("b", 2), sequence: 2, gossip: [])),
                                          from: "a", now: 2)
        #expect(current.sends.count == 1)
    }

    /// Lifeguard §IV.A: missing nacks mean our own links are the problem, so
    /// the score rises by the number missed; nacks that arrive keep it down.
    @Test(arguments: [(nacks: 0, score: 3), (nacks: 2, score: 1), (nacks: 3, score: 0)])
    func missedNacksRaiseLocalHealthScore(nacks: Int, score: Int) throws {
        var a = Fixture.instance(peers: ["b", "c", "d", "e"])
        let out = a.onPeriodicPingTick(now: 10)
        guard case .ping(let ping) = try #require(out.sends.first).0 else { return }
        _ = a.onTimeout(.probeTimeout(sequence: ping.sequence), now: 15)
        for _ in 0..<nacks {
            _ = a.onMessage(.nack(SWIM.Nack(from: Fixture.id("c"), sequence: ping.sequence, gossip: [])), from: "c", now: 17)
        }
        _ = a.onTimeout(.indirectProbeTimeout(sequence: ping.sequence), now: 20)
        #expect(a.localHealthScore == score)
    }

    @Test func anUnhealthyMemberProbesMoreSlowly() throws {
        var a = Fixture.instance(peers: ["b", "c", "d", "e"])
        let out = a.onPeriodicPingTick(now: 10)
        guard case .ping(let ping) = try #require(out.sends.first).0 else { return }
        _ = a.onTimeout(.probeTimeout(sequence: ping.sequence), now: 15)
        _ = a.onTimeout(.indirectProbeTimeout(sequence: ping.sequence), now: 20)
        let next = a.onPeriodicPingTick(now: 30)
        let interval = try #require(next.timers().first { $0.0 == .periodicPing }).1
        #expect(interval == SWIM.Config.test.probeIntervalTicks * UInt64(a.localHealthScore + 1))
        #expect(interval > SWIM.Config.test.probeIntervalTicks)
    }
}
