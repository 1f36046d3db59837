import Logging
import NIOCore
import NIOPosix

/// Accepts links on one address. Each accepted socket handshakes on its own;
/// only authenticated peers reach the handler, one child task per link, and a
/// peer that fails in any way is logged and closed without touching the others.
public struct TransportServer: Sendable {
    let listener: NIOAsyncChannel<PendingLink, Never>
    public let settings: Transport.Settings

    /// The bound port (useful after binding port 0).
    public var port: Int { listener.channel.localAddress?.port ?? 0 }

    public static func bind(host: String, port: Int, settings: Transport.Settings,
                            group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> TransportServer {
        let gate = HandshakeGate(limit: settings.limits.maxPendingHandshakes)
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.recvAllocator, value: Pipeline.receiveAllocator)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try Pipeline.configure(child, role: .responder, settings: settings, expectedPeerKey: nil, gate: gate)
                }
            }
        settings.logger.info("listening", metadata: ["address": "\(host):\(listener.channel.localAddress?.port ?? port)"])
        return TransportServer(listener: listener, settings: settings)
    }

    /// Serves until the calling task is cancelled or the listener closes.
    /// Call once. Errors thrown by `handler` close that link and are logged.
    public func run(_ handler: @escaping @Sendable (Connection) async throws -> Void) async throws {
        let settings = self.settings
        try await listener.executeThenClose { accepted in
            try await withThrowingDiscardingTaskGroup { group in
                for try await link in accepted {
                    group.addTask {
                        do {
                            try await Pipeline.withEstablished(link, settings: settings, handler)
                        } catch {
                            // Handshake failures were logged by the link handler.
                            if !(error is TransportError) {
                                settings.logger.notice("link handler ended: \(error)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// Stops accepting (a running `run` returns once its links end).
    public func close() async {
        try? await listener.channel.close()
    }
}
