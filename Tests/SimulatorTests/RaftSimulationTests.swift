import Testing
import Consensus
import YonkeCore
@testable import Simulator

/// The simulator as the main test of Raft: seeds with every fault kind, replay,
/// and proof that it catches deliberately broken variants.
@Suite struct RaftSimulationTests {
    /// CI's share of seeds (the benchmark runs 1,000+): safety, liveness after
    /// healing, and the leader-crash failover, for 5- and 3-node clusters.
    @Test(arguments: [(5, UInt64(1)...UInt64(120)), (3, UInt64(1001)...UInt64(1080))])
    func seedsRunWithoutViolation(nodes: Int, seeds: ClosedRange<UInt64>) {
        for seed in seeds {
            let outcome = Simulation.runRaft(Simulation.RaftOptions(seed: seed, nodeCount: nodes))
            #expect(outcome.violation == nil, "seed \(seed): \(outcome.violation!) — replay with yonke-sim raft --seed \(seed) --nodes \(nodes) --trace")
            #expect(outcome.acknowledged > 0, "seed \(seed) committed nothing")
        }
    }

    @Test func huntingProfilePassesOnCorrectRaft() {
        for seed in UInt64(1)...UInt64(15) {
            let outcome = Simulation.runRaft(.hunting(seed: seed, nodeCount: 5))
            #expect(outcome.violation == nil, "seed \(seed): \(outcome.violation!)")
        }
    }

    /// The same seed replays the same run exactly: identical trace hashes,
    /// with and without readable trace lines.
    @Test(arguments: [UInt64(42), 7, 1234])
    func sameSeedSameTrace(seed: UInt64) {
        var options = Simulation.RaftOptions(seed: seed, nodeCount: 5)
        let first = Simulation.runRaft(options)
        let second = Simulation.runRaft(options)
        #expect(first.traceHash == second.traceHash)
        #expect(first.events == second.events)
        #expect(first.failoverMs == second.failoverMs)
        options.traceLines = true
        let tracedA = Simulation.runRaft(options)
        let tracedB = Simulation.runRaft(options)
        #expect(tracedA.traceHash == tracedB.traceHash)
        #expect(tracedA.lastTraceLines == tracedB.lastTraceLines)
        #expect(tracedA.events == first.events, "trace lines must not change the run")
        let other = Simulation.runRaft(Simulation.RaftOptions(seed: seed + 1, nodeCount: 5))
        #expect(other.traceHash != first.traceHash)
    }

    /// Each broken variant must be caught as a safety violation within a few
    /// hundred seeds of the hunting profile (the first catch is typically
    /// within 40 seeds; see README for rates).
    @Test(arguments: [
        (Raft.TestingFaults.commitOldTermByCounting, 3),
        (Raft.TestingFaults.commitOldTermByCounting, 5),
        (Raft.TestingFaults.skipUpToDateCheck, 5),
        (Raft.TestingFaults.forgetPersistingVote, 5),
        (Raft.TestingFaults.readWithoutQuorumCheck, 5),
    ])
    func brokenVariantIsCaught(fault: Raft.TestingFaults, nodes: Int) {
        var caught: (UInt64, Simulation.RaftViolation)?
        for seed in UInt64(1)...UInt64(300) {
            var options = Simulation.RaftOptions.hunting(seed: seed, nodeCount: nodes)
            options.testingFaults = fault
            if let violation = Simulation.runRaft(options).violation {
                caught = (seed, violation)
                break
            }
        }
        guard let (seed, violation) = caught else {
            Issue.record("broken variant \(fault) survived 300 seeds")
            return
        }
        #expect(violation.kind != .liveness, "seed \(seed): caught only as \(violation)")
        print("variant \(fault.rawValue) on \(nodes) nodes caught at seed \(seed): \(violation)")
    }

    /// §9.3 of the thesis reports elections within about the minimum timeout
    /// plus a few round trips; with 150–300 ms timeouts the measured failover
    /// must sit in that band (less than 150 ms only through clock drift).
    @Test func failoverTimeIsWithinTheElectionTimeoutBand() {
        var samples: [Double] = []
        for seed in UInt64(1)...UInt64(20) {
            if let ms = Simulation.runRaft(Simulation.RaftOptions(seed: seed, nodeCount: 5)).failoverMs { samples.append(ms) }
        }
        #expect(samples.count >= 15)
        samples.sort()
        let median = samples[samples.count / 2]
        #expect(median > 130 && median < 400, "median failover \(median) ms")
    }
}
