import YonkeProtocol
import YonkeClient
import Catalog
import NIOCore
import Placement
import YonkeCore

/// On the master: blocks no file references are deleted from their holders
/// once the garbage grace has passed (see `Rebalance.GarbageTracker`).
extension BlockService {
    /// Collections due this round, from the scheduler's view of the catalog.
    func garbageDue(_ inputs: Rebalance.Scheduler.Inputs) -> [(block: BlockID, holders: [String])] {
        let referenced = Set(inputs.blocks.map(\.id))
        let due = rebalancer.garbage.step(held: ledger.map.knownBlocks, referenced: referenced, nowMilliseconds: nowMilliseconds)
        return due.map { ($0, ledger.map.replicas(of: $0)) }
    }

    /// Asks every holder to delete the block (each keeps it if it was written
    /// within the grace: a put of the same content may be under way).
    func collectGarbage(_ block: BlockID, holders: [String]) async {
        let idleSeconds = rebalancer.garbage.graceMilliseconds / 1000
        for holder in holders {
            var payload = ByteBuffer()
            payload.writeWireBlockID(block)
            payload.writeWireInteger(idleSeconds)
            do {
                var reply = try await callHolder(holder, op: .collectGarbage, payload: payload,
                                                 timeout: .milliseconds(Int64(context.config.timing.requestTimeoutMilliseconds)))
                let gone: UInt8 = try reply.readWireInteger("garbage reply")
                if gone == 1 { ledger.map.onBlocksRemoved(node: holder, blocks: [block]) }
            } catch {
                context.logger.notice("could not collect an unreferenced block; later", metadata: [
                    "block": "\(block.short)", "holder": "\(holder)", "error": "\(error)"])
            }
        }
        rebalancer.garbage.onFinished(block)
    }
}
