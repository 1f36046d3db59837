import ArgumentParser
import Foundation
import Membership
import Simulator

struct SwimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swim",
        abstract: "Simulate SWIM membership: crash 1 % of members, partition, heal; check detection and convergence.",
        discussion: """
        Per seed: warm-up (late joiners, metadata updates), a crash of 1 % of members \
        (detection time, false positives, bandwidth), then a partition and a heal (convergence). \
        Ends with one JSON line; exits non-zero on any invariant violation.
        """)

    @Option(help: "Number of members.") var members = 100
    @Option(help: "Probability that a message is lost (0–1).") var loss = 0.0
    @Option(help: "Seeds: one (7), a range (1...5) or a list (1,4,9).") var seeds = "1"
    @Flag(inversion: .prefixedNo, help: "Partition and heal after the crash phase.") var partition = true

    func validate() throws {
        guard members >= 2 else { throw ValidationError("--members must be at least 2") }
        guard (0...1).contains(loss) else { throw ValidationError("--loss must be within 0...1") }
        guard (try? Self.parseSeeds(seeds)) != nil else { throw ValidationError("--seeds: expected 7, 1...5 or 1,4,9") }
    }

    static func parseSeeds(_ text: String) throws -> [UInt64] {
        struct Bad: Error {}
        if let range = text.range(of: "...") {
            guard let low = UInt64(text[..<range.lowerBound]), let high = UInt64(text[range.upperBound...]),
                  low <= high, high - low < 100_000 else { throw Bad() }
            return Array(low...high)
        }
        let list = text.split(separator: ",").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        guard !list.isEmpty, list.allSatisfy({ $0 != nil }) else { throw Bad() }
        return list.compactMap { $0 }
    }

    func run() throws {
        let scenario = SwimScenario(memberCount: members, lossProbability: loss, withPartition: partition)
        var runs: [SwimRunResult] = []
        for seed in try Self.parseSeeds(seeds) {
            var simulation = SwimSimulation(scenario: scenario, seed: seed)
            let result = simulation.run()
            print(SwimReport.line(for: result))
            for violation in result.violations {
                print("VIOLATION seed \(seed): \(violation)")
            }
            if !result.violations.isEmpty {
                print("reproduce: yonke-sim swim --members \(members) --loss \(loss) --seeds \(seed)\(partition ? "" : " --no-partition")")
            }
            runs.append(result)
        }
        let report = SwimReport(scenario: scenario, runs: runs)
        print(report.json)
        if !report.violations.isEmpty { throw ExitCode.failure }
    }
}
