import YonkeProtocol
import YonkeClient
import Synchronization

/// What a node has served since it started, by kind: requests per service,
/// one-way messages per channel, block streams. Counted where `YonkeNode`
/// routes them; read by the metrics endpoint.
public final class RPCCounters: Sendable {
    public struct Counts: Sendable, Equatable {
        /// Requests per service, in `RPCCounters.services` order.
        public var requests = [Int64](repeating: 0, count: RPCCounters.services.count)
        /// One-way messages per channel, in `RPCCounters.channels` order.
        public var oneWays = [Int64](repeating: 0, count: RPCCounters.channels.count)
        public var streams: Int64 = 0
    }

    /// Services by operation; "other" for admin operations and unknown codes.
    public static let services = ["consensus", "blocks", "membership", "other"]
    public static let channels = ["raft", "swim", "blockReport"]

    private let counts = Mutex(Counts())

    public init() {}

    public var snapshot: Counts { counts.withLock { $0 } }

    func onRequest(op: UInt16) {
        let index = switch RPCOperation(code: op) {
        case .catalog?: 0
        case .block?, .scrubStatus?: 1
        case .membership?: 2
        case .admin?, nil: 3
        }
        counts.withLock { $0.requests[index] += 1 }
    }

    func onOneWay(_ channel: OneWayChannel) {
        let index = switch channel {
        case .raft: 0
        case .swim: 1
        case .blockReport: 2
        }
        counts.withLock { $0.oneWays[index] += 1 }
    }

    func onStream() { counts.withLock { $0.streams += 1 } }
}
