import YonkeCore

/// One fault the driver applies to a run. Generic over the node id so the
/// Raft and SWIM simulations draw from the same vocabulary.
public enum SimFault<Node: Hashable & Comparable & Sendable>: Hashable, Sendable, CustomStringConvertible {
    /// Symmetric split into groups.
    case partition([[Node]])
    /// `from` can no longer reach `to`; the reverse still works.
    case oneWay(from: [Node], to: [Node])
    /// One node cut off both ways (to be healed later).
    case isolate(Node)
    /// Every link restored.
    case heal
    /// The node loses everything it has not persisted.
    case crash(Node)
    case restart(Node)
    /// The wire gets better or worse.
    case conditions(NetworkConditions)

    public var description: String {
        switch self {
        case .partition(let groups): "partition \(groups.map { $0.map { "\($0)" }.joined(separator: ",") }.joined(separator: " | "))"
        case .oneWay(let from, let to): "one-way \(from.map { "\($0)" }.joined(separator: ",")) -x-> \(to.map { "\($0)" }.joined(separator: ","))"
        case .isolate(let node): "isolate \(node)"
        case .heal: "heal"
        case .crash(let node): "crash \(node)"
        case .restart(let node): "restart \(node)"
        case .conditions(let c): "network \(c)"
        }
    }
}

/// What one seed does to a cluster: the wire, the clocks, and how often
/// partitions and crashes strike. Everything is drawn from the seed, and the
/// plan is printed with a failing run so a reader knows what the run faced
/// (TigerBeetle's VOPR does the same).
public struct FaultPlan: Hashable, Sendable, CustomStringConvertible {
    public var conditions: NetworkConditions
    /// Mean gap between faults; the gap is uniform in [0.5, 1.5] × this.
    public var faultIntervalMean: SimTime
    /// Relative weights of fault kinds, drawn per plan so some seeds are
    /// crash-heavy and others partition-heavy.
    public var partitionWeight: Int
    public var oneWayWeight: Int
    public var isolateWeight: Int
    public var healWeight: Int
    public var crashWeight: Int
    public var conditionsWeight: Int
    /// Largest clock rate deviation, e.g. 0.05 for clocks ±5% off.
    public var clockDriftMax: Double
    /// How long a crashed node stays down, uniform in [downtimeMin, downtimeMax].
    public var downtimeMin: SimTime
    public var downtimeMax: SimTime

    public init(conditions: NetworkConditions, faultIntervalMean: SimTime,
                partitionWeight: Int, oneWayWeight: Int, isolateWeight: Int, healWeight: Int,
                crashWeight: Int, conditionsWeight: Int, clockDriftMax: Double,
                downtimeMin: SimTime, downtimeMax: SimTime) {
        self.conditions = conditions
        self.faultIntervalMean = faultIntervalMean
        self.partitionWeight = partitionWeight
        self.oneWayWeight = oneWayWeight
        self.isolateWeight = isolateWeight
        self.healWeight = healWeight
        self.crashWeight = crashWeight
        self.conditionsWeight = conditionsWeight
        self.clockDriftMax = clockDriftMax
        self.downtimeMin = downtimeMin
        self.downtimeMax = downtimeMax
    }

    /// No faults at all: for liveness baselines and failover measurements.
    public static let calm = FaultPlan(conditions: .lan, faultIntervalMean: .seconds(3600),
                                       partitionWeight: 0, oneWayWeight: 0, isolateWeight: 0, healWeight: 1,
                                       crashWeight: 0, conditionsWeight: 0, clockDriftMax: 0,
                                       downtimeMin: .ms(100), downtimeMax: .ms(100))

    /// Every fault kind, with rates drawn from `rng`.
    public static func random(using rng: inout SeededGenerator) -> FaultPlan {
        FaultPlan(conditions: randomConditions(using: &rng),
                  faultIntervalMean: .ms(Int64.random(in: 150...1_500, using: &rng)),
                  partitionWeight: Int.random(in: 0...4, using: &rng),
                  oneWayWeight: Int.random(in: 0...3, using: &rng),
                  isolateWeight: Int.random(in: 0...4, using: &rng),
                  healWeight: Int.random(in: 2...5, using: &rng),
                  crashWeight: Int.random(in: 0...5, using: &rng),
                  conditionsWeight: Int.random(in: 0...2, using: &rng),
                  clockDriftMax: Double.random(in: 0...0.1, using: &rng),
                  downtimeMin: .ms(Int64.random(in: 10...200, using: &rng)),
                  downtimeMax: .ms(Int64.random(in: 200...3_000, using: &rng)))
    }

