import Synchronization
import YonkeCore

/// Drops and delays traffic to or from chosen peers, for chaos tests and
/// `yonke chaos`. Off unless a node installs one; consulted once per
/// application message (before it is sealed, so a dropped message never
/// desynchronises the link's frame counters). Loss draws come from a seeded
/// generator, so a given seed and message sequence drop the same messages.
public final class FaultInjector: Sendable {
    public enum Direction: Sendable, Hashable { case outbound, inbound }

    /// What happens to traffic one way to or from one peer.
    public struct Rule: Sendable, Equatable {
        /// Percentage (0...100) of messages dropped; 100 cuts the link that way.
        public var lossPercent: Int
        /// Added before each surviving message is sent or handed to the reader.
        public var delayMilliseconds: Int64

        public init(lossPercent: Int = 0, delayMilliseconds: Int64 = 0) {
            self.lossPercent = min(max(lossPercent, 0), 100)
            self.delayMilliseconds = max(delayMilliseconds, 0)
        }

        public static let dropAll = Rule(lossPercent: 100)
    }

    public enum Verdict: Sendable, Equatable {
        case deliver
        case drop
        case delay(milliseconds: Int64)
    }

    private struct Key: Hashable { var peer: String; var direction: Direction }
    private struct State {
        var rules: [Key: Rule] = [:]
        var generator: SeededGenerator
    }
    private let state: Mutex<State>

    public init(seed: UInt64) {
        state = Mutex(State(generator: SeededGenerator(seed: seed)))
    }

    /// Applies `rule` to traffic with `peer`; `direction` nil means both ways.
    public func set(_ rule: Rule, peer: String, direction: Direction? = nil) {
        let directions: [Direction] = direction.map { [$0] } ?? [.outbound, .inbound]
        state.withLock { state in
            for direction in directions { state.rules[Key(peer: peer, direction: direction)] = rule }
        }
    }

    /// Cuts all traffic with each peer, both ways (one side of a partition).
    public func isolate(_ peers: [String]) {
        for peer in peers { set(.dropAll, peer: peer) }
    }

    public func clear(peer: String) {
        state.withLock { state in
            state.rules[Key(peer: peer, direction: .outbound)] = nil
            state.rules[Key(peer: peer, direction: .inbound)] = nil
        }
    }

    public func clearAll() {
        state.withLock { $0.rules.removeAll() }
    }

    /// Every rule in force, by peer then direction (outbound first).
    public func rules() -> [(peer: String, direction: Direction, rule: Rule)] {
        state.withLock { state in
            state.rules.map { (peer: $0.key.peer, direction: $0.key.direction, rule: $0.value) }
        }.sorted { ($0.peer, $0.direction == .outbound ? 0 : 1) < ($1.peer, $1.direction == .outbound ? 0 : 1) }
    }

    /// The fate of the next message with `peer` in `direction`.
    public func verdict(peer: String, direction: Direction) -> Verdict {
        state.withLock { state in
            guard let rule = state.rules[Key(peer: peer, direction: direction)] else { return .deliver }
            if rule.lossPercent >= 100 { return .drop }
            if rule.lossPercent > 0, Int(state.generator.next() % 100) < rule.lossPercent { return .drop }
            return rule.delayMilliseconds > 0 ? .delay(milliseconds: rule.delayMilliseconds) : .deliver
        }
    }
}
