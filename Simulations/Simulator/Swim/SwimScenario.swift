import Membership

/// What one `yonke-sim swim` run does, seed aside. Phases, in SWIM periods:
/// warm-up (late joiners join through seeds, a few members publish new
/// metadata) → crash `crashFraction` of members and wait until every live
/// member marks them dead → partition the survivors in two → heal and wait
/// until every live member has the same, correct view.
public struct SwimScenario: Sendable {
    public var memberCount: Int
    public var lossProbability: Double
    public var config: SWIM.Config
    /// Presets assume 1 tick = 10 ms.
    public var tickMicroseconds: Int64
    public var latencyMinMicroseconds: Int64
    public var latencyMaxMicroseconds: Int64
    public var crashFraction: Double
    public var withPartition: Bool
    public var warmupPeriods: Int
    /// A crash not seen by everyone after this long is a liveness failure.
    public var detectionPeriodsMax: Int
    /// Long enough for both halves to declare each other dead.
    public var partitionPeriods: Int
    public var convergencePeriodsMax: Int

    public init(memberCount: Int, lossProbability: Double, config: SWIM.Config = .lan, withPartition: Bool = true) {
        self.memberCount = memberCount
        self.lossProbability = lossProbability
        self.config = config
        self.tickMicroseconds = 10_000
        self.latencyMinMicroseconds = 500
        self.latencyMaxMicroseconds = 2_000
        self.crashFraction = 0.01
        self.withPartition = withPartition
        self.warmupPeriods = 20
        let suspicionMaxPeriods = Int(config.suspicionTimeoutMaxTicks(memberCount: memberCount) / config.probeIntervalTicks)
        self.detectionPeriodsMax = suspicionMaxPeriods + 60
        self.partitionPeriods = suspicionMaxPeriods + 20
        self.convergencePeriodsMax = 2 * suspicionMaxPeriods + 120
    }

    /// 1 % of members, at least one.
    public var crashCount: Int { max(1, Int((Double(memberCount) * crashFraction).rounded())) }
    /// Members that join through seeds during warm-up (the rest start formed).
    public var lateJoinerCount: Int { memberCount >= 5 ? max(1, memberCount / 100) : 0 }
    public var metadataUpdaterCount: Int { min(5, max(1, memberCount / 10)) }
    public var periodMicroseconds: Int64 { Int64(config.probeIntervalTicks) * tickMicroseconds }
}

/// One seed's measurements.
public struct SwimRunResult: Sendable {
    public var seed: UInt64
    /// Per crashed member: periods from the crash until every live member marked it dead.
    public var detectionPeriods: [Double]
    /// Per crashed member: periods from the crash until the first live
    /// member suspected it (probe, then indirect probe, failed)...
    public var firstSuspicionPeriods: [Double]
    /// ...and until the first declared it dead (its suspicion timed out);
    /// the rest of `detectionPeriods` is the death's dissemination.
    public var firstDeadPeriods: [Double]
    /// Distinct running members declared dead by someone while the network was whole.
    public var falsePositives: Int
    /// (observer, subject) declarations behind `falsePositives`.
    public var falsePositiveDeclarations: Int
    /// How long false positives were counted: the network was whole.
    public var wholeNetworkPeriods: Double
    /// Encoded bytes sent per running member per simulated second, over the crash phase.
    public var bytesPerMemberPerSecond: Double
    /// Periods from the heal until all views agreed; nil without a partition or if never.
    public var convergencePeriods: Double?
    public var violations: [String]
    public var messagesSent: Int
    public var bytesByKind: [String: Int]
    public var simulatedSeconds: Double
    public var traceHash: UInt64
}
