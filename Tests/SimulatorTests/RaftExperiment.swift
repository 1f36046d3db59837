import Testing
import Consensus
import YonkeCore
@testable import Simulator

@Test func experimentCommitOldTerm() {
    for nodes in [3, 5] {
        for crashP in [0.01, 0.03] {
            var found: [UInt64] = []
            for seed in UInt64(1)...300 {
                var o = Simulation.RaftOptions(seed: seed, nodeCount: nodes)
                o.testingFaults = .commitOldTermByCounting
                o.crashAfterReplyProbability = crashP
                o.maxEntriesPerMessage = 1
                o.measureFailover = false
                let out = Simulation.runRaft(o)
                if let v = out.violation { found.append(seed); if found.count == 1 { print(v) } }
                if found.count >= 3 { break }
            }
            print("nodes \(nodes) crashP \(crashP): found \(found)")
        }
    }
}
