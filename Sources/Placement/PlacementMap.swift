import YonkeCore

extension Placement {
    /// Where blocks of one tier go, for one set of members. Built once per
    /// member set (a join, a loss, a drain, a capacity or reliability change);
    /// then `replicas(for:)` is a pure function of the block id.
    public struct Map: Sendable {
        public struct Entry: Sendable, Equatable {
            public let name: String
            public let rack: String
            /// Free bytes in the tier × reliability factor.
            public let weight: Double
            /// The share of all replicas this machine should hold (sums to 1).
            public let targetShare: Double
            /// The corrected straw2 weight (see `Placement`).
            public let drawWeight: Double
            public let isReliable: Bool
            let key: UInt64
        }

        public enum Correction: Sendable, Equatable {
            /// Fixed point on the exact inclusion probabilities.
            case exact(iterations: Int, worstRelativeError: Double)
            /// Closed form for clusters too large to enumerate.
            case closedForm
            /// One machine or fewer machines than replicas: everyone holds every block.
            case none
        }

        public let tier: Tier
        /// Replicas per block: the configured factor, or fewer when fewer machines are eligible.
        public let replicas: Int
        /// Eligible machines, sorted by name.
        public let entries: [Entry]
        public let racks: [String]
        public let replicasPerRackMax: Int
        public let correction: Correction
        let rules: Rules

        /// Ordered picks enumerated per fixed-point step; beyond this the closed form is used.
        static let exactPickBudget = 100_000

        /// - Parameter previous: the map this one replaces (same tier). Its corrected
        ///   weights are kept for every member whose share stays within
        ///   `config.weightSetTolerance`, so that a change moves little more than
        ///   it must; without it the weight set is solved afresh and exactly.
        ///   Like Ceph's weight-set, the result then depends on the history of
        ///   maps, so the master stores each map's weights in the catalog.
        public init(members: [Member], tier: Tier, config: Config, previous: Map? = nil) {
            let names = members.map(\.name)
            invariant(Set(names).count == names.count, "placement members must have distinct names: \(names.sorted())")
            invariant(config.replicationFactor >= 1, "replication factor must be at least 1: \(config.replicationFactor)")
            var eligible = members
                .filter { !$0.isDraining && $0.freeBytes(for: tier) >= max(1, config.fullBelowBytes) }
                .sorted { $0.name < $1.name }
            if tier == .glacier {
                let keep = min(eligible.count, max(config.replicationFactor,
                                                   Int((config.glacierMachineShare * Double(eligible.count)).rounded(.up))))
                let largest = eligible.sorted { ($0.capacityBytes, $1.name) > ($1.capacityBytes, $0.name) }.prefix(keep)
                let kept = Set(largest.map(\.name))
                eligible = eligible.filter { kept.contains($0.name) }
            }
            self.tier = tier
            let replicas = min(config.replicationFactor, eligible.count)
            self.replicas = replicas
            let racks = Array(Set(eligible.map(\.rack))).sorted()
            self.racks = racks
            let rackIndex = Dictionary(uniqueKeysWithValues: racks.enumerated().map { ($1, $0) })
            let weights = eligible.map { Double($0.freeBytes(for: tier)) * Reliability.weightFactor(score: $0.reliability) }
            let inclusion = Self.targetInclusion(weights: weights, replicas: replicas)
            let rackOf = eligible.map { rackIndex[$0.rack]! }
            let cap = Self.replicasPerRack(inclusion: inclusion, rackOf: rackOf, rackCount: racks.count, replicas: replicas)
            self.replicasPerRackMax = cap
            let isReliable = eligible.map { $0.reliability >= config.reliabilityThreshold }
            let rules = Rules(rackOf: rackOf, isReliable: isReliable, rackCount: racks.count, replicas: replicas, replicasPerRackMax: cap)
            self.rules = rules
            let previousWeights: [Double?] = eligible.map { member in
                guard let previous, previous.replicasPerRackMax == cap, previous.replicas == replicas else { return nil }
                return previous.entry(named: member.name)?.drawWeight
            }
            let (drawWeights, correction) = WeightSet.solve(
                targets: inclusion, rules: rules, pickBudget: Self.exactPickBudget, previous: previousWeights,
                tolerance: previous == nil ? WeightSet.exactTolerance : config.weightSetTolerance)
            self.correction = correction
            self.entries = eligible.indices.map { i in
                Entry(name: eligible[i].name, rack: eligible[i].rack, weight: weights[i],
                      targetShare: replicas == 0 ? 0 : inclusion[i] / Double(replicas),
                      drawWeight: drawWeights[i], isReliable: isReliable[i], key: StableHash.hash(eligible[i].name))
            }
        }

