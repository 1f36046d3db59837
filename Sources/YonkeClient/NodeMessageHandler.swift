import YonkeProtocol
import NIOCore
import Transport

/// What a node (or a client) does with what arrives on its links.
public protocol NodeMessageHandler: Sendable {
    /// Answers one request; a thrown `RPCFailure` travels back as is, anything
    /// else as `.internalError`. Requests on one link are answered concurrently.
    func handleRequest(op: UInt16, payload: ByteBuffer, from peer: Peer) async throws -> ByteBuffer
    /// One-way messages of one link arrive in order; keep this quick (hand off to an actor).
    func handleOneWay(channel: OneWayChannel, payload: ByteBuffer, from peer: Peer) async
    /// A link that opened with a block-stream message: the handler owns it
    /// until it returns, reading the rest of it from `inbound`.
    func handleStream(first: Transport.Message, inbound: Connection.Inbound.AsyncIterator, connection: Connection) async throws
}

/// For clients: they answer nothing.
public struct RefusingHandler: NodeMessageHandler {
    public init() {}
    public func handleRequest(op: UInt16, payload: ByteBuffer, from peer: Peer) async throws -> ByteBuffer {
        throw RPCFailure(.refused, "this is a client; it serves no requests")
    }
    public func handleOneWay(channel: OneWayChannel, payload: ByteBuffer, from peer: Peer) async {}
    public func handleStream(first: Transport.Message, inbound: Connection.Inbound.AsyncIterator, connection: Connection) async throws {
        throw RPCFailure(.refused, "this is a client; it accepts no block streams")
    }
}
