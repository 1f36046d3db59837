import YonkeProtocol
import YonkeClient
import Logging
import NIOCore
import Transport

/// Accepts links on the node's port and routes each: a link that opens with a
/// block-stream message belongs to the block service, any other is an RPC link.
public struct NodeServer: Sendable {
    public let transport: TransportServer
    let handler: any NodeMessageHandler
    let logger: Logger
    let roster: LinkRoster

    static func bind(host: String, port: Int, settings: Transport.Settings,
                     handler: any NodeMessageHandler, roster: LinkRoster = LinkRoster()) async throws -> NodeServer {
        let transport = try await TransportServer.bind(host: host, port: port, settings: settings)
        return NodeServer(transport: transport, handler: handler, logger: settings.logger, roster: roster)
    }

    public var port: Int { transport.port }

    /// Serves until cancelled.
    public func run() async throws {
        let handler = self.handler
        let logger = self.logger
        let roster = self.roster
        try await transport.run { connection in
            let entry = roster.add(connection)
            defer { roster.remove(entry) }
            var inbound = connection.inbound.makeAsyncIterator()
            guard let first = try await inbound.next() else { return }
            if MessageKind.blockStreamRange.contains(first.kind) {
                try await handler.handleStream(first: first, inbound: inbound, connection: connection)
            } else {
                let link = RPCLink(connection: connection)
                await link.serve(handler: handler, logger: logger, first: first, inbound: inbound)
            }
        }
    }

    public func close() async { await transport.close() }
}
