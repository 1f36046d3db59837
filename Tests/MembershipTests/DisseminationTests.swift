import Testing
@testable import Membership

/// SWIM §4.1: each claim is piggybacked a bounded number of times, fresh
/// claims first.
@Suite struct DisseminationTests {
    @Test(arguments: [1, 4, 16])
    func eachClaimGoesOutExactlyLimitTimes(limit: Int) {
        var queue = SWIM.Dissemination()
        for i in 0..<30 { queue.enqueue(Fixture.claim("m\(i)", .dead, incarnation: 0)) }
        var sent: [String: Int] = [:]
        for _ in 0..<1000 {
            let batch = queue.take(budgetBytes: 100, limit: limit)
            if batch.isEmpty { break }
            #expect(Set(batch.map(\.id.name)).count == batch.count, "no claim twice in one message")
            for update in batch { sent[update.id.name, default: 0] += 1 }
        }
        #expect(queue.count == 0)
        #expect(sent.count == 30 && sent.values.allSatisfy { $0 == limit })
    }

    @Test func freshClaimsGoFirstAndReplaceOlderOnes() {
        var queue = SWIM.Dissemination()
        queue.enqueue(Fixture.claim("a", .suspect, incarnation: 0, accuser: "x"))
        queue.enqueue(Fixture.claim("b", .suspect, incarnation: 0, accuser: "x"))
        _ = queue.take(budgetBytes: 1000, limit: 5)
        queue.enqueue(Fixture.claim("c", .dead, incarnation: 0))
        queue.enqueue(Fixture.claim("a", .dead, incarnation: 0))
        #expect(queue.count == 3)
        let next = queue.take(budgetBytes: 1000, limit: 5)
        #expect(next.map(\.id.name) == ["a", "c", "b"], "never sent, newest first, then the rest")
        #expect(next.first?.status == .dead)
    }

    @Test func aClaimTooBigForWhatIsLeftIsSkippedNotDropped() {
        var queue = SWIM.Dissemination()
        queue.enqueue(Fixture.alive("big"))
        queue.enqueue(Fixture.claim("small", .dead, incarnation: 0))
        let first = queue.take(budgetBytes: 12, limit: 3)
        #expect(first.map(\.id.name) == ["small"])
        #expect(queue.contains(name: "big"))
    }
}
