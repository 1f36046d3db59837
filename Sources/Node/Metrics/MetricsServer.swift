import YonkeProtocol
import YonkeClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small plain-HTTP listener for Prometheus: `GET /metrics` (also `HEAD`)
/// answers the exposition text; any other path gets 404, another method 405,
/// bytes that are not HTTP/1.1 a 400 from NIO's protocol error handler and a
/// closed connection. Request bodies are read and dropped, never buffered, and
/// a connection silent for `idleTimeout` is closed, and at most
/// `maxConnections` are served at once, so a stranger on the metrics port
/// costs a few sockets and nothing more.
public struct MetricsServer: Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    let listener: NIOAsyncChannel<Connection, Never>
    let render: @Sendable () async -> [UInt8]
    let logger: Logger

    public static let path = "/metrics"
    /// Prometheus' text format, version 0.0.4.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    static let idleTimeout = TimeAmount.seconds(30)
    /// A Prometheus server scrapes over one connection; a few operators may curl.
    static let maxConnections = 32

    /// The bound port (useful after binding port 0).
    public var port: Int { listener.channel.localAddress?.port ?? 0 }

    public static func bind(host: String, port: Int, logger: Logger,
                            render: @escaping @Sendable () async -> [UInt8]) async throws -> MetricsServer {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    let handlers = child.pipeline.syncOperations
                    try handlers.configureHTTPServerPipeline(withErrorHandling: true)
                    try handlers.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try handlers.addHandler(CloseWhenIdle())
                    return try Connection(wrappingChannelSynchronously: child)
                }
            }
        return MetricsServer(listener: listener, render: render, logger: logger)
    }

    /// Serves until the calling task is cancelled or the listener closes.
    /// Beyond `maxConnections` at once, new connections are closed unread.
    public func run() async throws {
        let slots = ConnectionSlots(limit: Self.maxConnections)
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { accepted in
                for try await connection in accepted {
                    guard slots.take() else {
                        // Through executeThenClose: NIO traps on an async channel dropped unfinished.
                        group.addTask { try? await connection.executeThenClose { _, _ in } }
                        continue
                    }
                    group.addTask {
                        await serve(connection)
                        slots.release()
                    }
                }
            }
        }
    }

    public func close() async {
        try? await listener.channel.close()
    }

    private func serve(_ connection: Connection) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var request: HTTPRequestHead?
                for try await part in inbound {
                    switch part {
                    case let .head(head):
                        request = head
                    case .body:
                        continue
                    case .end:
                        guard let head = request else { continue }
                        request = nil
                        try await respond(to: head, outbound)
                        if !head.isKeepAlive { return }
                    }
                }
            }
        } catch {
            logger.debug("metrics connection closed", metadata: ["error": "\(error)"])
        }
    }

    private func respond(to head: HTTPRequestHead, _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let status: HTTPResponseStatus
        var body: [UInt8]
        var contentType = "text/plain; charset=utf-8"
        switch (path, head.method) {
        case (Self.path, .GET), (Self.path, .HEAD):
            status = .ok
            body = await render()
            contentType = Self.contentType
        case (Self.path, _):
            status = .methodNotAllowed
            body = Array("only GET \(Self.path)\n".utf8)
        default:
            status = .notFound
            body = Array("not found; metrics are at \(Self.path)\n".utf8)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(body.count)")
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        headers.add(name: "Connection", value: head.isKeepAlive ? "keep-alive" : "close")
        try await outbound.write(.head(HTTPResponseHead(version: head.version, status: status, headers: headers)))
        if head.method == .HEAD { body = [] }
        if !body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
        try await outbound.write(.end(nil))
    }
}

/// Counts connections being served against a limit.
private final class ConnectionSlots: Sendable {
    private let open = Mutex(0)
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func take() -> Bool {
        open.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func release() { open.withLock { $0 -= 1 } }
}

/// Closes a connection when `IdleStateHandler` reports it silent.
private final class CloseWhenIdle: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
