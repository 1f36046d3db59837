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
        /// The responder makes its handshake (and ephemeral key) only once the
        /// initiator's hello arrives: a silent stranger costs no key and gets nothing.
        case awaitingHello(Handshake?)
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
    /// The listener's bound on pending handshakes and this link's place in it
    /// (nil for outgoing links).
    private let gate: HandshakeGate?
    private var ticket: HandshakeGate.Ticket?
    /// The decoder's frame limit: small until the peer is authenticated.
    private let frameLimit: FrameSizeLimit
    private let role: Handshake.Role
    private let expectedPeerKey: NodePublicKey?

    init(role: Handshake.Role, settings: Transport.Settings, expectedPeerKey: NodePublicKey?,
         gate: HandshakeGate?, ticket: HandshakeGate.Ticket?, frameLimit: FrameSizeLimit,
         established: EventLoopPromise<Peer>) {
        self.gate = gate
        self.ticket = ticket
        self.frameLimit = frameLimit
        self.role = role
        self.expectedPeerKey = expectedPeerKey
        self.state = .awaitingHello(role == .initiator
            ? Handshake(role: role, settings: settings, expectedPeerKey: expectedPeerKey) : nil)
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
        if let ticket {
            self.ticket = nil
            gate?.leave(ticket)
        }
    }

    /// Once the socket is up (and the whole pipeline is in place) the
    /// initiator says hello; the responder answers the initiator's.
    private func begin(context: ChannelHandlerContext) {
        guard !begun, case .awaitingHello(let handshake?) = state else { return }
        begun = true
        sendHello(context: context, handshake)
    }

    private func sendHello(context: ChannelHandlerContext, _ handshake: Handshake) {
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
        case .awaitingHello(let existing):
            guard frame.kind == FrameKind.hello else {
                throw .unexpectedFrameKind(frame.kind, state: "awaiting hello")
            }
            var handshake = existing ?? Handshake(role: role, settings: settings, expectedPeerKey: expectedPeerKey)
            let keys = try handshake.onHello(Array(frame.payload.readableBytesView))
            if existing == nil { sendHello(context: context, handshake) }
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
            frameLimit.maxFrameBytes = settings.limits.maxFrameBytes
            try? context.channel.syncOptions?.setOption(.recvAllocator, value: Pipeline.receiveAllocator)
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
        if event is HandshakeGate.Evicted {
            if !isEstablished { fail(context: context, TransportError.evictedFromHandshakeGate(limit: gate?.limit ?? 0)) }
            return
        }
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

    private var isEstablished: Bool {
        if case .established = state { return true }
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
        if let gate, !wasEstablished {
            // A stranger on our listener: counted, and logged one by one only
            // while the flood report allows, so a flood cannot flood the log.
            let reason: FloodReport.Reason = switch transportError {
            case .handshakeTimeout: .deadline
            case .evictedFromHandshakeGate: .evicted
            default: .failed
            }
            let (detail, summary) = gate.report.record(reason)
            if detail { logFailure(transportError, wasEstablished: false) }
            if let summary { logger.warning("\(summary)") }
        } else {
            logFailure(transportError, wasEstablished: wasEstablished)
        }
        var toldWhy = false
        if case .refused(let refusal, let detail) = transportError {
            var payload: [UInt8] = [refusal.rawValue]
            payload += Array(detail.utf8.prefix(200))
            let frame = Frame.wire(kind: FrameKind.refusal, payload: payload, allocator: context.channel.allocator)
            context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
            toldWhy = true
        }
        established.fail(transportError)
        context.fireErrorCaught(transportError)
        if gate != nil, !wasEstablished, !toldWhy {
            // Nothing to tell a silent or broken stranger: reset, leave no TIME_WAIT behind.
            RefuseOnArrival.closeWithReset(context.channel)
        } else {
            context.close(promise: nil)
        }
    }

    private func logFailure(_ transportError: TransportError, wasEstablished: Bool) {
        switch transportError {
        case .connectionClosed where !wasEstablished:
            logger.notice("link closed by peer during handshake")
        case .refusedByPeer:
            logger.warning("link refused by peer: \(transportError)")
        default:
            logger.warning("closing link: \(transportError)")
        }
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
