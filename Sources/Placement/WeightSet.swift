import YonkeCore

extension Placement {
    /// Corrected straw2 weights whose inclusion probabilities match the targets
    /// (Ceph's weight-set, computed here rather than measured).
    enum WeightSet {
        static let iterationsMax = 200
        static let tolerance = 1e-7

        static func solve(targets: [Double], rules: Rules, pickBudget: Int) -> ([Double], Map.Correction) {
            let n = targets.count
            let replicas = rules.replicas
            // −ln(1−p): the rate at which an exponential clock rings before the race's
            // threshold with probability p. Exact for a race without rack rules and
            // a good start for the fixed point.
            var weights = targets.map { -StableMath.ln(max(1e-12, 1 - min($0, 1 - 1e-9))) }
            guard n > replicas, replicas > 0 else { return (weights.map { _ in 1 }, .none) }
            guard orderedPicks(members: n, replicas: replicas) <= pickBudget else { return (normalized(weights), .closedForm) }
            let start = weights
            var worst = Double.infinity
            var iterations = 0
            while iterations < iterationsMax {
                let actual = inclusion(weights: weights, rules: rules)
                worst = 0
                for i in 0..<n where targets[i] > 0 {
                    worst = max(worst, abs(actual[i] / targets[i] - 1))
                }
                if worst < tolerance { break }
                iterations += 1
                for i in 0..<n where actual[i] > 0 {
                    // Damped against overshoot; bounded so an infeasible target (a rack
                    // that needs more than the cap) cannot run away.
                    let step = min(2, max(0.5, targets[i] / actual[i]))
                    weights[i] = min(start[i] * 1e6, max(start[i] * 1e-6, weights[i] * step))
                }
                weights = normalized(weights)
            }
            return (weights, .exact(iterations: iterations, worstRelativeError: worst))
        }

        /// For each member, the probability that it holds one of a block's
        /// replicas: every ordered sequence of picks, each pick proportional to
        /// weight among the allowed members.
        static func inclusion(weights: [Double], rules: Rules) -> [Double] {
            var result = Array(repeating: 0.0, count: weights.count)
            var state = rules.start(memberCount: weights.count)
            walk(probability: 1, weights: weights, rules: rules, state: &state, result: &result)
            return result
        }

        private static func walk(probability: Double, weights: [Double], rules: Rules, state: inout Rules.State, result: inout [Double]) {
            if state.chosen.count == rules.replicas {
                for member in state.chosen { result[member] += probability }
                return
            }
            var pool: [Int] = []
            var total = 0.0
            for i in weights.indices where rules.allows(i, in: state) {
                pool.append(i)
                total += weights[i]
            }
            invariant(!pool.isEmpty, "no member allowed after picks \(state.chosen)")
            for member in pool {
                let hadReliable = state.hasReliable
                rules.take(member, into: &state)
                walk(probability: probability * weights[member] / total, weights: weights, rules: rules, state: &state, result: &result)
                rules.untake(member, from: &state, hadReliable: hadReliable)
            }
        }

        static func orderedPicks(members: Int, replicas: Int) -> Int {
            var count = 1
            for k in 0..<replicas {
                count = count.multipliedReportingOverflow(by: members - k).partialValue
                if count > Int.max / 64 || count < 0 { return Int.max }
            }
            return count
        }

        private static func normalized(_ weights: [Double]) -> [Double] {
            let total = weights.reduce(0, +)
            return total > 0 ? weights.map { $0 / total } : weights
        }
    }
}
