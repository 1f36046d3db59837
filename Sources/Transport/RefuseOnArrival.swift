#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore

/// The whole pipeline of a connection the gate refused: it is closed as soon
/// as it is up, with a reset (no TIME_WAIT left behind per refused stranger),
/// and never reaches the server's accept loop.
final class RefuseOnArrival: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let error: TransportError
    private let reason: FloodReport.Reason
    private let gate: HandshakeGate
    private let logger: Logger
    private var done = false

    init(error: TransportError, reason: FloodReport.Reason, gate: HandshakeGate, logger: Logger) {
        self.error = error
        self.reason = reason
        self.gate = gate
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func refuse(context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        var logger = self.logger
        if let address = context.channel.remoteAddress { logger[metadataKey: "peer-address"] = "\(address)" }
        gate.report.logDrop(reason, error: error, logger: logger)
        Self.closeWithReset(context.channel)
    }

    /// Closes without the FIN handshake: nothing of ours is pending on a
    /// stranger's connection, and a flood must not fill the TIME_WAIT table.
    static func closeWithReset(_ channel: Channel) {
        if let options = channel as? SocketOptionProvider {
            _ = options.setSoLinger(linger(l_onoff: 1, l_linger: 0))
        }
        channel.close(promise: nil)
    }
}

extension HandshakeGate {
    /// Sent down a pending link's pipeline when a newcomer from a quieter source takes its slot.
    struct Evicted: Sendable {}
}

extension FloodReport {
    /// Logs one dropped stranger: in detail while the window allows, and the
    /// window's summary once it is over.
    func logDrop(_ reason: Reason, error: TransportError, logger: Logger) {
        let (detail, summary) = record(reason)
        if detail { logger.notice("dropped unauthenticated connection: \(error)") }
        if let summary { logger.warning("\(summary)") }
    }
}
