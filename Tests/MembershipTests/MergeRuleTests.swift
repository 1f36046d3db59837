import Testing
import Membership
import YonkeCore

/// SWIM §4.2 precedence of claims, generations first, then incarnations.
@Suite struct MergeRuleTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var start: (SWIM.Status, UInt64)
        var claim: (SWIM.Status, UInt64)
        var result: (SWIM.Status, UInt64)
        var testDescription: String { "\(start) + \(claim) → \(result)" }
    }

    static let cases: [Case] = [
        // Alive(i) overrides alive/suspect(j) only when i > j.
        Case(start: (.alive, 1), claim: (.alive, 2), result: (.alive, 2)),
        Case(start: (.alive, 2), claim: (.alive, 1), result: (.alive, 2)),
        Case(start: (.suspect, 1), claim: (.alive, 1), result: (.suspect, 1)),
        Case(start: (.suspect, 1), claim: (.alive, 2), result: (.alive, 2)),
        // Suspect(i) overrides alive(j) when i ≥ j, suspect(j) when i > j.
        Case(start: (.alive, 1), claim: (.suspect, 1), result: (.suspect, 1)),
        Case(start: (.alive, 2), claim: (.suspect, 1), result: (.alive, 2)),
        Case(start: (.suspect, 1), claim: (.suspect, 2), result: (.suspect, 2)),
        // Dead/left(i) overrides alive/suspect(j) when i ≥ j.
        Case(start: (.alive, 1), claim: (.dead, 1), result: (.dead, 1)),
        Case(start: (.suspect, 3), claim: (.dead, 2), result: (.suspect, 3)),
        Case(start: (.alive, 1), claim: (.left, 1), result: (.left, 1)),
        // A tombstone stops stale alive claims; only the member's own higher
        // incarnation (a refutation) brings it back.
        Case(start: (.dead, 2), claim: (.alive, 2), result: (.dead, 2)),
        Case(start: (.dead, 2), claim: (.alive, 1), result: (.dead, 2)),
        Case(start: (.dead, 2), claim: (.suspect, 5), result: (.dead, 2)),
        Case(start: (.dead, 2), claim: (.alive, 3), result: (.alive, 3)),
    ]

    static func instance(with start: (SWIM.Status, UInt64)) -> SWIM.Instance {
        var a = Fixture.instance(peers: ["b", "c", "d"])
        _ = Fixture.gossip([Fixture.alive("b", incarnation: start.1)], to: &a)
        if start.0 != .alive {
            _ = Fixture.gossip([Fixture.claim("b", start.0, incarnation: start.1, accuser: "c")], to: &a)
        }
        return a
    }

    @Test(arguments: cases)
    func precedence(_ c: Case) throws {
        var a = Self.instance(with: c.start)
        #expect(a.member(named: "b")?.status == c.start.0)
        let claim = c.claim.0 == .alive ? Fixture.alive("b", incarnation: c.claim.1)
            : Fixture.claim("b", c.claim.0, incarnation: c.claim.1, accuser: "d")
        _ = Fixture.gossip([claim], to: &a, now: 2)
        let b = try #require(a.member(named: "b"))
        #expect(b.status == c.result.0)
        #expect(b.incarnation == c.result.1)
    }

    /// SWIM §4.2: the suspected member refutes by raising its incarnation,
    /// and the refutation goes out in its very next message.
    @Test(arguments: [SWIM.Status.suspect, .dead])
    func aMemberRefutesAccusationsAboutItself(_ status: SWIM.Status) throws {
        var b = Fixture.instance("b", peers: ["a", "c"])
        _ = Fixture.gossip([Fixture.claim("b", status, incarnation: 0, accuser: "a")], to: &b)
        #expect(b.myself.incarnation == 1)
        #expect(b.myself.status == .alive)
        let out = b.onMessage(.ping(SWIM.Ping(from: Fixture.id("a"), target: Fixture.id("b"), sequence: 5, gossip: [])),
                              from: "a", now: 3)
        guard case .ack(let ack) = try #require(out.sends.first).0 else { Issue.record("no ack"); return }
        #expect(ack.gossip.contains { $0.id.name == "b" && $0.status == .alive && $0.incarnation == 1 })

        // An old accusation (lower incarnation) means our refutation missed
        // someone; everyone else already has incarnation 1, so only a new
        // one spreads far enough to reach them.
        _ = Fixture.gossip([Fixture.claim("b", .suspect, incarnation: 0, accuser: "c")], to: &b, now: 4)
        #expect(b.myself.incarnation == 2)
        // Claims about other members never touch our incarnation.
        _ = Fixture.gossip([Fixture.claim("c", .suspect, incarnation: 0, accuser: "a")], to: &b, now: 5)
        #expect(b.myself.incarnation == 2)
    }

    @Test func aRefutationClearsTheSuspicionEverywhere() throws {
        var a = Self.instance(with: (.suspect, 0))
        let out = Fixture.gossip([Fixture.alive("b", incarnation: 1)], to: &a, now: 5)
        #expect(out.statusChanges.map(\.member.status) == [.alive])
        // The old suspicion timer fires and must do nothing.
        #expect(a.onTimeout(.suspicionTimeout(name: "b"), now: 10_000).isEmpty)
        #expect(a.member(named: "b")?.status == .alive)
    }

    /// Lifeguard §IV.B: each independent accuser shortens the timeout.
    @Test func confirmationsShortenTheSuspicion() throws {
        var a = Fixture.instance(peers: (1...20).map { "p\($0)" })
        let first = Fixture.gossip([Fixture.claim("p1", .suspect, incarnation: 0, accuser: "p2")], to: &a)
        let t0 = try #require(first.timers().first { $0.0 == .suspicionTimeout(name: "p1") }).1
        let second = Fixture.gossip([Fixture.claim("p1", .suspect, incarnation: 0, accuser: "p3")], to: &a)
        let t1 = try #require(second.timers().first { $0.0 == .suspicionTimeout(name: "p1") }).1
        let repeatAccuser = Fixture.gossip([Fixture.claim("p1", .suspect, incarnation: 0, accuser: "p3")], to: &a)
        #expect(repeatAccuser.timers().isEmpty, "the same accuser twice is one confirmation")
        let third = Fixture.gossip([Fixture.claim("p1", .suspect, incarnation: 0, accuser: "p4")], to: &a)
        let t2 = try #require(third.timers().first { $0.0 == .suspicionTimeout(name: "p1") }).1
        let n = a.liveMemberCount
        #expect(t0 == SWIM.Config.test.suspicionTimeoutMaxTicks(memberCount: n))
        #expect(t1 < t0)
        #expect(t2 == SWIM.Config.test.suspicionTimeoutMinTicks(memberCount: n))
    }

    // MARK: generations and tombstones

    @Test func aNewerGenerationSupersedesTheTombstone() throws {
        var a = Self.instance(with: (.dead, 4))
        let out = Fixture.gossip([Fixture.alive("b", incarnation: 0, generation: 2)], to: &a)
        let b = try #require(a.member(named: "b"))
        #expect(b.id.generation == 2 && b.status == .alive && b.incarnation == 0)
        #expect(out.statusChanges.map { $0.previousStatus } == [nil], "a new member, not the old one revived")
    }

    @Test func aNewerGenerationReplacesALiveOldRunAndReportsItDead() throws {
        var a = Self.instance(with: (.alive, 3))
        let out = Fixture.gossip([Fixture.alive("b", incarnation: 0, generation: 2)], to: &a)
        #expect(out.statusChanges.map { [$0.member.id.generation] } == [[1], [2]])
        #expect(out.statusChanges.map(\.member.status) == [.dead, .alive])
    }

    @Test func claimsAboutAnOlderGenerationAreIgnored() throws {
        var a = Self.instance(with: (.alive, 0))
        _ = Fixture.gossip([Fixture.alive("b", incarnation: 0, generation: 2)], to: &a)
        let out = Fixture.gossip([Fixture.alive("b", incarnation: 9, generation: 1),
                                  Fixture.claim("b", .dead, incarnation: 9, generation: 1)], to: &a)
        #expect(out.isEmpty)
        let b = try #require(a.member(named: "b"))
        #expect(b.id.generation == 2 && b.status == .alive)
    }

    @Test func tombstonesAreForgottenAfterRetention() throws {
        var a = Self.instance(with: (.dead, 0))
        let retention = SWIM.Config.test.tombstoneRetentionTicks
        var now: SWIM.Tick = 10
        for _ in 0..<12 { _ = a.onPeriodicPingTick(now: now); now += 10 }
        #expect(a.member(named: "b")?.status == .dead, "kept within retention")
        now = retention + 100
        for _ in 0..<12 { _ = a.onPeriodicPingTick(now: now); now += 10 }
        #expect(a.member(named: "b") == nil)
    }

    @Test func metadataRidesOnAHigherIncarnation() throws {
        var a = Self.instance(with: (.alive, 0))
        let out = Fixture.gossip([Fixture.alive("b", incarnation: 1, version: 7)], to: &a)
        #expect(a.member(named: "b")?.metadata.version == 7)
        #expect(out.contains { if case .memberMetadataChanged(let m) = $0 { m.id.name == "b" } else { false } })
    }
}

