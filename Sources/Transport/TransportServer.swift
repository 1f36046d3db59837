import Logging
import NIOCore
import NIOPosix

/// Accepts links on one address. Each accepted socket handshakes on its own;
/// only authenticated peers reach the handler, one child task per link, and a
/// peer that fails in any way is logged and closed without touching the others.
public struct TransportServer: Sendable {
    let listener: NIOAsyncChannel<AcceptedLink, Never>
    public let settings: Transport.Settings
    /// Bounds the strangers this listener holds (see `HandshakeGate`).
    let gate: HandshakeGate

    /// The bound port (useful after binding port 0).
    public var port: Int { listener.channel.localAddress?.port ?? 0 }

    public static func bind(host: String, port: Int, settings: Transport.Settings,
                            group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> TransportServer {
        let descriptors = DescriptorLimit.raiseSoftToHard()
        let limits = settings.limits
        let pendingLimit = DescriptorLimit.pendingHandshakeLimit(configured: limits.maxPendingHandshakes,
                                                                 descriptors: descriptors)
        if pendingLimit < limits.maxPendingHandshakes {
            settings.logger.warning("descriptor limit holds the pending handshakes to \(pendingLimit) (configured \(limits.maxPendingHandshakes))",
                                    metadata: ["RLIMIT_NOFILE": "\(descriptors.map { "\($0.soft)/\($0.hard)" } ?? "unknown")",
                                               "hint": "raise the hard limit (ulimit -Hn, LimitNOFILE=) to hold more"])
        }
        let gate = HandshakeGate(limit: pendingLimit,
                                 perSourceLimit: min(limits.maxPendingHandshakesPerSource, pendingLimit))
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 4096)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try Pipeline.accept(child, settings: settings, gate: gate)
                }
            }
        settings.logger.info("listening", metadata: ["address": "\(host):\(listener.channel.localAddress?.port ?? port)"])
        return TransportServer(listener: listener, settings: settings, gate: gate)
    }

    /// Serves until the calling task is cancelled or the listener closes.
    /// Call once. Errors thrown by `handler` close that link and are logged.
    public func run(_ handler: @escaping @Sendable (Connection) async throws -> Void) async throws {
        let settings = self.settings
        try await listener.executeThenClose { accepted in
            try await withThrowingDiscardingTaskGroup { group in
                for try await arrival in accepted {
                    // Refused ones were closed on arrival by their own pipeline.
                    guard case .link(let link) = arrival else { continue }
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
