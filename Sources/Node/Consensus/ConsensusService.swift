import NIOCore
import Transport

/// Hosts Raft (on voters) and the catalog state machine it replicates.
///
/// Contract with the rest of the node (to be filled in):
/// - `run()`: ticks Raft from the actor's clock, persists hard state and entries
///   (Consensus file storage under `config.raftDirectory`, fsync before sending),
///   sends Raft messages with `peers.sendOneWay(channel: .raft)`, applies
///   committed entries to `Catalog.State`, answers waiting proposals.
/// - `onRaftMessage`: decodes and steps a Raft message (malformed → dropped, logged).
/// - `handleRequest` for `RPCOperationRange.consensus`: catalog operations,
///   forwarded to the master by whichever node was asked; `noQuorum` when none.
/// - For the other services: `masterName`, `propose(_:)`, linearizable reads.
public actor ConsensusService {
    let context: NodeContext

    init(context: NodeContext) throws {
        self.context = context
    }

    func run() async throws {
        try await Task.sleep(for: .seconds(Int64.max / 2))
    }

    func onRaftMessage(_ payload: ByteBuffer, from peer: Peer) async {}

    func handleRequest(op: UInt16, payload: ByteBuffer, from peer: Peer) async throws -> ByteBuffer {
        throw RPCFailure(.unknownOperation, "consensus operation \(op) is not implemented yet")
    }
}
