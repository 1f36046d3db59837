import Testing
import Membership
import YonkeCore

/// Gossip no correct member sends (issue 12): dropped, counted, and the
/// member keeps refuting accusations as before.
@Suite struct HostileGossipTests {
    /// Was `update.incarnation + 1` in `applyAboutMyself`: one message trapped the node.
    @Test(arguments: [SWIM.Status.alive, .suspect, .dead, .left])
    func aClaimAboutMyselfAtAnIncarnationINeverAnnouncedIsIgnored(_ status: SWIM.Status) throws {
        var b = Fixture.instance("b", peers: ["a", "c"])
        for incarnation in [UInt64.max, UInt64.max - 1, 1 << 62, 1] {
            _ = Fixture.gossip([Fixture.claim("b", status, incarnation: incarnation, accuser: "a")], to: &b)
        }
        #expect(b.myself.incarnation == 0)
        #expect(b.myself.status == .alive)
        #expect(b.forgedClaimsAboutMyself == 4)
        // Still refutes a real accusation, at the incarnation it did announce.
        _ = Fixture.gossip([Fixture.claim("b", .suspect, incarnation: 0, accuser: "a")], to: &b, now: 2)
        #expect(b.myself.incarnation == 1)
    }

    /// Claims about others may carry any incarnation (they are only compared), and
    /// a member's figures may be anything: the instance stores them without arithmetic.
    @Test func extremeIncarnationsAboutOthersAreStoredNotComputedWith() throws {
        var b = Fixture.instance("b", peers: ["a", "c"])
        _ = Fixture.gossip([Fixture.alive("c", incarnation: .max)], to: &b)
        _ = Fixture.gossip([Fixture.claim("c", .suspect, incarnation: .max, accuser: "a")], to: &b, now: 2)
        _ = Fixture.gossip([Fixture.claim("c", .dead, incarnation: .max, accuser: "a")], to: &b, now: 3)
        #expect(b.member(named: "c")?.incarnation == .max)
        #expect(b.myself.incarnation == 0)
    }
}
