import NIOCore

/// An authenticated, encrypted link to one peer, valid inside the scope that
/// handed it out (`TransportServer.run`, `TransportClient.withConnection`);
/// the link is closed when that scope ends.
///
/// `send` returns once the frame is in the kernel's socket buffer (so a sender
/// of many 1 MiB frames holds at most one frame per sending task in memory), and
/// `inbound` stops reading the socket while `Limits.inboundHighWatermarkFrames`
/// frames wait for the reader. `inbound` may be iterated by one task once;
/// `send` may be called from another task meanwhile.
public struct Connection: Sendable {
    public let peer: Peer
    public let remoteAddress: String?
    let channel: Channel
    let reader: NIOAsyncChannelInboundStream<Transport.Message>
    let faults: FaultInjector?
    public let maxPayloadBytes: Int

    /// Sends one message. Throws `.payloadTooLarge` / `.reservedKind` for our
    /// own misuse and the link's error once it has failed.
    public func send(kind: UInt8, payload: ByteBuffer) async throws {
        guard kind <= Transport.maxApplicationKind else { throw TransportError.reservedKind(kind) }
        guard payload.readableBytes <= maxPayloadBytes else {
            throw TransportError.payloadTooLarge(bytes: payload.readableBytes, limitBytes: maxPayloadBytes)
        }
        if let faults {
            switch faults.verdict(peer: peer.name, direction: .outbound) {
            case .deliver: break
            case .drop: return
            case .delay(let ms): try await Task.sleep(for: .milliseconds(ms))
            }
        }
        // Awaiting the write itself (not just its hand-off) is what bounds a
        // fast sender to one frame beyond the socket buffer.
        try await channel.writeAndFlush(Transport.Message(kind: kind, payload: payload))
    }

    public func send(kind: UInt8, bytes: some Collection<UInt8>) async throws {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        try await send(kind: kind, payload: buffer)
    }

    /// Messages from the peer in order; ends when the peer closes, throws the
    /// `TransportError` that broke the link otherwise.
    public var inbound: Inbound { Inbound(reader: reader, faults: faults, peerName: peer.name) }

    /// Closes the link now (both directions); pending reads end.
    public func close() {
        channel.close(promise: nil)
    }

    public struct Inbound: AsyncSequence, Sendable {
        public typealias Element = Transport.Message
        let reader: NIOAsyncChannelInboundStream<Transport.Message>
        let faults: FaultInjector?
        let peerName: String

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(base: reader.makeAsyncIterator(), faults: faults, peerName: peerName)
        }

        public struct AsyncIterator: AsyncIteratorProtocol {
            var base: NIOAsyncChannelInboundStream<Transport.Message>.AsyncIterator
            let faults: FaultInjector?
            let peerName: String

            public mutating func next() async throws -> Transport.Message? {
                while let message = try await base.next() {
                    guard let faults else { return message }
                    switch faults.verdict(peer: peerName, direction: .inbound) {
                    case .deliver: return message
                    case .drop: continue
                    case .delay(let ms):
                        try await Task.sleep(for: .milliseconds(ms))
                        return message
                    }
                }
                return nil
            }
        }
    }
}
