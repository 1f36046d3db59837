import Testing
import Membership
@testable import Simulator

/// The `yonke-sim swim` scenario at CI scale: SWIM §5 (detection time,
/// false positives) and the convergence-after-heal invariant. The
/// 1,000-member figures come from a release build (see the README).
@Suite struct SwimSimulationTests {
    static func run(members: Int, loss: Double, seed: UInt64, partition: Bool = true) -> SwimRunResult {
        var simulation = SwimSimulation(
            scenario: SwimScenario(memberCount: members, lossProbability: loss, withPartition: partition), seed: seed)
        return simulation.run()
    }

    @Test(arguments: [0.0, 0.05, 0.10], 1...25 as ClosedRange<UInt64>)
    func tenMembersHoldTheInvariants(loss: Double, seed: UInt64) {
        let result = Self.run(members: 10, loss: loss, seed: seed)
        #expect(result.violations.isEmpty, "reproduce: yonke-sim swim --members 10 --loss \(loss) --seeds \(seed)")
        #expect(result.detectionPeriods.count == 1, "one crash (1 %, at least one) detected")
        #expect(result.convergencePeriods != nil)
        if loss == 0 { #expect(result.falsePositives == 0) }
    }

    @Test(arguments: [0.0, 0.05], 1...3 as ClosedRange<UInt64>)
    func fortyMembersHoldTheInvariants(loss: Double, seed: UInt64) {
        let result = Self.run(members: 40, loss: loss, seed: seed)
        #expect(result.violations.isEmpty, "reproduce: yonke-sim swim --members 40 --loss \(loss) --seeds \(seed)")
        // Lifeguard bounds: at least the minimum suspicion timeout, well
        // under the unconfirmed maximum plus a round of probing.
        let config = SWIM.Config.lan
        let minPeriods = Double(config.suspicionTimeoutMinTicks(memberCount: 40) / config.probeIntervalTicks)
        let maxPeriods = Double(config.suspicionTimeoutMaxTicks(memberCount: 40) / config.probeIntervalTicks)
        for periods in result.detectionPeriods {
            #expect(periods >= minPeriods && periods < maxPeriods + 40, "detection took \(periods) periods")
        }
        #expect(result.bytesPerMemberPerSecond > 0 && result.bytesPerMemberPerSecond < 2_000)
    }

    @Test func oneSeedReplaysBitForBit() {
        let first = Self.run(members: 20, loss: 0.05, seed: 42)
        let second = Self.run(members: 20, loss: 0.05, seed: 42)
        #expect(first.traceHash == second.traceHash)
        #expect(first.detectionPeriods == second.detectionPeriods)
        #expect(first.messagesSent == second.messagesSent)
        let other = Self.run(members: 20, loss: 0.05, seed: 43)
        #expect(other.traceHash != first.traceHash, "the trace hash actually depends on the run")
    }

    /// The checker must be able to fail: a deadline no protocol can meet is
    /// reported as a violation, with the seed, instead of passing quietly.
    @Test func anImpossibleDeadlineIsAViolation() {
        var scenario = SwimScenario(memberCount: 10, lossProbability: 0, withPartition: false)
        scenario.detectionPeriodsMax = 1
        var simulation = SwimSimulation(scenario: scenario, seed: 1)
        let result = simulation.run()
        #expect(result.violations.contains { $0.contains("not seen by all") })
        let report = SwimReport(scenario: scenario, runs: [result])
        #expect(report.json.contains("\"violations\":1"))
    }

    /// Without Lifeguard's refutations, a lossless network still must not
    /// accuse anyone: the loss-free false-positive check is live.
    @Test func falsePositivesAreCountedAsViolationsWithoutLoss() {
        var scenario = SwimScenario(memberCount: 10, lossProbability: 0, withPartition: false)
        // A probe timeout shorter than the network's round trip makes healthy
        // members look dead: exactly what the check exists to catch.
        scenario.latencyMinMicroseconds = 40_000
        scenario.latencyMaxMicroseconds = 60_000
        scenario.config.probeTimeoutTicks = 2
        scenario.config.probeIntervalTicks = 4
        scenario.config.awarenessMax = 1
        var simulation = SwimSimulation(scenario: scenario, seed: 3)
        let result = simulation.run()
        #expect(result.falsePositives > 0)
        #expect(result.violations.contains { $0.contains("lossless") })
    }

    @Test func theReportSummarisesSeeds() {
        let scenario = SwimScenario(memberCount: 10, lossProbability: 0)
        let runs = (1...3 as ClosedRange<UInt64>).map { seed -> SwimRunResult in
            var run = Self.run(members: 10, loss: 0, seed: seed)
            run.detectionPeriods = [Double(seed)]
            return run
        }
        let report = SwimReport(scenario: scenario, runs: runs)
        #expect(report.detectionPeriodsMedian == 2)
        #expect(report.detectionPeriodsMax == 3)
        #expect(report.json.hasPrefix("{\"members\":10,"))
        #expect(report.json.contains("\"detectionPeriodsMedian\":2.00"))
        #expect(report.json.contains("\"seeds\":\"1...3\""))
    }
}
