import YonkeCore

extension Rebalance {
    /// Blocks stored on machines that no file references (left by `rm`, an
    /// overwrite, or a put that never committed), and when each was first seen
    /// so. A block is collected only after it stayed unreferenced for the grace
    /// period, longer than any put (a put stores its blocks before it commits
    /// them), and the holder keeps it anyway if it was written again meanwhile.
    /// Pure: the master feeds it what it knows each round.
    public struct GarbageTracker: Sendable {
        public let graceMilliseconds: Int64
        /// Collections started per round, so a large `rm` does not flood the holders.
        public let perRoundMax: Int
        private var unreferencedSince: [BlockID: Int64] = [:]
        private var inFlight: Set<BlockID> = []

        public init(graceMilliseconds: Int64, perRoundMax: Int = 64) {
            invariant(graceMilliseconds >= 0 && perRoundMax >= 1, "garbage grace \(graceMilliseconds) ms, \(perRoundMax) per round")
            self.graceMilliseconds = graceMilliseconds
            self.perRoundMax = perRoundMax
        }

        public var tracked: Int { unreferencedSince.count }

        /// - Parameters:
        ///   - held: every block some machine reports holding.
        ///   - referenced: every block a file of the catalog references.
        /// - Returns: blocks to collect now (oldest first), marked in flight until `onFinished`.
        public mutating func step(held: [BlockID], referenced: Set<BlockID>, nowMilliseconds: Int64) -> [BlockID] {
            var unreferenced: [BlockID: Int64] = [:]
            for id in held where !referenced.contains(id) {
                unreferenced[id] = unreferencedSince[id] ?? nowMilliseconds
            }
            unreferencedSince = unreferenced
            let due = unreferenced
                .filter { nowMilliseconds - $0.value >= graceMilliseconds && !inFlight.contains($0.key) }
                .sorted { ($0.value, $0.key) < ($1.value, $1.key) }
                .prefix(perRoundMax)
                .map(\.key)
            inFlight.formUnion(due)
            return due
        }

        /// A collection ended; a block still held is tried again at a later round.
        public mutating func onFinished(_ id: BlockID) {
            inFlight.remove(id)
        }

        /// A new master starts afresh: its clock starts when it first sees a block unreferenced.
        public mutating func reset() {
            unreferencedSince = [:]
            inFlight = []
        }
    }
}
