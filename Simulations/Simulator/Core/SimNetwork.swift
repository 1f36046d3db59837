import YonkeCore

/// How the simulated wire behaves at the moment. Probabilities are per message.
public struct NetworkConditions: Hashable, Sendable, CustomStringConvertible {
    public var latencyMin: SimTime
    public var latencyMax: SimTime
    public var lossProbability: Double
    public var duplicateProbability: Double
    /// A reordered message gets up to `reorderDelayMax` extra delay, so it
    /// overtakes nothing but is overtaken by later ones.
    public var reorderProbability: Double
    public var reorderDelayMax: SimTime

    public init(latencyMin: SimTime, latencyMax: SimTime, lossProbability: Double = 0,
                duplicateProbability: Double = 0, reorderProbability: Double = 0,
                reorderDelayMax: SimTime = .zero) {
        invariant(latencyMin <= latencyMax && latencyMin.microseconds >= 0,
                  "latency range \(latencyMin)...\(latencyMax)")
        self.latencyMin = latencyMin
        self.latencyMax = latencyMax
        self.lossProbability = lossProbability
        self.duplicateProbability = duplicateProbability
        self.reorderProbability = reorderProbability
        self.reorderDelayMax = reorderDelayMax
    }

    /// A healthy LAN: 0.5–2 ms, nothing lost.
    public static let lan = NetworkConditions(latencyMin: SimTime(microseconds: 500), latencyMax: .ms(2))

    public var description: String {
        "latency \(latencyMin)...\(latencyMax) loss \(lossProbability) dup \(duplicateProbability) reorder \(reorderProbability)"
    }
}

/// A directed link: a partition may cut one direction and not the other.
public struct SimLink<Node: Hashable & Comparable & Sendable>: Hashable, Comparable, Sendable {
    public let from: Node
    public let to: Node
    public init(from: Node, to: Node) { self.from = from; self.to = to }
    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.from == rhs.from ? lhs.to < rhs.to : lhs.from < rhs.from
    }
}

/// A simulated network for any protocol: decides, from its own seeded
/// generator, whether and when each message arrives. It does not own a queue:
/// `send` returns delivery times that the driver schedules in its EventQueue,
/// and the driver asks `isDeliverable` again on arrival, so a partition that
/// forms while a message is in flight still cuts it (as a broken connection would).
public struct SimNetwork<Node: Hashable & Comparable & Sendable, Message>: Sendable where Message: Sendable {
    public var conditions: NetworkConditions
    private var blocked: Set<SimLink<Node>> = []
    private var rng: SeededGenerator

    public private(set) var sentCount = 0
    public private(set) var droppedCount = 0
    public private(set) var duplicatedCount = 0

    public init(conditions: NetworkConditions, generator: SeededGenerator) {
        self.conditions = conditions
        self.rng = generator
    }

    /// Delivery times for one message sent at `now`: none if lost or cut,
    /// two if duplicated.
    public mutating func send(from: Node, to: Node, now: SimTime) -> [SimTime] {
        sentCount += 1
        guard isDeliverable(from: from, to: to), !chance(conditions.lossProbability) else {
            droppedCount += 1
            return []
        }
        var times = [now + latency()]
        if chance(conditions.duplicateProbability) {
            duplicatedCount += 1
            times.append(now + latency())
        }
        return times
    }

    public func isDeliverable(from: Node, to: Node) -> Bool {
        from == to || !blocked.contains(SimLink(from: from, to: to))
    }

    /// Cuts every link between different groups, both ways. Nodes in no group keep their links.
    public mutating func partition(_ groups: [[Node]]) {
        for (i, a) in groups.enumerated() {
            for (j, b) in groups.enumerated() where i != j {
                for x in a { for y in b { blocked.insert(SimLink(from: x, to: y)) } }
            }
        }
    }

    /// Cuts messages from `senders` to `receivers` only (asymmetric partition).
    public mutating func block(from senders: [Node], to receivers: [Node]) {
        for x in senders { for y in receivers where x != y { blocked.insert(SimLink(from: x, to: y)) } }
    }

    /// Cuts `node` off from everyone in `others`, both ways.
    public mutating func isolate(_ node: Node, from others: [Node]) {
        partition([[node], others.filter { $0 != node }])
    }

    /// Restores every link of `node`.
    public mutating func reconnect(_ node: Node) {
        blocked = blocked.filter { $0.from != node && $0.to != node }
    }

    public mutating func heal() { blocked.removeAll() }

    public var isHealed: Bool { blocked.isEmpty }
    /// Sorted, for traces.
    public var blockedLinks: [SimLink<Node>] { blocked.sorted() }

    private mutating func chance(_ p: Double) -> Bool {
        p > 0 && Double.random(in: 0..<1, using: &rng) < p
    }

    private mutating func latency() -> SimTime {
        let lo = conditions.latencyMin.microseconds, hi = conditions.latencyMax.microseconds
        var us = lo == hi ? lo : Int64.random(in: lo...hi, using: &rng)
        if chance(conditions.reorderProbability) && conditions.reorderDelayMax.microseconds > 0 {
            us += Int64.random(in: 0...conditions.reorderDelayMax.microseconds, using: &rng)
        }
        return SimTime(microseconds: us)
    }
}
