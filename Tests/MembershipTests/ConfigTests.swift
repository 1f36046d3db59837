import Testing
import Membership

/// The memberlist-style formulas behind the presets.
@Suite struct ConfigTests {
    @Test(arguments: [
        // (N, min periods, max periods, retransmits) for .lan: 2·max(1, log10 N), ×12, 4·⌈log10(N+1)⌉
        (1, 2, 24, 4), (10, 2, 24, 8), (100, 4, 48, 12), (1000, 6, 72, 16), (9, 2, 24, 4), (99, 4, 48, 8),
    ])
    func lanFormulas(n: Int, minPeriods: Int, maxPeriods: Int, retransmits: Int) {
        let c = SWIM.Config.lan
        #expect(c.suspicionTimeoutMinTicks(memberCount: n) == SWIM.Tick(minPeriods) * c.probeIntervalTicks)
        #expect(c.suspicionTimeoutMaxTicks(memberCount: n) == SWIM.Tick(maxPeriods) * c.probeIntervalTicks)
        #expect(c.retransmitLimit(memberCount: n) == retransmits)
    }

    @Test(arguments: [(2, 0), (3, 0), (4, 2), (1000, 2)])
    func confirmationsNeedEnoughMembers(n: Int, expected: Int) {
        #expect(SWIM.Config.lan.expectedConfirmations(memberCount: n) == expected)
    }

    @Test(arguments: [SWIM.Config.lan, .local, .test])
    func presetsAreCoherent(_ c: SWIM.Config) {
        #expect(c.probeTimeoutTicks < c.probeIntervalTicks, "indirect probes need time left in the period")
        #expect(c.forwardTimeoutTicks < c.probeTimeoutTicks + (c.probeIntervalTicks - c.probeTimeoutTicks))
        #expect(c.tombstoneRetentionTicks > c.suspicionTimeoutMaxTicks(memberCount: 10_000) * 4)
    }
}

/// Anti-entropy scales its interval like memberlist's pushPullScale.
@Suite struct PushPullConfigTests {
    @Test(arguments: [(10, 30, 10), (32, 30, 10), (100, 90, 20), (1000, 180, 20)])
    func intervalAndCooldown(n: Int, intervalPeriods: Int, cooldownPeriods: Int) {
        #expect(SWIM.Config.lan.pushPullIntervalPeriods(memberCount: n) == intervalPeriods)
        #expect(SWIM.Config.lan.syncCooldownPeriods(memberCount: n) == cooldownPeriods)
    }
}
