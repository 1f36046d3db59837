import YonkeCore

/// A deterministic priority queue of timed events: earliest first, ties broken
/// by insertion order (never by hash or address), so one seed replays one run.
/// A binary min-heap: O(log n) push and pop.
public struct EventQueue<Event> {
    public struct Scheduled {
        public let time: SimTime
        public let sequence: UInt64
        public let event: Event
    }

    private var heap: [Scheduled] = []
    private var nextSequence: UInt64 = 0
    /// The time of the last popped event: the simulation's "now".
    public private(set) var now: SimTime = .zero
    /// A bound on queue growth: a run that schedules more than this is a bug
    /// (an event storm), not a slow run.
    public let capacityMax: Int

    public init(capacityMax: Int = 1_000_000) { self.capacityMax = capacityMax }

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    public var nextTime: SimTime? { heap.first?.time }

    public mutating func schedule(_ event: Event, at time: SimTime) {
        invariant(time >= now, "event scheduled in the past: \(time) < now \(now)")
        invariant(heap.count < capacityMax, "event queue over capacity \(capacityMax)")
        heap.append(Scheduled(time: time, sequence: nextSequence, event: event))
        nextSequence += 1
        siftUp(heap.count - 1)
    }

    public mutating func schedule(_ event: Event, after delay: SimTime) {
        schedule(event, at: now + delay)
    }

    /// Removes the earliest event and advances `now` to its time.
    public mutating func pop() -> Scheduled? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        now = top.time
        return top
    }

    /// Drops every event for which `keep` is false (e.g. a crashed node's timers).
    public mutating func removeAll(where shouldRemove: (Event) -> Bool) {
        let kept = heap.filter { !shouldRemove($0.event) }
        heap = []
        heap.reserveCapacity(kept.count)
        for item in kept {
            heap.append(item)
            siftUp(heap.count - 1)
        }
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        let x = heap[a], y = heap[b]
        return x.time == y.time ? x.sequence < y.sequence : x.time < y.time
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && less(left, smallest) { smallest = left }
            if right < heap.count && less(right, smallest) { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
