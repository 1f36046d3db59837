import Testing
import YonkeCore
@testable import Placement

/// Unreferenced blocks wait out the grace period, oldest go first, a block
/// referenced again is forgotten, and nothing is collected twice at once.
@Suite struct GarbageTrackerTests {
    let a = BlockID(bytes: [UInt8](repeating: 1, count: 32))!
    let b = BlockID(bytes: [UInt8](repeating: 2, count: 32))!
    let c = BlockID(bytes: [UInt8](repeating: 3, count: 32))!

    @Test func graceThenOldestFirstWithinTheRoundLimit() {
        var tracker = Rebalance.GarbageTracker(graceMilliseconds: 1_000, perRoundMax: 1)
        #expect(tracker.step(held: [a, b, c], referenced: [c], nowMilliseconds: 0).isEmpty)
        #expect(tracker.step(held: [a, b, c], referenced: [c], nowMilliseconds: 500).isEmpty)
        #expect(tracker.tracked == 2)
        let first = tracker.step(held: [a, b, c], referenced: [c], nowMilliseconds: 1_000)
        #expect(first.count == 1)
        // The other one next round; the one in flight is not handed out again.
        let second = tracker.step(held: [a, b, c], referenced: [c], nowMilliseconds: 1_100)
        #expect(second.count == 1 && second != first)
        #expect(tracker.step(held: [a, b, c], referenced: [c], nowMilliseconds: 1_200).isEmpty)
        // A failed collection is retried once it is finished.
        tracker.onFinished(first[0])
        #expect(tracker.step(held: [a, b, c], referenced: [c], nowMilliseconds: 1_300) == first)
    }

    @Test func aBlockReferencedAgainStartsOver() {
        var tracker = Rebalance.GarbageTracker(graceMilliseconds: 1_000)
        _ = tracker.step(held: [a], referenced: [], nowMilliseconds: 0)
        _ = tracker.step(held: [a], referenced: [a], nowMilliseconds: 900)   // a put of the same content committed
        #expect(tracker.step(held: [a], referenced: [], nowMilliseconds: 1_500).isEmpty, "the clock restarted at 1500")
        #expect(tracker.step(held: [a], referenced: [], nowMilliseconds: 2_500) == [a])
    }

    @Test func blocksNoLongerHeldAreForgotten() {
        var tracker = Rebalance.GarbageTracker(graceMilliseconds: 0)
        #expect(tracker.step(held: [a, b], referenced: [], nowMilliseconds: 0).count == 2)
        #expect(tracker.step(held: [], referenced: [], nowMilliseconds: 10).isEmpty && tracker.tracked == 0)
    }
}
