import NIOCore

/// A child or client channel whose pipeline is built and whose handshake is
/// under way; `established` completes once the peer is authenticated.
struct PendingLink: Sendable {
    let channel: NIOAsyncChannel<Transport.Message, Never>
    let established: EventLoopFuture<Peer>
}

enum Pipeline {
    /// Reads grow up to a whole 1 MiB frame, so a block frame usually arrives
    /// in a few reads instead of sixteen 64 KiB ones, each appended to the
    /// decoder's buffer.
    static let receiveAllocator = AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 16 << 10, maximum: 1 << 20)

    /// decoder → idle timer → handshake/seal → async bridge. Runs on the channel's event loop.
    static func configure(_ channel: Channel, role: Handshake.Role, settings: Transport.Settings,
                          expectedPeerKey: NodePublicKey?, gate: HandshakeGate?) throws -> PendingLink {
        let limits = settings.limits
        let promise = channel.eventLoop.makePromise(of: Peer.self)
        let handlers = channel.pipeline.syncOperations
        try handlers.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameBytes: limits.maxFrameBytes)))
        if let idleMs = limits.idleTimeoutMilliseconds {
            try handlers.addHandler(IdleStateHandler(readTimeout: .milliseconds(idleMs)))
        }
        try handlers.addHandler(LinkHandler(role: role, settings: settings, expectedPeerKey: expectedPeerKey,
                                            gate: gate, established: promise))
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
