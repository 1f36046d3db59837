import YonkeCore

extension Placement {
    /// Corrected straw2 weights whose inclusion probabilities match the targets
    /// (Ceph's weight-set, computed here rather than measured).
    enum WeightSet {
        static let iterationsMax = 300
        /// A fresh weight set is solved to this worst relative error.
        static let exactTolerance = 1e-7

        /// - Parameters:
        ///   - previous: the corrected weights of the previous map for members that
        ///     are still here (nil for new members or a fresh map).
        ///   - tolerance: stop once every member is this close to its target
        ///     (relative). Only members outside half of it are adjusted, so with a
        ///     previous weight set the members whose share is still fine keep their
        ///     weights and their blocks.
        static func solve(targets: [Double], rules: Rules, pickBudget: Int,
                          previous: [Double?], tolerance: Double) -> ([Double], Map.Correction) {
            let n = targets.count
            let replicas = rules.replicas
            // −ln(1−p): the rate at which an exponential clock rings before a fixed
            // threshold with probability p; a good start for the fixed point.
            let guess = targets.map { -StableMath.ln(max(1e-12, 1 - min($0, 1 - 1e-9))) }
            guard n > replicas, replicas > 0 else { return (guess.map { _ in 1 }, .none) }
            guard orderedPicks(members: n, replicas: replicas) <= pickBudget else {
                // Many machines: the others' clocks ring like a Poisson process, so
                // machine i is among the first RF with probability 1 − (1 − w_i/W)^RF.
                let closed = targets.map { 1 - StableMath.exp(StableMath.ln(max(1e-12, 1 - min($0, 1 - 1e-9))) / Double(replicas)) }
                return (normalized(closed), .closedForm)
            }
            var weights = guess
            let kept = (0..<n).filter { previous[$0] != nil }
            let keptGuess = kept.reduce(0.0) { $0 + guess[$1] }
            if !kept.isEmpty, keptGuess > 0 {
                // Carry the old weights over; put new members on the same scale.
                let scale = kept.reduce(0.0) { $0 + previous[$1]! } / keptGuess
                for i in 0..<n { weights[i] = previous[i] ?? guess[i] * scale }
            }
            let bounds = weights.map { ($0 * 1e-6, $0 * 1e6) }
            var worst = Double.infinity
            var iterations = 0
            while iterations < iterationsMax {
                let actual = inclusion(weights: weights, rules: rules)
                let errors = (0..<n).map { targets[$0] > 0 ? actual[$0] / targets[$0] - 1 : 0 }
                worst = errors.map(abs).max() ?? 0
                if worst < tolerance { break }
                iterations += 1
                for i in 0..<n where actual[i] > 0 && abs(errors[i]) > tolerance / 2 {
                    // Aim at the near edge of the half-tolerance band, not at the target
                    // itself: a weight changes (and moves blocks) only as much as needed.
                    // Damped against overshoot; bounded so an infeasible target (a rack
                    // that needs more than the cap) cannot run away.
                    let aim = targets[i] * (1 + (errors[i] > 0 ? tolerance : -tolerance) / 2)
                    let step = min(2, max(0.5, aim / actual[i]))
                    weights[i] = min(bounds[i].1, max(bounds[i].0, weights[i] * step))
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
