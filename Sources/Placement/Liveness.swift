import YonkeCore

extension Rebalance {
    /// A replica: one machine's copy of one block.
    public struct Replica: Sendable, Hashable, Comparable {
        public var block: BlockID
        public var node: String

        public init(block: BlockID, node: String) {
            self.block = block
            self.node = node
        }

        public static func < (a: Replica, b: Replica) -> Bool { (a.block, a.node) < (b.block, b.node) }
    }

    /// Who is down since when, and when the live set last changed: what the
    /// grace rules are judged on. The master observes it every round; a new
    /// master starts one afresh (its clock starts at its first round).
    public struct Liveness: Sendable, Equatable {
        /// Storage machines seen down, and since when.
        public private(set) var downSinceMilliseconds: [String: Int64] = [:]
        /// When the set of live storage machines last changed (nil: not since this master started).
        public private(set) var changedMilliseconds: Int64?
        private var lastAlive: Set<String>?

        public init() {}

        /// One observation of the storage machines and which are up. Returns
        /// the machines newly seen down (the shell logs them).
        public mutating func observe(members: [String], alive: Set<String>, nowMilliseconds now: Int64) -> [String] {
            var newlyDown: [String] = []
            for name in members.sorted() {
                if alive.contains(name) {
                    downSinceMilliseconds[name] = nil
                } else if downSinceMilliseconds[name] == nil {
                    downSinceMilliseconds[name] = now
                    newlyDown.append(name)
                }
            }
            let memberSet = Set(members)
            downSinceMilliseconds = downSinceMilliseconds.filter { memberSet.contains($0.key) }
            if lastAlive != alive {
                lastAlive = alive
                changedMilliseconds = now
            }
            return newlyDown
        }

        /// The grace rule, the one place it is written: a machine down for less
        /// than the grace period is not lost yet (a reboot must not trigger a
        /// copy storm): its blocks wait, and placement keeps it in the map.
        public static func isWaiting(_ name: String, alive: Set<String>, downSince: [String: Int64],
                                     nowMilliseconds now: Int64, graceMilliseconds: Int64) -> Bool {
            guard !alive.contains(name), let since = downSince[name] else { return false }
            return now - since < graceMilliseconds
        }
    }
}
