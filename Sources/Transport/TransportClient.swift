import NIOCore
import NIOPosix

/// Opens links to listeners.
public enum TransportClient {
    /// Connects, handshakes and runs `body` with the link; closes it afterwards.
    /// `expectedPeerKey` pins the listener's identity: any other key is refused.
    /// Throws `.refusedByPeer` (e.g. join token mismatch), `.refused`, or the
    /// socket error that prevented the connection.
    public static func withConnection<Result: Sendable>(
        host: String, port: Int, settings: Transport.Settings, expectedPeerKey: NodePublicKey? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: (Connection) async throws -> Result
    ) async throws -> Result {
        let link = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.milliseconds(settings.limits.handshakeTimeoutMilliseconds))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Pipeline.configure(channel, role: .initiator, settings: settings,
                                           expectedPeerKey: expectedPeerKey, gate: nil, ticket: nil)
                }
            }
        return try await Pipeline.withEstablished(link, settings: settings, body)
    }
}
