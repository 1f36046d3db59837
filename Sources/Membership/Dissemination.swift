import YonkeCore

extension SWIM {
    /// The piggyback queue (SWIM §4.1): at most one claim per member name,
    /// each sent `limit` times, least-sent first and newest first among
    /// equals, so fresh news goes out before old news; a newer claim about a
    /// member replaces the older one.
    ///
    /// After a partition heals it can hold a claim about every member, and it
    /// is read for every message sent, so the sorted part is a compact array
    /// of 32-byte slots and a message costs one linear merge, not one move
    /// per claim picked.
    struct Dissemination: Sendable {
        struct Slot: Sendable {
            /// Transmits in the top 8 bits, then the complement of the
            /// enqueue order: ascending = sent first.
            var priority: UInt64
            var sizeBytes: Int
            var name: String
        }

        /// Sorted by `priority`, never by hash: replay must not depend on the hash seed.
        private var slots: [Slot] = []
        private var updates: [String: (update: MemberUpdate, priority: UInt64)] = [:]
        private var nextOrder: UInt64 = 0
        /// How far down the queue one message looks for claims that fit.
        private static let scanMax = 64
        private static let orderBits: UInt64 = 56
        private static let orderMask: UInt64 = (1 << orderBits) - 1

        var count: Int { slots.count }

        /// Claims sent fewer than `transmits` times (the queue's head).
        func hasClaims(sentFewerThan transmits: Int) -> Bool {
            guard let first = slots.first else { return false }
            return Int(first.priority >> Self.orderBits) < transmits
        }

        func contains(name: String) -> Bool { updates[name] != nil }

        mutating func enqueue(_ update: MemberUpdate) {
            let name = update.id.name
            if let old = updates[name] { slots.remove(at: position(of: old.priority)) }
            nextOrder += 1
            let priority = Self.orderMask & ~nextOrder
            updates[name] = (update, priority)
            let slot = Slot(priority: priority, sizeBytes: Codec.encodedSize(of: update), name: name)
            slots.insert(slot, at: position(of: priority))
        }

        /// Picks claims for one message within `budgetBytes` and counts them
        /// as sent; entries sent `limit` times are dropped. With
        /// `sentFewerThan`, only claims sent fewer times than that are picked.
        mutating func take(budgetBytes: Int, limit: Int, excluding excludedName: String? = nil,
                           sentFewerThan: Int? = nil) -> [MemberUpdate] {
            guard !slots.isEmpty, budgetBytes > 0 else { return [] }
            var pickedIndices: [Int] = []
            var used = 0
            for index in 0..<min(slots.count, Self.scanMax) {
                let slot = slots[index]
                // Slots are sorted by transmits first: the rest were sent as often or more.
                if let sentFewerThan, Int(slot.priority >> Self.orderBits) >= sentFewerThan { break }
                if slot.name == excludedName || used + slot.sizeBytes > budgetBytes { continue }
                used += slot.sizeBytes
                pickedIndices.append(index)
            }
            guard !pickedIndices.isEmpty else { return [] }

            var picked: [MemberUpdate] = []
            var resent: [Slot] = []
            for index in pickedIndices {
                var slot = slots[index]
                guard let entry = updates[slot.name] else {
                    invariant(false, "dissemination slot \(slot.name) has no update")
                    continue
                }
                picked.append(entry.update)
                let transmits = Int(slot.priority >> Self.orderBits) + 1
                if transmits >= limit || transmits >= 255 {
                    updates[slot.name] = nil
                } else {
                    slot.priority = UInt64(transmits) << Self.orderBits | slot.priority & Self.orderMask
                    updates[slot.name] = (entry.update, slot.priority)
                    resent.append(slot)
                }
            }
            // One merge of the untouched slots with the re-sent ones (both sorted).
            resent.sort { $0.priority < $1.priority }
            var merged: [Slot] = []
            merged.reserveCapacity(slots.count)
            var next = 0, skip = 0, r = 0
            while next < slots.count || r < resent.count {
                if skip < pickedIndices.count, next == pickedIndices[skip] {
                    next += 1
                    skip += 1
                    continue
                }
                if r < resent.count, next >= slots.count || resent[r].priority < slots[next].priority {
                    merged.append(resent[r])
                    r += 1
                } else {
                    merged.append(slots[next])
                    next += 1
                }
            }
            slots = merged
            return picked
        }

        /// First slot whose priority is not below `priority`.
        private func position(of priority: UInt64) -> Int {
            var low = 0, high = slots.count
            while low < high {
                let mid = (low + high) / 2
                if slots[mid].priority < priority { low = mid + 1 } else { high = mid }
            }
            return low
        }
    }
}