    /// Latency up to 50 ms, loss up to 20%, duplication up to 10%, reordering up to 30%.
    public static func randomConditions(using rng: inout SeededGenerator) -> NetworkConditions {
        let latencyMaxUs = Int64.random(in: 1_000...50_000, using: &rng)
        let latencyMinUs = Int64.random(in: 100...latencyMaxUs, using: &rng)
        return NetworkConditions(latencyMin: SimTime(microseconds: latencyMinUs),
                                 latencyMax: SimTime(microseconds: latencyMaxUs),
                                 lossProbability: Double.random(in: 0...0.2, using: &rng),
                                 duplicateProbability: Double.random(in: 0...0.1, using: &rng),
                                 reorderProbability: Double.random(in: 0...0.3, using: &rng),
                                 reorderDelayMax: .ms(Int64.random(in: 1...50, using: &rng)))
    }

    /// A clock per node with rate in 1 ± clockDriftMax and a start offset up to 1 s.
    public func clocks(count: Int, using rng: inout SeededGenerator) -> [SimClock] {
        (0..<count).map { _ in
            let drift = clockDriftMax > 0 ? Double.random(in: -clockDriftMax...clockDriftMax, using: &rng) : 0
            return SimClock(rate: 1 + drift, offset: .ms(Int64.random(in: 0...1_000, using: &rng)))
        }
    }

    public func nextFaultDelay(using rng: inout SeededGenerator) -> SimTime {
        let mean = faultIntervalMean.microseconds
        return SimTime(microseconds: Int64.random(in: mean / 2...mean * 3 / 2, using: &rng))
    }

    public func downtime(using rng: inout SeededGenerator) -> SimTime {
        SimTime(microseconds: Int64.random(in: downtimeMin.microseconds...max(downtimeMin.microseconds, downtimeMax.microseconds), using: &rng))
    }

    /// Draws the next fault. `up` are the running nodes (sorted by the caller
    /// or not: they are sorted here); crashes never take down more than
    /// `crashableMax` nodes at once, so a run can test liveness afterwards.
    public func nextFault<Node>(nodes: [Node], up: [Node], crashableMax: Int,
                                using rng: inout SeededGenerator) -> SimFault<Node> {
        let all = nodes.sorted()
        let running = up.sorted()
        let weights = [partitionWeight, oneWayWeight, isolateWeight, healWeight,
                       running.count > all.count - crashableMax ? crashWeight : 0, conditionsWeight]
        let total = weights.reduce(0, +)
        guard total > 0, !all.isEmpty else { return .heal }
        var pick = Int.random(in: 0..<total, using: &rng)
        var kind = 0
        while pick >= weights[kind] { pick -= weights[kind]; kind += 1 }
        switch kind {
        case 0:
            let shuffled = all.shuffled(using: &rng)
            let cut = Int.random(in: 1..<max(2, all.count), using: &rng)
            return .partition([Array(shuffled[..<cut]).sorted(), Array(shuffled[cut...]).sorted()])
        case 1:
            let shuffled = all.shuffled(using: &rng)
            let cut = Int.random(in: 1..<max(2, all.count), using: &rng)
            return .oneWay(from: Array(shuffled[..<cut]).sorted(), to: Array(shuffled[cut...]).sorted())
        case 2:
            return .isolate(all.randomElement(using: &rng)!)
        case 3:
            return .heal
        case 4:
            return .crash(running.randomElement(using: &rng)!)
        default:
            return .conditions(Self.randomConditions(using: &rng))
        }
    }

    public var description: String {
        "\(conditions); fault every ~\(faultIntervalMean) weights partition \(partitionWeight) one-way \(oneWayWeight) isolate \(isolateWeight) heal \(healWeight) crash \(crashWeight) net \(conditionsWeight); drift ±\(clockDriftMax); downtime \(downtimeMin)...\(downtimeMax)"
    }
}
