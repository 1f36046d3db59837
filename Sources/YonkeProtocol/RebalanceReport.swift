import NIOCore
import Placement

/// `yonke rebalance plan` and the answer to drain/undrain/remove: what is
/// left to move, per machine, and how long it takes at the limit.
public struct RebalanceReport: Codable, Sendable, Equatable {
    public var ready: Bool
    /// Why the master does not plan yet (a new master waiting for block reports).
    public var waitingFor: String?
    public var preview: Rebalance.Scheduler.Preview?
    /// Draining machines and what they still hold.
    public var drains: [Drain]
    public var message: String?

    public struct Drain: Codable, Sendable, Equatable {
        public var name: String
        public var state: String
        public var blocksLeft: Int
        public var bytesLeft: Int64

        public init(name: String, state: String, blocksLeft: Int, bytesLeft: Int64) {
            self.name = name
            self.state = state
            self.blocksLeft = blocksLeft
            self.bytesLeft = bytesLeft
        }
    }

    public func json() -> ByteBuffer { JSONPayload.encode(self) }

    public static func decode(_ payload: ByteBuffer) throws -> RebalanceReport {
        try JSONPayload.decode(RebalanceReport.self, from: payload, what: "the rebalance answer")
    }

    public init(ready: Bool, waitingFor: String? = nil, preview: Rebalance.Scheduler.Preview? = nil, drains: [Drain], message: String? = nil) {
        self.ready = ready
        self.waitingFor = waitingFor
        self.preview = preview
        self.drains = drains
        self.message = message
    }
}
