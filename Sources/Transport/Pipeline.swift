import NIOCore

/// A child or client channel whose pipeline is built and whose handshake is
/// under way; `established` completes once the peer is authenticated.
struct PendingLink: Sendable {
    let channel: NIOAsyncChannel<Transport.Message, Never>
    let established: EventLoopFuture<Peer>
}

/// What a listener makes of an accepted socket: a link that handshakes, or a
/// connection the gate refused (closed on arrival, never handed to the server).
enum AcceptedLink: Sendable {
    case link(PendingLink)
    case refused
}

enum Pipeline {
    /// Reads grow up to a whole 1 MiB frame, so a block frame usually arrives
    /// in a few reads instead of sixteen 64 KiB ones, each appended to the
    /// decoder's buffer. Installed once the peer is authenticated.
    static let receiveAllocator = AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 16 << 10, maximum: 1 << 20)
    /// Before that, a read is at most 2 KiB: a hello fits, and a stranger's
    /// trickle pins a small buffer rather than a 16 KiB one.
    static let handshakeReceiveAllocator = FixedSizeRecvByteBufferAllocator(capacity: 2 << 10)

    /// A socket a listener accepted: through the gate (per-source and global
    /// bounds) into a handshaking link, or refused and closed on arrival.
    static func accept(_ channel: Channel, settings: Transport.Settings, gate: HandshakeGate) throws -> AcceptedLink {
        let source = HandshakeSource(channel.remoteAddress)
        let admission = gate.enter(source: source) { [channel] in
            channel.pipeline.fireUserInboundEventTriggered(HandshakeGate.Evicted())
        }
        switch admission {
        case .admitted(let ticket):
            return .link(try configure(channel, role: .responder, settings: settings, expectedPeerKey: nil,
                                       gate: gate, ticket: ticket))
        case .sourceFull(let source, let limit):
            try channel.pipeline.syncOperations.addHandler(RefuseOnArrival(
                error: .tooManyHandshakesFromSource(source: "\(source)", limit: limit), reason: .sourceFull,
                gate: gate, logger: settings.logger))
            return .refused
        case .gateFull(let limit):
            try channel.pipeline.syncOperations.addHandler(RefuseOnArrival(
                error: .tooManyHandshakes(limit: limit), reason: .gateFull, gate: gate, logger: settings.logger))
            return .refused
        }
    }

    /// decoder → idle timer → handshake/seal → async bridge. Runs on the channel's event loop.
    static func configure(_ channel: Channel, role: Handshake.Role, settings: Transport.Settings,
                          expectedPeerKey: NodePublicKey?, gate: HandshakeGate?,
                          ticket: HandshakeGate.Ticket?) throws -> PendingLink {
        let limits = settings.limits
        let promise = channel.eventLoop.makePromise(of: Peer.self)
        let handlers = channel.pipeline.syncOperations
        let frameLimit = FrameSizeLimit(min(limits.handshakeFrameBytesMax, limits.maxFrameBytes))
        try channel.syncOptions?.setOption(.recvAllocator, value: handshakeReceiveAllocator)
        try handlers.addHandler(ByteToMessageHandler(FrameDecoder(limit: frameLimit)))
        if let idleMs = limits.idleTimeoutMilliseconds {
            try handlers.addHandler(IdleStateHandler(readTimeout: .milliseconds(idleMs)))
        }
        try handlers.addHandler(LinkHandler(role: role, settings: settings, expectedPeerKey: expectedPeerKey,
                                            gate: gate, ticket: ticket, frameLimit: frameLimit,
                                            established: promise))
        let high = limits.inboundHighWatermarkFrames
        let asyncChannel = try NIOAsyncChannel<Transport.Message, Never>(
            wrappingChannelSynchronously: channel,
            configuration: .init(backPressureStrategy: .init(lowWatermark: max(1, high / 2), highWatermark: high)))
        return PendingLink(channel: asyncChannel, established: promise.futureResult)
    }

    /// Waits for the handshake, then runs `body` with the connection; the
    /// channel is closed when `body` returns or throws.
    static func withEstablished<Result: Sendable>(
        _ link: PendingLink, settings: Transport.Settings,
        _ body: (Connection) async throws -> Result
    ) async throws -> Result {
        try await link.channel.executeThenClose { inbound in
            let peer = try await link.established.get()
            let connection = Connection(
                peer: peer, remoteAddress: link.channel.channel.remoteAddress.map { "\($0)" },
                channel: link.channel.channel, reader: inbound,
                faults: settings.faults, maxPayloadBytes: settings.limits.maxPayloadBytes)
            return try await body(connection)
        }
    }
}
