import Testing
@testable import Transport

@Suite struct FaultInjectorTests {
    @Test func offUntilARuleIsSet() {
        let faults = FaultInjector(seed: 1)
        #expect(faults.verdict(peer: "w1", direction: .outbound) == .deliver)
        faults.isolate(["w1"])
        #expect(faults.verdict(peer: "w1", direction: .outbound) == .drop)
        #expect(faults.verdict(peer: "w1", direction: .inbound) == .drop)
        #expect(faults.verdict(peer: "w2", direction: .outbound) == .deliver)
        faults.clear(peer: "w1")
        #expect(faults.verdict(peer: "w1", direction: .inbound) == .deliver)
    }

    @Test func oneWayDropLeavesTheOtherWay() {
        let faults = FaultInjector(seed: 1)
        faults.set(.dropAll, peer: "w1", direction: .outbound)
        #expect(faults.verdict(peer: "w1", direction: .outbound) == .drop)
        #expect(faults.verdict(peer: "w1", direction: .inbound) == .deliver)
    }

    @Test func delayApplies() {
        let faults = FaultInjector(seed: 1)
        faults.set(.init(delayMilliseconds: 40), peer: "w1")
        #expect(faults.verdict(peer: "w1", direction: .inbound) == .delay(milliseconds: 40))
    }

    @Test(arguments: [10, 50, 90])
    func lossIsNearItsPercentAndReplaysFromTheSeed(percent: Int) {
        func run(seed: UInt64) -> [FaultInjector.Verdict] {
            let faults = FaultInjector(seed: seed)
            faults.set(.init(lossPercent: percent), peer: "w1")
            return (0..<2_000).map { _ in faults.verdict(peer: "w1", direction: .outbound) }
        }
        let verdicts = run(seed: 42)
        #expect(verdicts == run(seed: 42))
        #expect(verdicts != run(seed: 43))
        let dropped = verdicts.filter { $0 == .drop }.count
        #expect(abs(dropped - 20 * percent) < 150, "dropped \(dropped) of 2000 at \(percent)%")
    }
}
