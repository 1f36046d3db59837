import YonkeCore

extension Rebalance {
    /// Packs copies into waves so that no machine sends or receives more than
    /// `limit` at once: each copy goes to the earliest wave where its target and
    /// one of its sources both have room.
    struct WaveSchedule {
        let limit: Int
        private var machineIndex: [String: Int] = [:]
        private var loads: [[Int]] = []
        /// Below this wave the machine is full; only ever moves forward.
        private var firstOpenWave: [Int] = []

        init(limit: Int) {
            self.limit = limit
        }

        mutating func place(target: String, sources: [String], earliest: Int) -> (wave: Int, source: String) {
            invariant(!sources.isEmpty, "a copy to \(target) needs a source")
            let t = index(of: target)
            let s = sources.map { index(of: $0) }
            var wave = max(earliest, firstOpenWave[t])
            // Each step either places the copy or passes a wave where the target or every source is full;
            // there are finitely many such waves.
            while true {
                if load(t, wave) < limit {
                    var best: Int?
                    for candidate in s where load(candidate, wave) < limit {
                        if best == nil || load(candidate, wave) < load(best!, wave) { best = candidate }
                    }
                    if let source = best {
                        add(t, wave)
                        add(source, wave)
                        return (wave, sources[s.firstIndex(of: source)!])
                    }
                }
                wave += 1
            }
        }

        private mutating func index(of machine: String) -> Int {
            if let existing = machineIndex[machine] { return existing }
            machineIndex[machine] = loads.count
            loads.append([])
            firstOpenWave.append(0)
            return loads.count - 1
        }

        private func load(_ machine: Int, _ wave: Int) -> Int {
            wave < loads[machine].count ? loads[machine][wave] : 0
        }

        private mutating func add(_ machine: Int, _ wave: Int) {
            while loads[machine].count <= wave { loads[machine].append(0) }
            loads[machine][wave] += 1
            while load(machine, firstOpenWave[machine]) >= limit { firstOpenWave[machine] += 1 }
        }
    }
}
