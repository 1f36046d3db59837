/// A request that reached a node and was refused or failed there. Carried in
/// `response` messages so the client can say what failed, where, and what to do.
public struct RPCFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: UInt8, Sendable {
        case malformed = 1
        case notFound = 2
        case alreadyExists = 3
        /// This node cannot reach a quorum (minority partition or no master yet): retry elsewhere.
        case noQuorum = 4
        case notMaster = 5
        case unavailable = 6
        case refused = 7
        case timeout = 8
        case internalError = 9
        case unknownOperation = 10
        case insufficientCapacity = 11
        /// The caller is authenticated but its role does not allow the operation.
        case forbidden = 12
        /// The caller had more requests in flight on one link than the node serves
        /// at once (`RPCLink.servedInFlightMax`); an honest client waits for a slot instead.
        case tooManyRequests = 13
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
