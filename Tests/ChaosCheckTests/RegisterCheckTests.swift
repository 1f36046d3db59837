import Testing
@testable import Chaos

/// The per-file register model (Herlihy & Wing linearizability, restricted to
/// one process per file): acknowledged operations fix the value, failed
/// mutations may appear at any later time, reads must see an allowed value.
@Suite struct RegisterCheckTests {
    var clock: Int64 = 0

    mutating func op(_ kind: HistoryRecord.Kind, _ value: String?, _ outcome: HistoryRecord.Outcome = .ok,
                     path: String = "f") -> HistoryRecord {
        clock += 10
        return HistoryRecord(process: 0, kind: kind, path: path, value: value, invokeMillis: clock,
                             completeMillis: clock + 5, outcome: outcome)
    }

    @Test mutating func readsOfAcknowledgedWritesPass() {
        let history = [op(.read, nil), op(.write, "v1"), op(.read, "v1"), op(.write, "v2"), op(.read, "v2"),
                       op(.delete, nil), op(.read, nil)]
        #expect(RegisterCheck.violations(history).isEmpty)
    }

    @Test mutating func staleReadIsCaught() {
        let history = [op(.write, "v1"), op(.write, "v2"), op(.read, "v1")]
        let found = RegisterCheck.violations(history)
        #expect(found.count == 1 && found.first?.allowed == ["v2"])
    }

    @Test mutating func readOfDeletedFileIsCaught() {
        #expect(RegisterCheck.violations([op(.write, "v1"), op(.delete, nil), op(.read, "v1")]).count == 1)
    }

    @Test mutating func contentNeverWrittenIsCaught() {
        #expect(RegisterCheck.violations([op(.write, "v1"), op(.read, HistoryRecord.unknownValue)]).count == 1)
    }

    /// A failed write may land later, even after a read that did not see it, but only once.
    @Test mutating func failedWriteMayAppearLaterButOnlyOnce() {
        let history = [op(.write, "v1"), op(.write, "v2", .failed), op(.read, "v1"), op(.read, "v2"), op(.read, "v2")]
        #expect(RegisterCheck.violations(history).isEmpty)
        let resurrected = [op(.write, "v1"), op(.write, "v2", .failed), op(.read, "v2"), op(.write, "v3"), op(.read, "v2")]
        #expect(RegisterCheck.violations(resurrected).count == 1)
    }

    @Test mutating func failedReadsSayNothingAndFinalReadsFollowTheHistory() {
        let history = [op(.write, "v1"), op(.read, nil, .failed)]
        #expect(RegisterCheck.violations(history, finalReads: [op(.read, "v1")]).isEmpty)
        #expect(RegisterCheck.violations(history, finalReads: [op(.read, nil)]).count == 1)
    }

    @Test mutating func filesAreCheckedApart() {
        let history = [op(.write, "a1", path: "a"), op(.write, "b1", path: "b"), op(.read, "a1", path: "a"), op(.read, "a1", path: "b")]
        let found = RegisterCheck.violations(history)
        #expect(found.map(\.path) == ["b"])
    }
}

@Suite struct ElectionCheckTests {
    @Test func twoMastersInOneTermAreCaught() {
        let logs: [String: [Substring]] = [
            "m1": ["2026-11-27T12:20:57+0000 info yonke: master=m1 node=m1 term=2 [Node] master changed"],
            "m2": ["2026-11-27T12:20:57+0000 info yonke: master=m1 node=m2 term=2 [Node] master changed",
                   "2026-11-27T12:21:07+0000 info yonke: master=m2 node=m2 term=3 [Node] master changed"],
            "m3": ["2026-11-27T12:21:07+0000 info yonke: master=m3 node=m3 term=3 [Node] master changed",
                   "2026-11-27T12:21:08+0000 info yonke: master=unknown node=m3 term=4 [Node] master changed"],
        ]
        let summary = ElectionCheck.check(logs: logs)
        #expect(summary.terms == 2)
        #expect(summary.violations == [ElectionCheck.Violation(term: 3, masters: ["m2": ["m2"], "m3": ["m3"]])])
    }
}

@Suite struct FaultScheduleTests {
    @Test func sameSeedSameFaultsAndEveryFaultNamesRealNodes() {
        let nodes = ["m1", "m2", "m3", "w4", "w5"]
        var a = FaultSchedule(seed: 9, nodes: nodes, kinds: Fault.Kind.allCases)
        var b = FaultSchedule(seed: 9, nodes: nodes, kinds: Fault.Kind.allCases)
        var kinds: Set<String> = []
        for _ in 0..<200 {
            let fault = a.next()
            #expect(fault == b.next())
            kinds.insert(fault.kind.rawValue)
            switch fault {
            case let .partition(groups):
                #expect(groups.count == 2 && Set(groups.flatMap { $0 }) == Set(nodes) && groups[0].count <= 2)
            case let .bridge(sideA, middle, sideB):
                #expect(Set(sideA + middle + sideB) == Set(nodes) && middle.count == 1 && !sideA.isEmpty && !sideB.isEmpty)
            case let .oneWay(from, to):
                #expect(from != to && nodes.contains(from) && nodes.contains(to))
            default:
                break
            }
        }
        #expect(kinds.count == Fault.Kind.allCases.count)
    }
}
