extension SWIM {
    /// The piggyback queue (SWIM §4.1): at most one claim per member name,
    /// each sent `limit` times, least-sent first so fresh news goes out
    /// before old news; a newer claim about a member replaces the older one.
    struct Dissemination: Sendable {
        struct Entry: Sendable {
            var update: MemberUpdate
            var sizeBytes: Int
            var transmits: Int
            /// Newer entries first among equals.
            var order: UInt64
        }

        private var entries: [String: Entry] = [:]
        private var nextOrder: UInt64 = 0

        var count: Int { entries.count }

        mutating func enqueue(_ update: MemberUpdate) {
            nextOrder += 1
            entries[update.id.name] = Entry(
                update: update, sizeBytes: Codec.encodedSize(of: update), transmits: 0, order: nextOrder)
        }

        /// Picks claims for one message within `budgetBytes` and counts them
        /// as sent; entries sent `limit` times are dropped.
        mutating func take(budgetBytes: Int, limit: Int, excluding excludedName: String? = nil) -> [MemberUpdate] {
            guard !entries.isEmpty, budgetBytes > 0 else { return [] }
            // Sorted, never hash order: replay must not depend on the hash seed.
            let candidates = entries.values.sorted {
                ($0.transmits, ~$0.order) < ($1.transmits, ~$1.order)
            }
            var picked: [MemberUpdate] = []
            var used = 0
            for entry in candidates {
                if entry.update.id.name == excludedName { continue }
                if used + entry.sizeBytes > budgetBytes { continue }
                used += entry.sizeBytes
                picked.append(entry.update)
                let name = entry.update.id.name
                if entry.transmits + 1 >= limit {
                    entries[name] = nil
                } else {
                    entries[name]?.transmits += 1
                }
                if used >= budgetBytes { break }
            }
            return picked
        }

        func contains(name: String) -> Bool { entries[name] != nil }
    }
}
