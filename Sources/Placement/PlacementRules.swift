extension Placement {
    /// The pick rules shared by block placement and by the exact share
    /// computation, so the two cannot disagree.
    struct Rules: Sendable {
        let rackOf: [Int]
        let isReliable: [Bool]
        let rackSizes: [Int]
        let reliableInRack: [Int]
        let replicas: Int
        let replicasPerRackMax: Int
        let requiresReliable: Bool

        init(rackOf: [Int], isReliable: [Bool], rackCount: Int, replicas: Int, replicasPerRackMax: Int) {
            self.rackOf = rackOf
            self.isReliable = isReliable
            var sizes = Array(repeating: 0, count: rackCount)
            var reliable = Array(repeating: 0, count: rackCount)
            for (member, rack) in rackOf.enumerated() {
                sizes[rack] += 1
                if isReliable[member] { reliable[rack] += 1 }
            }
            self.rackSizes = sizes
            self.reliableInRack = reliable
            self.replicas = replicas
            self.replicasPerRackMax = replicasPerRackMax
            self.requiresReliable = isReliable.contains(true)
        }

        /// The picks made so far for one block.
        struct State {
            var chosen: [Int] = []
            var taken: [Bool]
            var rackCounts: [Int]
            var hasReliable = false
        }

        func start(memberCount: Int) -> State {
            State(taken: Array(repeating: false, count: memberCount), rackCounts: Array(repeating: 0, count: rackSizes.count))
        }

        /// May `member` be the next pick? It must be free, its rack below the cap,
        /// and the block must still be completable: enough room left in racks
        /// below the cap, and, if no reliable machine is chosen yet, a reliable
        /// one still reachable.
        func allows(_ member: Int, in state: State) -> Bool {
            let rack = rackOf[member]
            guard !state.taken[member], state.rackCounts[rack] < replicasPerRackMax else { return false }
            let remaining = replicas - state.chosen.count - 1
            guard remaining > 0 else {
                return !requiresReliable || state.hasReliable || isReliable[member]
            }
            var room = 0
            var reliableReachable = false
            for r in 0..<rackSizes.count {
                let count = state.rackCounts[r] + (r == rack ? 1 : 0)
                guard count < replicasPerRackMax else { continue }
                // Every chosen machine of rack r counts in `count`, so the rest are free.
                room += min(replicasPerRackMax - count, rackSizes[r] - count)
                // No reliable machine is chosen yet on this path, so all of a rack's reliable machines are still free,
                // except `member` itself.
                let reliableFree = reliableInRack[r] - (r == rack && isReliable[member] ? 1 : 0)
                if reliableFree > 0 { reliableReachable = true }
            }
            guard room >= remaining else { return false }
            if requiresReliable && !state.hasReliable && !isReliable[member] {
                return reliableReachable
            }
            return true
        }

        func take(_ member: Int, into state: inout State) {
            state.chosen.append(member)
            state.taken[member] = true
            state.rackCounts[rackOf[member]] += 1
            if isReliable[member] { state.hasReliable = true }
        }

        func untake(_ member: Int, from state: inout State, hadReliable: Bool) {
            state.chosen.removeLast()
            state.taken[member] = false
            state.rackCounts[rackOf[member]] -= 1
            state.hasReliable = hadReliable
        }
    }
}