/// Direct messages and anti-entropy: how split views reconcile.
@Suite struct ReconcileTests {
    @Test func aPingFromADeadMemberAtAHigherIncarnationRevivesIt() throws {
        var a = MergeRuleTests.instance(with: (.dead, 0))
        let ping = SWIM.Ping(from: Fixture.id("b"), target: Fixture.id("a"), sequence: 1, gossip: [],
                             fromIncarnation: 1, fromMetadataVersion: 0)
        let out = a.onMessage(.ping(ping), from: "b", now: 5)
        #expect(a.member(named: "b")?.status == .alive)
        #expect(out.statusChanges.map { $0.previousStatus } == [.dead])
    }

    @Test func aSelfClaimWithNewerMetadataWaitsForTheFullRecord() throws {
        var a = MergeRuleTests.instance(with: (.dead, 0))
        let ping = SWIM.Ping(from: Fixture.id("b"), target: Fixture.id("a"), sequence: 1, gossip: [],
                             fromIncarnation: 1, fromMetadataVersion: 3)
        _ = a.onMessage(.ping(ping), from: "b", now: 5)
        #expect(a.member(named: "b")?.status == .dead, "never pair a new incarnation with old metadata")
        let tick = a.onPeriodicPingTick(now: 10)
        #expect(tick.sends.contains { if case .sync(let s) = $0.0 { $0.1 == "b" && s.wantsReply } else { false } })
    }

