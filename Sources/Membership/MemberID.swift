extension SWIM {
    /// One run of one machine. `generation` is chosen by the shell at start
    /// (e.g. boot time in ms, or a counter persisted on disk) and must grow
    /// across restarts of the same name, so the newer run wins over the
    /// tombstone of the older one instead of being taken for it.
    public struct MemberID: Hashable, Comparable, Sendable, CustomStringConvertible {
        public var name: String
        public var generation: UInt64

        public init(name: String, generation: UInt64) {
            self.name = name
            self.generation = generation
        }

        public var description: String { "\(name)#\(generation)" }

        public static func < (lhs: MemberID, rhs: MemberID) -> Bool {
            (lhs.name, lhs.generation) < (rhs.name, rhs.generation)
        }
    }
}
