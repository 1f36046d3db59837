import YonkeProtocol
import YonkeClient
import Foundation
import Logging
import NIOCore
import Transport

/// Asks one node for its own scrubber figures (not forwarded: every node
/// answers for itself). `yonke status` asks each member in parallel.
///
///     status  empty → JSON (`ScrubStatus`)
public enum ScrubOps {
    static func statusReply(_ status: ScrubStatus) -> ByteBuffer { JSONPayload.encode(status) }

    /// The figures of the node at `address` (which must present itself as `name`), or an error within `timeout`.
    public static func status(of name: String, at address: PeerDirectory.Address, settings: Transport.Settings,
                              logger: Logger, timeout: Duration = .seconds(1)) async throws -> ScrubStatus {
        let (link, task) = try await RPCConnector.open(
            address, expectedName: name, settings: settings, handler: RefusingHandler(), logger: logger, timeout: timeout)
        defer {
            link.close()
            task.cancel()
        }
        let reply = try await link.call(op: RPCOperation.scrubStatus.code, payload: ByteBuffer(), timeout: timeout)
        return try JSONPayload.decode(ScrubStatus.self, from: reply, what: "\(name)'s scrub status")
    }
}