    /// memberlist's mergeState: a remote death becomes a local suspicion.
    @Test func aSyncedDeathIsOnlyASuspicion() throws {
        var a = Fixture.instance(peers: ["b", "c", "d"])
        let sync = SWIM.Sync(from: Fixture.id("c"), wantsReply: true, members: [
            Fixture.claim("b", .dead, incarnation: 0), Fixture.alive("d", incarnation: 4), Fixture.alive("e"),
        ])
        let out = a.onMessage(.sync(sync), from: "c", now: 3)
        #expect(a.member(named: "b")?.status == .suspect)
        #expect(a.member(named: "d")?.incarnation == 4)
        #expect(a.member(named: "e")?.status == .alive)
        let reply = try #require(out.sends.first { if case .sync = $0.0 { true } else { false } })
        guard case .sync(let answer) = reply.0 else { return }
        #expect(!answer.wantsReply && reply.1 == "c")
        #expect(answer.members.map(\.id.name) == ["a", "b", "c", "d", "e"])
    }

    @Test func aRevivalTriggersASyncWithTheRevivedMember() throws {
        var a = MergeRuleTests.instance(with: (.dead, 0))
        _ = Fixture.gossip([Fixture.alive("b", incarnation: 1)], to: &a, now: 5)
        let tick = a.onPeriodicPingTick(now: 10)
        #expect(tick.sends.contains { if case .sync = $0.0 { $0.1 == "b" } else { false } })
    }
}
