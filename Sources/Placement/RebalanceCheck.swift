import YonkeCore

extension Rebalance {
    /// Replays a plan wave by wave and reports every broken promise; the
    /// simulator and the tests run it on every plan. It also checks the wave
    /// limit. (Orders other than the listed one within a wave are safe by the
    /// argument in `Rebalance`: each delete follows its own copy.)
    public static func check(_ plan: Plan, blocks: [BlockReplicas], live: Set<String>,
                             config: Config) -> (violations: [String], final: [BlockID: [String]]) {
        var violations: [String] = []
        var current: [BlockID: [String]] = [:]
        var floor: [BlockID: Int] = [:]
        for entry in blocks {
            let holders = entry.holders.filter { live.contains($0) }
            current[entry.block] = holders
            floor[entry.block] = min(holders.count, config.replicationFactor)
        }
        var waveLoad: [String: Int] = [:]
        var wave = 0
        for move in plan.moves {
            if move.wave != wave {
                if move.wave < wave { violations.append("moves out of wave order at \(move.block.short)") }
                wave = move.wave
                waveLoad = [:]
            }
            guard var holders = current[move.block] else {
                violations.append("move of unknown block \(move.block.short)")
                continue
            }
            let before = holders.count
            if let source = move.source, let target = move.target {
                for machine in [source, target] {
                    waveLoad[machine, default: 0] += 1
                    if waveLoad[machine]! > config.movesPerMachinePerWaveMax {
                        violations.append("\(machine) has \(waveLoad[machine]!) copies in wave \(wave), limit \(config.movesPerMachinePerWaveMax)")
                    }
                }
                if !holders.contains(source) || !live.contains(source) {
                    violations.append("copy of \(move.block.short) from \(source), which does not hold it")
                }
                if holders.contains(target) {
                    violations.append("copy of \(move.block.short) to \(target), which already holds it")
                } else {
                    holders.append(target)
                }
            }
            if let retired = move.retired {
                let elsewhere = holders.filter { $0 != retired }.count
                if !holders.contains(retired) {
                    violations.append("delete of \(move.block.short) on \(retired), which does not hold it")
                } else if elsewhere < config.replicationFactor {
                    violations.append("delete of \(move.block.short) on \(retired) with only \(elsewhere) live replicas elsewhere")
                } else {
                    holders.removeAll { $0 == retired }
                }
            }
            let lowest = floor[move.block]!
            let isTrim = if case .trim = move.kind { true } else { false }
            // A relocation never lowers the count; a trim may, but never below RF.
            if holders.count < lowest || (!isTrim && holders.count < before) {
                violations.append("block \(move.block.short) went from \(before) to \(holders.count) live replicas in wave \(wave)")
            }
            current[move.block] = holders
        }
        return (violations, current)
    }
}
