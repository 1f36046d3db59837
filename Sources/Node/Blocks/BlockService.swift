import NIOCore
import Transport

/// Hosts the node's block stores (one per disk of the topology) and the data
/// plane: replicated block writes down a pipeline, block reads, block reports
/// to the master, and (on the master) the block map and capacity figures.
///
/// Contract (to be filled in): `handleStream` serves a link that opened with a
/// `MessageKind.blockStreamRange` message (write or read of one block);
/// `onBlockReport` (master) folds a node's report into the block map.
public actor BlockService {
    let context: NodeContext

    init(context: NodeContext) throws {
        self.context = context
    }

    func run() async throws {
        try await Task.sleep(for: .seconds(Int64.max / 2))
    }

    func onBlockReport(_ payload: ByteBuffer, from peer: Peer) async {}

    func handleRequest(op: UInt16, payload: ByteBuffer, from peer: Peer) async throws -> ByteBuffer {
        throw RPCFailure(.unknownOperation, "block operation \(op) is not implemented yet")
    }

    nonisolated func handleStream(first: Transport.Message, inbound: Connection.Inbound.AsyncIterator, connection: Connection) async throws {
        throw RPCFailure(.unknownOperation, "block stream kind \(first.kind) is not implemented yet")
    }
}
