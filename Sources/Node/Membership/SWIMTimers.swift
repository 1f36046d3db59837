import YonkeProtocol
import YonkeClient
import Membership
import YonkeCore

/// The SWIM instance's timers, as data: armed by `schedule` directives and
/// handed back when due. The instance ignores timers that no longer matter,
/// so nothing is ever cancelled; ties fire in the order they were armed.
struct SWIMTimers {
    private struct Entry {
        var deadlineTicks: SWIM.Tick
        var order: UInt64
        var timer: SWIM.Timer
    }

    /// Sorted by (deadline, order), earliest first.
    private var entries: [Entry] = []
    private var nextOrder: UInt64 = 0
    /// A healthy instance holds a handful (one period, one probe, one per
    /// suspicion and relayed probe); far more means directives are looping.
    static let countMax = 100_000

    var count: Int { entries.count }
    var nextDeadlineTicks: SWIM.Tick? { entries.first?.deadlineTicks }

    mutating func schedule(_ timer: SWIM.Timer, atTicks deadlineTicks: SWIM.Tick) {
        invariant(entries.count < Self.countMax, "SWIM timers pile up: \(entries.count) armed, next \(entries[0].timer)")
        nextOrder += 1
        let entry = Entry(deadlineTicks: deadlineTicks, order: nextOrder, timer: timer)
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].deadlineTicks <= deadlineTicks { low = mid + 1 } else { high = mid }
        }
        entries.insert(entry, at: low)
    }

    /// The earliest timer due at `nowTicks`, removed.
    mutating func popDue(nowTicks: SWIM.Tick) -> SWIM.Timer? {
        guard let first = entries.first, first.deadlineTicks <= nowTicks else { return nil }
        entries.removeFirst()
        return first.timer
    }
}