        /// The machines that should hold `block`, best first.
        public func replicas(for block: BlockID) -> [String] {
            replicaIndices(blockHash: StableHash.hash(block.bytes)).map { entries[$0].name }
        }

        public func replicaIndices(blockHash: UInt64) -> [Int] {
            guard replicas > 0 else { return [] }
            var draws: [Double] = []
            draws.reserveCapacity(entries.count)
            for entry in entries {
                let u = StableHash.unitInterval(StableHash.combine(blockHash, entry.key))
                draws.append(StableMath.ln(u) / entry.drawWeight)
            }
            var state = rules.start(memberCount: entries.count)
            for _ in 0..<replicas {
                var best = -1
                for i in entries.indices where rules.allows(i, in: state) {
                    // Ties go to the earlier name: deterministic.
                    if best < 0 || draws[i] > draws[best] { best = i }
                }
                invariant(best >= 0, "no machine allowed for pick \(state.chosen.count + 1) of \(replicas); chosen \(state.chosen)")
                rules.take(best, into: &state)
            }
            return state.chosen
        }

        public func entry(named name: String) -> Entry? {
            entries.first { $0.name == name }
        }

        /// Each machine's expected share of replicas under the corrected weights,
        /// computed exactly (no sampling) when the cluster is small enough.
        public func modelShares() -> [Double]? {
            guard replicas > 0, case .exact = correction else { return nil }
            return WeightSet.inclusion(weights: entries.map(\.drawWeight), rules: rules).map { $0 / Double(replicas) }
        }

        /// Expected replicas per block for each machine: `replicas · weight share`,
        /// except that none can exceed 1; the excess is spread over the rest.
        static func targetInclusion(weights: [Double], replicas: Int) -> [Double] {
            var result = Array(repeating: 0.0, count: weights.count)
            var capped = Array(repeating: false, count: weights.count)
            var budget = Double(replicas)
            for _ in 0...weights.count {
                let free = weights.indices.filter { !capped[$0] }
                let total = free.reduce(0.0) { $0 + weights[$1] }
                guard total > 0 else { break }
                var changed = false
                for i in free {
                    result[i] = budget * weights[i] / total
                    if result[i] > 1 {
                        capped[i] = true
                        result[i] = 1
                        changed = true
                    }
                }
                guard changed else { break }
                budget = Double(replicas) - Double(capped.filter { $0 }.count)
            }
            return result
        }

        /// The smallest per-rack cap that the racks' shares allow (see `Placement`).
        static func replicasPerRack(inclusion: [Double], rackOf: [Int], rackCount: Int, replicas: Int) -> Int {
            guard rackCount >= 2, replicas >= 2 else { return max(replicas, 1) }
            var rackLoad = Array(repeating: 0.0, count: rackCount)
            var rackSize = Array(repeating: 0, count: rackCount)
            for (i, rack) in rackOf.enumerated() {
                rackLoad[rack] += inclusion[i]
                rackSize[rack] += 1
            }
            let lowest = (replicas + rackCount - 1) / rackCount
            for cap in lowest..<replicas {
                let fits = rackLoad.allSatisfy { $0 <= Double(cap) + 1e-9 }
                let room = rackSize.reduce(0) { $0 + min($1, cap) }
                if fits && room >= replicas { return cap }
            }
            return replicas - 1
        }
    }
}
