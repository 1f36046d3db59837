import YonkeCore

/// The faults `yonke chaos run` injects, drawn one after another from a seed:
/// the same seed, nodes and kinds give the same schedule.
public enum Fault: Sendable, Equatable, Codable, CustomStringConvertible {
    case partition([[String]])
    case isolate(String)
    /// Two sides that only the middle nodes see.
    case bridge(sideA: [String], middle: [String], sideB: [String])
    case oneWay(from: String, to: String)
    case slow(String, milliseconds: Int64)
    case lossy(String, percent: Int)
    case kill(String)
    case pause(String)

    public enum Kind: String, Sendable, CaseIterable, Codable {
        case partition, isolate, bridge, oneWay = "one-way", slow, lossy, kill, pause
    }

    public var kind: Kind {
        switch self {
        case .partition: .partition
        case .isolate: .isolate
        case .bridge: .bridge
        case .oneWay: .oneWay
        case .slow: .slow
        case .lossy: .lossy
        case .kill: .kill
        case .pause: .pause
        }
    }

    public var description: String {
        switch self {
        case let .partition(groups): "partition " + groups.map { $0.joined(separator: ",") }.joined(separator: " / ")
        case let .isolate(node): "isolate \(node)"
        case let .bridge(a, middle, b): "bridge \(a.joined(separator: ",")) / \(middle.joined(separator: ",")) / \(b.joined(separator: ","))"
        case let .oneWay(from, to): "one-way \(from) -> \(to)"
        case let .slow(node, ms): "slow \(node) --ms \(ms)"
        case let .lossy(node, percent): "lossy \(node) --percent \(percent)"
        case let .kill(node): "kill \(node)"
        case let .pause(node): "pause \(node)"
        }
    }
}

public struct FaultSchedule: Sendable {
    public let nodes: [String]
    public let kinds: [Fault.Kind]
    private var generator: SeededGenerator

    /// - Precondition: at least three nodes (a partition needs two sides and a bridge a middle) and one kind.
    public init(seed: UInt64, nodes: [String], kinds: [Fault.Kind]) {
        invariant(nodes.count >= 3, "a chaos schedule needs at least 3 nodes, got \(nodes)")
        invariant(!kinds.isEmpty, "a chaos schedule needs at least one fault kind")
        self.nodes = nodes.sorted()
        self.kinds = kinds
        generator = SeededGenerator(seed: seed)
    }

    public mutating func next() -> Fault {
        let kind = kinds[pick(kinds.count)]
        let shuffled = shuffledNodes()
        switch kind {
        case .partition:
            // A minority of one or two against the rest, the split Jepsen finds most bugs with.
            let minority = 1 + pick(max(1, (nodes.count - 1) / 2))
            return .partition([Array(shuffled.prefix(minority)).sorted(), Array(shuffled.dropFirst(minority)).sorted()])
        case .isolate:
            return .isolate(shuffled[0])
        case .bridge:
            let sideA = (nodes.count - 1) / 2
            return .bridge(sideA: Array(shuffled.prefix(sideA)).sorted(), middle: [shuffled[sideA]],
                           sideB: Array(shuffled.dropFirst(sideA + 1)).sorted())
        case .oneWay:
            return .oneWay(from: shuffled[0], to: shuffled[1])
        case .slow:
            return .slow(shuffled[0], milliseconds: Int64(50 + pick(300)))
        case .lossy:
            return .lossy(shuffled[0], percent: 10 + pick(40))
        case .kill:
            return .kill(shuffled[0])
        case .pause:
            return .pause(shuffled[0])
        }
    }

    private mutating func pick(_ count: Int) -> Int { Int(generator.next() % UInt64(count)) }

    private mutating func shuffledNodes() -> [String] {
        var list = nodes
        for index in stride(from: list.count - 1, to: 0, by: -1) {
            list.swapAt(index, pick(index + 1))
        }
        return list
    }
}
