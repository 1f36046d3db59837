extension SWIM {
    /// Timers are data: the shell arms them and calls `Instance.onTimeout`
    /// (or `onPeriodicPingTick` for `.periodicPing`) when they fire. A timer
    /// that fires late or no longer matters is ignored by the instance, so the
    /// shell never has to cancel one.
    public enum Timer: Hashable, Sendable {
        case periodicPing
        case probeTimeout(sequence: UInt64)
        case indirectProbeTimeout(sequence: UInt64)
        case forwardTimeout(sequence: UInt64)
        case suspicionTimeout(name: String)
        /// Push queued gossip to a few random members (memberlist's gossip
        /// interval), between the periods' probes.
        case gossip
        case joinTimeout(attempt: Int)
    }

    public struct StatusChange: Hashable, Sendable {
        public var member: Member
        /// Nil when the member is new to this instance.
        public var previousStatus: Status?
    }

    public enum Directive: Hashable, Sendable {
        case send(Message, to: Address)
        case schedule(Timer, afterTicks: Tick)
        /// The master heals on `dead`, drains on `left`.
        case memberStatusChanged(StatusChange)
        /// Same status, newer metadata (capacity, usage, labels).
        case memberMetadataChanged(Member)
        /// Every seed was tried `Config.joinAttemptsMax` times in total.
        case joinFailed
    }
}
