import Logging
import NIOCore
import YonkeCore

/// Runs the handshake on the event loop, then seals outbound and opens inbound
/// messages. Nothing reaches the application before the peer is authenticated,
/// and every failure ends here: logged once, refusal sent where it helps the
/// peer, connection closed, handshake promise failed.
final class LinkHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Transport.Message
    typealias OutboundIn = Transport.Message
    typealias OutboundOut = ByteBuffer

    private enum State {
        case awaitingHello(Handshake)
        case awaitingProof(Handshake, SessionCipher)
        case established(SessionCipher, Peer)
        case closed
    }

    private var state: State
    private let settings: Transport.Settings
    private let established: EventLoopPromise<Peer>
    private var logger: Logger
    private var begun = false
    private var handshakeTimer: Scheduled<Void>?
    /// The listener's bound on concurrent handshakes (nil for outgoing links).
    private let gate: HandshakeGate?
    private var holdsGate = false

    init(role: Handshake.Role, settings: Transport.Settings, expectedPeerKey: NodePublicKey?,
         gate: HandshakeGate?, established: EventLoopPromise<Peer>) {
        self.gate = gate
        self.state = .awaitingHello(Handshake(role: role, settings: settings, expectedPeerKey: expectedPeerKey))
        self.settings = settings
        self.established = established
        self.logger = settings.logger
        self.logger[metadataKey: "role"] = "\(role == .initiator ? "initiator" : "responder")"
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        if let address = context.channel.remoteAddress { logger[metadataKey: "peer-address"] = "\(address)" }
        let timeoutMs = settings.limits.handshakeTimeoutMilliseconds
        handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(timeoutMs)) { [self] in
            fail(context: context, TransportError.handshakeTimeout(milliseconds: timeoutMs))
        }
        if context.channel.isActive { begin(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if let address = context.channel.remoteAddress { logger[metadataKey: "peer-address"] = "\(address)" }
        context.fireChannelActive()
        begin(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch state {
        case .awaitingHello, .awaitingProof:
            fail(context: context, TransportError.connectionClosed)
        case .established(_, let peer):
            logger.debug("link closed", metadata: ["peer-name": "\(peer.name)"])
            state = .closed
        case .closed:
            break
        }
        handshakeTimer?.cancel()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        handshakeTimer?.cancel()
        leaveGate()
        established.fail(TransportError.connectionClosed)
    }

    private func leaveGate() {
        if holdsGate {
            holdsGate = false
            gate?.leave()
        }
    }

    /// Once the socket is up (and the whole pipeline is in place): take a
    /// handshake slot, then say hello.
    private func begin(context: ChannelHandlerContext) {
        guard !begun, case .awaitingHello(let handshake) = state else { return }
        begun = true
        if let gate {
            guard gate.tryEnter() else {
                fail(context: context, TransportError.tooManyHandshakes(limit: gate.limit))
                return
            }
            holdsGate = true
        }
        let frame = Frame.wire(kind: FrameKind.hello, payload: handshake.localHello.encoded(),
                               allocator: context.channel.allocator)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        settings.traffic.onReceived(Transport.frameHeaderBytes + frame.payload.readableBytes)
        do {
            try onFrame(context: context, frame)
        } catch {
            fail(context: context, error)
        }
    }

    private func onFrame(context: ChannelHandlerContext, _ frame: Frame) throws(TransportError) {
        if frame.kind == FrameKind.refusal, !isClosed {
            let code = frame.payload.getInteger(at: frame.payload.readerIndex, as: UInt8.self) ?? 0
            let detail = frame.payload.getString(at: frame.payload.readerIndex + 1,
                                                 length: max(frame.payload.readableBytes - 1, 0)) ?? ""
            throw .refusedByPeer(Transport.Refusal(rawValue: code) ?? .other, detail: Transport.printable(detail))
        }
        switch state {
        case .awaitingHello(var handshake):
            guard frame.kind == FrameKind.hello else {
                throw .unexpectedFrameKind(frame.kind, state: "awaiting hello")
            }
            let keys = try handshake.onHello(Array(frame.payload.readableBytesView))
            var cipher = SessionCipher(keys: keys)
            if handshake.role == .initiator {
                // The initiator proves first; the responder waits for that proof.
                send(context: context, kind: FrameKind.proof, payload: handshake.makeProof(), cipher: &cipher)
            }
            state = .awaitingProof(handshake, cipher)

        case .awaitingProof(let handshake, var cipher):
            guard frame.kind == FrameKind.proof else {
                throw .unexpectedFrameKind(frame.kind, state: "awaiting proof")
            }
            // The link keys mix in the token, so a peer with another token
            // produces a proof that does not even open.
            let proof: ByteBuffer
            do {
                proof = try cipher.open(kind: frame.kind, sealed: frame.payload, allocator: context.channel.allocator)
            } catch {
                throw .refused(.joinTokenMismatch, detail: "peer's proof does not open under this cluster's join token")
            }
            let peer = try handshake.onProof(Array(proof.readableBytesView))
            if handshake.role == .responder {
                send(context: context, kind: FrameKind.proof, payload: handshake.makeProof(), cipher: &cipher)
            }
            state = .established(cipher, peer)
            handshakeTimer?.cancel()
            leaveGate()
            logger[metadataKey: "peer-name"] = "\(peer.name)"
            logger.info("link established", metadata: ["peer-key": "\(peer.publicKey)"])
            established.succeed(peer)

        case .established(var cipher, let peer):
            guard frame.kind <= Transport.maxApplicationKind else {
                throw .unexpectedFrameKind(frame.kind, state: "established")
            }
            let payload = try cipher.open(kind: frame.kind, sealed: frame.payload, allocator: context.channel.allocator)
            state = .established(cipher, peer)
            context.fireChannelRead(wrapInboundOut(Transport.Message(kind: frame.kind, payload: payload)))

        case .closed:
            break  // Bytes that were in flight when we gave up on this link.
        }
    }

    private func send(context: ChannelHandlerContext, kind: UInt8, payload: [UInt8], cipher: inout SessionCipher) {
        var buffer = context.channel.allocator.buffer(capacity: payload.count)
        buffer.writeBytes(payload)
        writeSealed(context: context, kind: kind, payload: buffer, cipher: &cipher, promise: nil)
        context.flush()
    }

    private func writeSealed(context: ChannelHandlerContext, kind: UInt8, payload: ByteBuffer,
                             cipher: inout SessionCipher, promise: EventLoopPromise<Void>?) {
        let index = cipher.sentFrames
        var frame = cipher.seal(kind: kind, payload: payload, allocator: context.channel.allocator)
        if let tamper = settings.tamperSealedFrame {
            var bytes = Array(frame.readableBytesView)
            tamper(index, &bytes)
            frame.clear()
            frame.writeBytes(bytes)
        }
        settings.traffic.onSent(frame.readableBytes)
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event as? IdleStateHandler.IdleStateEvent == .read, case .established = state {
            fail(context: context, TransportError.idleTimeout(milliseconds: settings.limits.idleTimeoutMilliseconds ?? 0))
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(context: context, error)
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let message = unwrapOutboundIn(data)
        guard case .established(var cipher, let peer) = state else {
            promise?.fail(TransportError.connectionClosed)
            return
        }
        guard message.kind <= Transport.maxApplicationKind else {
            promise?.fail(TransportError.reservedKind(message.kind))
            return
        }
        guard message.payload.readableBytes <= settings.limits.maxPayloadBytes else {
            promise?.fail(TransportError.payloadTooLarge(bytes: message.payload.readableBytes,
                                                         limitBytes: settings.limits.maxPayloadBytes))
            return
        }
        writeSealed(context: context, kind: message.kind, payload: message.payload, cipher: &cipher, promise: promise)
        state = .established(cipher, peer)
    }

    // MARK: Failure

    private var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// The one way a link ends badly: log one line, tell the peer why when we
    /// refused it, close, and wake whoever waits for the handshake.
    private func fail(context: ChannelHandlerContext, _ error: Error) {
        guard !isClosed else { return }
        let wasEstablished: Bool
        if case .established = state { wasEstablished = true } else { wasEstablished = false }
        state = .closed
        handshakeTimer?.cancel()
        leaveGate()
        let transportError = Self.classify(error)
        switch transportError {
        case .connectionClosed where !wasEstablished:
            logger.notice("link closed by peer during handshake")
        case .refusedByPeer:
            logger.warning("link refused by peer: \(transportError)")
        default:
            logger.warning("closing link: \(transportError)")
        }
        if case .refused(let refusal, let detail) = transportError {
            var payload: [UInt8] = [refusal.rawValue]
            payload += Array(detail.utf8.prefix(200))
            let frame = Frame.wire(kind: FrameKind.refusal, payload: payload, allocator: context.channel.allocator)
            context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        }
        established.fail(transportError)
        context.fireErrorCaught(transportError)
        context.close(promise: nil)
    }

    private static func classify(_ error: Error) -> TransportError {
        if let error = error as? TransportError { return error }
        if let error = error as? ByteToMessageDecoderError {
            switch error {
            case .dataReceivedInErrorState(let inner, _): return classify(inner)
            case .leftoverDataWhenDone(let buffer):
                return .truncatedFrame(receivedBytes: buffer.readableBytes, expectedBytes: -1)
            }
        }
        if let error = error as? ChannelError, error == .eof || error == .ioOnClosedChannel || error == .alreadyClosed {
            return .connectionClosed
        }
        if let error = error as? IOError {
            return .socketError("\(error)")
        }
        return .socketError("\(error)")
    }
}
