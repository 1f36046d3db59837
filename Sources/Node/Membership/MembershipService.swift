import NIOCore
import Transport

/// Hosts SWIM: who is alive, suspect or dead, and each member's metadata
/// (address, rack, disk classes, capacity and usage per tier).
///
/// Contract (to be filled in): `run()` drives the SWIM instance's periodic tick
/// from the actor's clock and sends its messages with
/// `peers.sendOneWay(channel: .swim)`; `onSwimMessage` steps it; the other
/// services ask for the current member view (for placement and `status`).
public actor MembershipService {
    let context: NodeContext

    init(context: NodeContext) throws {
        self.context = context
    }

    func run() async throws {
        try await Task.sleep(for: .seconds(Int64.max / 2))
    }

    func onSwimMessage(_ payload: ByteBuffer, from peer: Peer) async {}

    func handleRequest(op: UInt16, payload: ByteBuffer, from peer: Peer) async throws -> ByteBuffer {
        throw RPCFailure(.unknownOperation, "membership operation \(op) is not implemented yet")
    }
}
