import ArgumentParser
import Consensus
import Foundation
import Simulator

struct RaftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raft",
        abstract: "Simulate Raft clusters under partitions, loss, duplication, reordering, crashes and clock skew.",
        discussion: """
        Each seed: a safety phase with faults (invariants checked after every event), a liveness \
        phase on a healed network, then a leader crash to time failover. Ends with one JSON line.
        Reproduce a failure with `yonke-sim raft --seed <n> --trace`.
        """)

    @Option(help: "Seed range, e.g. 1...1000.") var seeds: String?
    @Option(help: "One seed.") var seed: UInt64?
    @Option(help: "Nodes per cluster.") var nodes: Int = 5
    @Flag(help: "Print the full readable trace of each run (use with --seed).") var trace = false
    @Option(help: "Simulated seconds of faults before healing.") var safetySeconds: Int64 = 6
    @Option(help: "Fix entries per append message (and one append in flight) instead of drawing it from the seed.")
    var batch: Int?
    @Option(help: "Fix the chance that a node crashes right after answering (instead of drawing it from the seed).")
    var crashAfterReply: Double?
    @Flag(help: "Skip the leader-crash failover measurement.") var noFailover = false
    @Flag(help: "Bug-hunting profile: 20 s of faults, crashes around 5% of replies, one entry per append.")
    var hunt = false
    @Option(help: "Test-only broken variants, comma separated: commit-old-term, skip-up-to-date, forget-vote, read-without-quorum.")
    var breakRaft: String?

    func run() throws {
        let range = try seedRange()
        let faults = try parseFaults()
        var violations = 0
        var acknowledged = 0
        var reads = 0
        var faultCounts: [String: Int] = [:]
        var simulatedSeconds = 0.0
        var failovers: [Double] = []
        let clock = ContinuousClock()
        let start = clock.now
        for s in range {
            var options = hunt ? Simulation.RaftOptions.hunting(seed: s, nodeCount: nodes)
                               : Simulation.RaftOptions(seed: s, nodeCount: nodes)
            if !hunt { options.safetyDuration = .seconds(safetySeconds) }
            options.testingFaults = faults
            if let batch { options.maxEntriesPerMessage = batch }
            if let crashAfterReply { options.crashAfterReplyProbability = crashAfterReply }
            if noFailover { options.measureFailover = false }
            options.traceLines = trace
            options.echoTrace = trace
            let outcome = Simulation.runRaft(options)
            acknowledged += outcome.acknowledged
            reads += outcome.readsServed
            faultCounts.merge(outcome.faultCounts, uniquingKeysWith: +)
            simulatedSeconds += outcome.simulatedTime.seconds
            if let ms = outcome.failoverMs { failovers.append(ms) }
            if let violation = outcome.violation {
                violations += 1
                report(violation, options: options, outcome: outcome)
            } else if trace {
                print("seed \(s): ok, trace hash \(String(outcome.traceHash, radix: 16)), failover \(outcome.failoverMs.map { "\($0) ms" } ?? "-")")
            }
        }
        let wall = clock.now - start
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        failovers.sort()
        let summary: [String: Any] = [
            "seeds": range.count,
            "nodes": nodes,
            "violations": violations,
            "runsPerSecond": round2(Double(range.count) / wallSeconds),
            "simulatedSecondsPerWallSecond": round2(simulatedSeconds / wallSeconds),
            "failoverMsMedian": failovers.isEmpty ? 0 : round2(failovers[failovers.count / 2]),
            "failoverMsP90": failovers.isEmpty ? 0 : round2(failovers[failovers.count * 9 / 10]),
            "commitsPerWallSecond": round2(Double(acknowledged) / wallSeconds),
            "wallSeconds": round2(wallSeconds),
            "linearizableReadsChecked": reads,
            "commits": acknowledged,
            "faults": faultCounts,
        ]
        let json = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
        if violations > 0 { throw ExitCode.failure }
    }

    private func report(_ violation: Simulation.RaftViolation, options: Simulation.RaftOptions, outcome: Simulation.RaftOutcome) {
        print("VIOLATION seed \(options.seed): \(violation)")
        print("  plan: \(outcome.plan)")
        guard !trace else { return }
        // Replay the same seed with trace lines on: same seed, same run.
        var replay = options
        replay.traceLines = true
        let traced = Simulation.runRaft(replay)
        print("  last events (replay with `\(replayCommand(seed: options.seed))`):")
        for line in traced.lastTraceLines.suffix(25) { print("    \(line)") }
    }

    /// This invocation's arguments with the seed range replaced by one seed and `--trace`.
    private func replayCommand(seed: UInt64) -> String {
        var args: [String] = []
        var skipNext = false
        for arg in CommandLine.arguments.dropFirst() {
            if skipNext { skipNext = false; continue }
            if arg == "--seeds" || arg == "--seed" { skipNext = true; continue }
            if arg.hasPrefix("--seeds=") || arg.hasPrefix("--seed=") || arg == "--trace" { continue }
            args.append(arg)
        }
        return (["yonke-sim"] + args + ["--seed", "\(seed)", "--trace"]).joined(separator: " ")
    }

    private func seedRange() throws -> [UInt64] {
        if let seed { return [seed] }
        guard let text = seeds else { return Array(1...100) }
        let parts = text.components(separatedBy: "...")
        guard parts.count == 2, let lo = UInt64(parts[0]), let hi = UInt64(parts[1]), lo <= hi else {
            if let single = UInt64(text) { return [single] }
            throw ValidationError("--seeds wants A...B, got \(text)")
        }
        return Array(lo...hi)
    }

    private func parseFaults() throws -> Raft.TestingFaults {
        guard let breakRaft else { return [] }
        var faults: Raft.TestingFaults = []
        for name in breakRaft.split(separator: ",") {
            switch name {
            case "commit-old-term": faults.insert(.commitOldTermByCounting)
            case "skip-up-to-date": faults.insert(.skipUpToDateCheck)
            case "forget-vote": faults.insert(.forgetPersistingVote)
            case "read-without-quorum": faults.insert(.readWithoutQuorumCheck)
            default: throw ValidationError("unknown --break-raft variant \(name)")
            }
        }
        return faults
    }

    private func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
}
