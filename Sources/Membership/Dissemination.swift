import YonkeCore

extension SWIM {
    /// The piggyback queue (SWIM §4.1): at most one claim per member name,
    /// each sent `limit` times, least-sent first and newest first among
    /// equals, so fresh news goes out before old news; a newer claim about a
    /// member replaces the older one.
    ///
    /// Kept sorted by that priority so that filling a message touches only
    /// the front: after a partition heals the queue can hold a claim about
    /// every member, and it is read for every message sent.
    struct Dissemination: Sendable {
        struct Entry: Sendable {
            var update: MemberUpdate
            var sizeBytes: Int
            var transmits: Int
            var order: UInt64

            /// Ascending = sent first.
            var priority: (Int, UInt64) { (transmits, ~order) }
        }

        /// Sorted by `priority`, never by hash: replay must not depend on the hash seed.
        private var queue: [Entry] = []
        private var priorityByName: [String: (Int, UInt64)] = [:]
        private var nextOrder: UInt64 = 0
        /// How far down the queue one message looks for claims that fit.
        private static let scanMax = 64

        var count: Int { queue.count }

        func contains(name: String) -> Bool { priorityByName[name] != nil }

        mutating func enqueue(_ update: MemberUpdate) {
            remove(name: update.id.name)
            nextOrder += 1
            insert(Entry(update: update, sizeBytes: Codec.encodedSize(of: update), transmits: 0, order: nextOrder))
        }

        /// Picks claims for one message within `budgetBytes` and counts them
        /// as sent; entries sent `limit` times are dropped.
        mutating func take(budgetBytes: Int, limit: Int, excluding excludedName: String? = nil) -> [MemberUpdate] {
            guard !queue.isEmpty, budgetBytes > 0 else { return [] }
            var picked: [Entry] = []
            var used = 0
            for entry in queue.prefix(Self.scanMax) {
                if entry.update.id.name == excludedName || used + entry.sizeBytes > budgetBytes { continue }
                used += entry.sizeBytes
                picked.append(entry)
            }
            for var entry in picked {
                remove(name: entry.update.id.name)
                entry.transmits += 1
                if entry.transmits < limit { insert(entry) }
            }
            return picked.map(\.update)
        }

        private mutating func insert(_ entry: Entry) {
            let key = entry.priority
            var low = 0, high = queue.count
            while low < high {
                let mid = (low + high) / 2
                if queue[mid].priority < key { low = mid + 1 } else { high = mid }
            }
            queue.insert(entry, at: low)
            priorityByName[entry.update.id.name] = key
        }

        private mutating func remove(name: String) {
            guard let key = priorityByName.removeValue(forKey: name) else { return }
            var low = 0, high = queue.count
            while low < high {
                let mid = (low + high) / 2
                if queue[mid].priority < key { low = mid + 1 } else { high = mid }
            }
            invariant(low < queue.count && queue[low].update.id.name == name,
                      "dissemination index lost \(name) (slot \(low) of \(queue.count))")
            queue.remove(at: low)
        }
    }
}
