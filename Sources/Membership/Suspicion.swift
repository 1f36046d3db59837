import YonkeCore

extension SWIM {
    /// One running suspicion (Lifeguard §IV.B "Dogpile"): the timeout starts
    /// at `maxTicks` and falls toward `minTicks` logarithmically with each
    /// independent accuser, so a member many have given up on is declared
    /// dead sooner, while a lone (maybe slow) accuser waits longest.
    struct Suspicion: Sendable {
        var incarnation: UInt64
        var startedAtTicks: Tick
        var minTicks: Tick
        var maxTicks: Tick
        var expectedConfirmations: Int
        /// Never iterated, only counted and tested, so a Set is safe here.
        var accusers: Set<String>

        /// Accusers beyond the first; the first started the suspicion.
        var confirmations: Int { max(0, accusers.count - 1) }

        var timeoutTicks: Tick {
            guard expectedConfirmations > 0, maxTicks > minTicks else { return minTicks }
            let c = Double(min(confirmations, expectedConfirmations))
            let fraction = StableMath.ln(c + 1) / StableMath.ln(Double(expectedConfirmations) + 1)
            let span = Double(maxTicks - minTicks)
            let timeout = Double(maxTicks) - (span * fraction).rounded(.down)
            return max(minTicks, Tick(timeout))
        }

        var deadlineTicks: Tick { startedAtTicks + timeoutTicks }

        /// True when `accuser` is new, i.e. the deadline moved.
        mutating func confirm(by accuser: String) -> Bool {
            guard confirmations < expectedConfirmations else { return false }
            return accusers.insert(accuser).inserted
        }
    }
}
