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
    @Option(help: "Override the .lan preset's suspicionMult (tuning experiments).") var suspicionMult: Double?
    @Option(help: "Override the .lan preset's suspicionMaxTimeoutMult.") var suspicionMaxTimeoutMult: Double?
    @Option(help: "Override the .lan preset's retransmitMult.") var retransmitMult: Int?
    @Option(help: "Override the .lan preset's suspicionConfirmations.") var suspicionConfirmations: Int?
    @Option(help: "Override the .lan preset's gossipIntervalTicks (0 disables gossip pushes).") var gossipIntervalTicks: UInt64?
    @Option(help: "Override the .lan preset's gossipFanout.") var gossipFanout: Int?

    func validate() throws {
        guard members >= 2 else { throw ValidationError("--members must be at least 2") }
        guard (0...1).contains(loss) else { throw ValidationError("--loss must be within 0...1") }
        if let suspicionMult, !(suspicionMult >= 1 && suspicionMult <= 100) { throw ValidationError("--suspicion-mult must be within 1...100") }
        if let suspicionMaxTimeoutMult, !(suspicionMaxTimeoutMult >= 1 && suspicionMaxTimeoutMult <= 100) {
            throw ValidationError("--suspicion-max-timeout-mult must be within 1...100")
        }
        if let retransmitMult, !(1...100).contains(retransmitMult) { throw ValidationError("--retransmit-mult must be within 1...100") }
        if let suspicionConfirmations, !(0...100).contains(suspicionConfirmations) {
            throw ValidationError("--suspicion-confirmations must be within 0...100")
        }
        if let gossipIntervalTicks, gossipIntervalTicks > 10_000 { throw ValidationError("--gossip-interval-ticks must be within 0...10000") }
        if let gossipFanout, !(0...100).contains(gossipFanout) { throw ValidationError("--gossip-fanout must be within 0...100") }
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
        var config = SWIM.Config.lan
        if let suspicionMult { config.suspicionMult = suspicionMult }
        if let suspicionMaxTimeoutMult { config.suspicionMaxTimeoutMult = suspicionMaxTimeoutMult }
        if let retransmitMult { config.retransmitMult = retransmitMult }
        if let suspicionConfirmations { config.suspicionConfirmations = suspicionConfirmations }
        if let gossipIntervalTicks { config.gossipIntervalTicks = gossipIntervalTicks }
        if let gossipFanout { config.gossipFanout = gossipFanout }
        let scenario = SwimScenario(memberCount: members, lossProbability: loss, config: config, withPartition: partition)
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
