extension SWIM {
    /// Lifeguard §IV.A local health multiplier: when *we* are slow (CPU
    /// starved, lossy NIC), our probes time out and we would accuse healthy
    /// members. Evidence of that raises the score, which stretches our probe
    /// interval and timeouts by (score + 1).
    struct LocalHealth: Sendable {
        let scoreMax: Int
        private(set) var score = 0

        init(awarenessMax: Int) {
            scoreMax = max(1, awarenessMax)
        }

        var multiplier: UInt64 { UInt64(score + 1) }

        mutating func apply(delta: Int) {
            score = min(scoreMax - 1, max(0, score + delta))
        }
    }
}
