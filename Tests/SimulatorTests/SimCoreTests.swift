import Testing
import YonkeCore
@testable import Simulator

@Suite struct EventQueueTests {
    @Test func popsEarliestFirstAndBreaksTiesByInsertionOrder() {
        var queue = EventQueue<String>()
        queue.schedule("c", at: .ms(5))
        queue.schedule("a", at: .ms(1))
        queue.schedule("b1", at: .ms(3))
        queue.schedule("b2", at: .ms(3))
        queue.schedule("b3", at: .ms(3))
        var order: [String] = []
        while let next = queue.pop() { order.append(next.event) }
        #expect(order == ["a", "b1", "b2", "b3", "c"])
        #expect(queue.now == .ms(5))
    }

    @Test func removeAllKeepsOrderOfTheRest() {
        var queue = EventQueue<Int>()
        for i in 0..<50 { queue.schedule(i, at: .ms(Int64(i % 7))) }
        queue.removeAll { $0 % 2 == 0 }
        var popped: [Int] = []
        while let next = queue.pop() { popped.append(next.event) }
        let expected = (0..<50).filter { $0 % 2 == 1 }.sorted { ($0 % 7, $0) < ($1 % 7, $1) }
        #expect(popped == expected)
    }
}

@Suite struct SimNetworkTests {
    @Test func sameSeedSameDeliveries() {
        func run() -> [[SimTime]] {
            var net = SimNetwork<Int, String>(conditions: NetworkConditions(
                latencyMin: .ms(1), latencyMax: .ms(20), lossProbability: 0.2,
                duplicateProbability: 0.1, reorderProbability: 0.3, reorderDelayMax: .ms(10)),
                generator: SeededGenerator(seed: 7))
            return (0..<200).map { net.send(from: $0 % 3, to: ($0 + 1) % 3, now: .ms(Int64($0))) }
        }
        #expect(run() == run())
    }

    @Test func asymmetricPartitionCutsOneDirectionOnly() {
        var net = SimNetwork<Int, String>(conditions: .lan, generator: SeededGenerator(seed: 1))
        net.block(from: [1], to: [2, 3])
        #expect(!net.isDeliverable(from: 1, to: 2))
        #expect(net.isDeliverable(from: 2, to: 1))
        #expect(net.send(from: 1, to: 3, now: .zero).isEmpty)
        net.heal()
        #expect(net.send(from: 1, to: 3, now: .zero).count == 1)
    }

    @Test func isolateThenReconnect() {
        var net = SimNetwork<Int, String>(conditions: .lan, generator: SeededGenerator(seed: 1))
        net.isolate(2, from: [1, 2, 3])
        #expect(!net.isDeliverable(from: 2, to: 1) && !net.isDeliverable(from: 3, to: 2))
        #expect(net.isDeliverable(from: 1, to: 3))
        net.reconnect(2)
        #expect(net.isHealed)
    }

    @Test(arguments: [0.0, 0.25, 0.5])
    func lossRateIsRoughlyTheConfiguredOne(loss: Double) {
        var net = SimNetwork<Int, Int>(conditions: NetworkConditions(latencyMin: .ms(1), latencyMax: .ms(1), lossProbability: loss),
                                       generator: SeededGenerator(seed: 3))
        let delivered = (0..<4_000).filter { _ in !net.send(from: 1, to: 2, now: .zero).isEmpty }.count
        #expect(abs(Double(4_000 - delivered) / 4_000 - loss) < 0.03)
    }
}

@Suite struct SimClockTests {
    @Test func fastClockFiresEarlyInGlobalTime() {
        let fast = SimClock(rate: 1.25)
        #expect(fast.globalDuration(ofLocal: .ms(10)) == .ms(8))
        #expect(fast.localTime(atGlobal: .ms(8)) == .ms(10))
    }
}

@Suite struct FaultPlanTests {
    /// Crashes stop once `crashableMax` nodes are down, so a run can still test liveness.
    @Test func neverCrashesMoreThanAllowed() {
        var rng = SeededGenerator(seed: 11)
        let plan = FaultPlan(conditions: .lan, faultIntervalMean: .ms(100), partitionWeight: 0, oneWayWeight: 0,
                             isolateWeight: 0, healWeight: 0, crashWeight: 1, conditionsWeight: 0,
                             clockDriftMax: 0, downtimeMin: .ms(1), downtimeMax: .ms(2))
        var up = [1, 2, 3, 4, 5]
        for _ in 0..<20 {
            if case .crash(let node) = plan.nextFault(nodes: [1, 2, 3, 4, 5], up: up, crashableMax: 2, using: &rng) {
                up.removeAll { $0 == node }
            }
        }
        #expect(up.count == 3)
    }

    @Test func samePlanFromSameSeed() {
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        #expect(FaultPlan.random(using: &a) == FaultPlan.random(using: &b))
        let plan = FaultPlan.random(using: &a)
        var x = SeededGenerator(seed: 9), y = SeededGenerator(seed: 9)
        let faultsX = (0..<50).map { _ in plan.nextFault(nodes: [1, 2, 3], up: [1, 2, 3], crashableMax: 1, using: &x) }
        let faultsY = (0..<50).map { _ in plan.nextFault(nodes: [1, 2, 3], up: [1, 2, 3], crashableMax: 1, using: &y) }
        #expect(faultsX == faultsY)
    }

    @Test func clocksDriftWithinTheBound() {
        var rng = SeededGenerator(seed: 2)
        var plan = FaultPlan.calm
        plan.clockDriftMax = 0.05
        for clock in plan.clocks(count: 100, using: &rng) {
            #expect(abs(clock.rate - 1) <= 0.05)
        }
    }
}
