import YonkeProtocol
import YonkeClient
import Foundation
import NIOCore
import Transport

/// Fault injection on one node (`RPCOperation.admin`), for `yonke chaos`.
/// Each node drops or delays its own traffic with named peers through its
/// transport's `FaultInjector`; a partition is the same rules set on every node
/// of both sides. Requests go to the node itself, never forwarded: the node to
/// change may be the one cut off from the master. Any holder of the cluster's
/// secrets may call them (the link proves the join token), as any such holder
/// can already read and delete every file. Payloads are JSON (small, printed as is).
public enum ChaosOps {
    public enum Direction: String, Codable, Sendable {
        case outbound, inbound

        var transport: FaultInjector.Direction { self == .outbound ? .outbound : .inbound }
        init(_ direction: FaultInjector.Direction) { self = direction == .outbound ? .outbound : .inbound }
    }

    /// What one node does to its traffic with one peer, one way.
    public struct FaultRule: Codable, Sendable, Equatable {
        public var peer: String
        public var direction: Direction
        public var lossPercent: Int
        public var delayMilliseconds: Int64

        public init(peer: String, direction: Direction, lossPercent: Int = 0, delayMilliseconds: Int64 = 0) {
            self.peer = peer
            self.direction = direction
            self.lossPercent = lossPercent
            self.delayMilliseconds = delayMilliseconds
        }
    }

    /// At most this many rules per node: a rule per peer and direction is plenty.
    static let maxRules = 4096

    public static func setFaults(_ rules: [FaultRule], client: ClusterClient) async throws -> [FaultRule] {
        try decodeRules(try await client.call(op: RPCOperation.Admin.setFaults.rawValue, payload: encodeRules(rules)))
    }

    public static func faults(client: ClusterClient) async throws -> [FaultRule] {
        try decodeRules(try await client.call(op: RPCOperation.Admin.faults.rawValue, payload: ByteBuffer()))
    }

    /// Applies `op` to this node's injector (the node side of the two ops).
    static func handle(_ op: RPCOperation.Admin, payload: ByteBuffer, faults: FaultInjector) throws -> ByteBuffer {
        switch op {
        case .setFaults:
            let rules = try decodeRules(payload)
            guard rules.count <= maxRules else {
                throw RPCFailure(.malformed, "\(rules.count) fault rules, at most \(maxRules)")
            }
            for rule in rules {
                guard (0...100).contains(rule.lossPercent), (0...600_000).contains(rule.delayMilliseconds), !rule.peer.isEmpty else {
                    throw RPCFailure(.malformed, "fault rule for '\(rule.peer)' out of range: loss 0...100 %, delay 0...600000 ms")
                }
            }
            faults.clearAll()
            for rule in rules {
                faults.set(FaultInjector.Rule(lossPercent: rule.lossPercent, delayMilliseconds: rule.delayMilliseconds),
                           peer: rule.peer, direction: rule.direction.transport)
            }
            return encodeRules(current(faults))
        case .faults:
            return encodeRules(current(faults))
        }
    }

    static func current(_ faults: FaultInjector) -> [FaultRule] {
        faults.rules().map {
            FaultRule(peer: $0.peer, direction: Direction($0.direction), lossPercent: $0.rule.lossPercent,
                      delayMilliseconds: $0.rule.delayMilliseconds)
        }
    }

    static func encodeRules(_ rules: [FaultRule]) -> ByteBuffer { JSONPayload.encode(rules) }

    static func decodeRules(_ payload: ByteBuffer) throws -> [FaultRule] {
        try JSONPayload.decode([FaultRule].self, from: payload, what: "the fault rules")
    }
}
