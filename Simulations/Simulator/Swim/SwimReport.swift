import Foundation

/// Several seeds of one scenario, summed up as the one JSON line
/// `yonke-sim swim` ends with.
public struct SwimReport: Sendable {
    public var scenario: SwimScenario
    public var runs: [SwimRunResult]

    public init(scenario: SwimScenario, runs: [SwimRunResult]) {
        self.scenario = scenario
        self.runs = runs
    }

    public var detectionPeriods: [Double] { runs.flatMap(\.detectionPeriods).sorted() }
    public var detectionPeriodsMedian: Double { Self.median(detectionPeriods) }
    public var detectionPeriodsMax: Double { detectionPeriods.last ?? .nan }

    /// The breakdown: first suspicion, first death, then dissemination to all.
    public var firstSuspicionPeriods: [Double] { runs.flatMap(\.firstSuspicionPeriods).sorted() }
    public var firstDeadPeriods: [Double] { runs.flatMap(\.firstDeadPeriods).sorted() }

    static func median(_ sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
    public var falsePositives: Int { runs.map(\.falsePositives).reduce(0, +) }
    public var violations: [(seed: UInt64, message: String)] {
        runs.flatMap { run in run.violations.map { (run.seed, $0) } }
    }

    public var bytesPerMemberPerSecond: Double {
        runs.isEmpty ? 0 : runs.map(\.bytesPerMemberPerSecond).reduce(0, +) / Double(runs.count)
    }

    /// False positives per member per period while the network was whole,
    /// across all seeds (SWIM §5 reports it per member and period too).
    public var falsePositiveRate: Double {
        let memberPeriods = runs.map { Double(scenario.memberCount) * $0.wholeNetworkPeriods }.reduce(0, +)
        return memberPeriods > 0 ? Double(falsePositives) / memberPeriods : 0
    }

    public var convergencePeriodsMax: Double? { runs.compactMap(\.convergencePeriods).max() }

    /// `"1...5"` for a contiguous range (as typed on the command line), else a list.
    var seedsJSON: String {
        let seeds = runs.map(\.seed)
        if let first = seeds.first, seeds.count > 2, seeds == Array(first...(first + UInt64(seeds.count - 1))) {
            return "\"\(first)...\(first + UInt64(seeds.count - 1))\""
        }
        return "[\(seeds.map(String.init).joined(separator: ","))]"
    }

    public var json: String {
        func number(_ x: Double) -> String { x.isFinite ? String(format: "%.2f", x) : "null" }
        let fields: [(String, String)] = [
            ("members", "\(scenario.memberCount)"),
            ("loss", number(scenario.lossProbability)),
            ("seeds", seedsJSON),
            ("detectionPeriodsMedian", number(detectionPeriodsMedian)),
            ("detectionPeriodsMax", number(detectionPeriodsMax)),
            ("firstSuspicionPeriodsMedian", number(Self.median(firstSuspicionPeriods))),
            ("firstSuspicionPeriodsMax", number(firstSuspicionPeriods.last ?? .nan)),
            ("firstDeadPeriodsMedian", number(Self.median(firstDeadPeriods))),
            ("firstDeadPeriodsMax", number(firstDeadPeriods.last ?? .nan)),
            ("falsePositives", "\(falsePositives)"),
            ("falsePositiveRate", String(format: "%.3g", falsePositiveRate)),
            ("bytesPerMemberPerSecond", number(bytesPerMemberPerSecond)),
            ("convergencePeriodsMax", convergencePeriodsMax.map(number) ?? "null"),
            ("violations", "\(violations.count)"),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    public static func line(for run: SwimRunResult) -> String {
        func list(_ xs: [Double]) -> String { xs.map { String(format: "%.1f", $0) }.joined(separator: ",") }
        let detection = list(run.detectionPeriods)
        let convergence = run.convergencePeriods.map { String(format: "%.1f", $0) } ?? "-"
        return "seed \(run.seed): detection periods [\(detection)] (first suspicion [\(list(run.firstSuspicionPeriods))], "
            + "first dead [\(list(run.firstDeadPeriods))]) falsePositives \(run.falsePositives) "
            + String(format: "bytes/member/s %.0f", run.bytesPerMemberPerSecond)
            + " convergence \(convergence) periods, \(run.messagesSent) messages, "
            + String(format: "%.0f simulated s", run.simulatedSeconds)
            + " trace \(String(run.traceHash, radix: 16))"
            + "; bytes by kind " + run.bytesByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
