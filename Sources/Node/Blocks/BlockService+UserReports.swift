import YonkeProtocol
import BlockStore
import Placement
import Foundation
import NIOCore
import Transport
import YonkeCore

/// A reader that finds a replica corrupt says so (`reportCorrupt`); a user's word is not a fact,
/// or one reader could have every replica of every block dropped. The node that hears it asks the
/// holder to check its copy, and only a holder's "corrupt" reaches the master, as this machine's
/// report. One check per replica at a time, a few at once: a flood of reports costs little.
extension BlockService {
    static let maxUserReportChecks = 4

    func checkUserReport(_ payload: ByteBuffer, user: String) async throws -> ByteBuffer {
        var buffer = payload
        let id = try buffer.readWireBlockID("corrupt block")
        let node = try buffer.readWireString("corrupt replica node", maxBytes: BlockStream.maxNameBytes)
        let reason = try buffer.readWireString("corrupt reason", maxBytes: 1024)
        try buffer.expectFullyRead("corrupt report")
        let replica = Rebalance.Replica(block: id, node: node)
        guard !pendingReportChecks.contains(replica) else { return ByteBuffer() }
        guard pendingReportChecks.count < Self.maxUserReportChecks else {
            throw RPCFailure(.unavailable, "\(context.config.name) is already checking \(Self.maxUserReportChecks) reported replicas; retry later")
        }
        pendingReportChecks.insert(replica)
        defer { pendingReportChecks.remove(replica) }
        let verdict: UInt8
        if node == context.config.name {
            verdict = try await verifyHeld(id)
        } else {
            var request = ByteBuffer()
            request.writeWireBlockID(id)
            var reply = try await context.peers.call(node, op: BlockOps.Op.verifyReplica.rawValue, payload: request,
                                                     timeout: .seconds(30))
            verdict = try reply.readWireInteger("verdict")
        }
        guard verdict == 1 else {
            context.logger.notice("a user reported a replica corrupt; its holder found it intact or could not judge it",
                                  metadata: ["block": "\(id.short)", "replica": "\(node)", "user": "\(user)", "verdict": "\(verdict)"])
            return ByteBuffer()
        }
        let confirmed = "checked by \(node) after \(user)'s report: \(reason)"
        if await context.consensus.isMaster {
            onCorruptReplica(id, node: node, reason: confirmed, reporter: context.config.name)
        } else if let master = await context.consensus.masterName {
            _ = try await context.peers.call(master, op: BlockOps.Op.reportCorrupt.rawValue,
                                             payload: BlockOps.corruptReport(id, node: node, reason: confirmed),
                                             timeout: .milliseconds(Int64(context.config.timing.requestTimeoutMilliseconds)))
        }
        return ByteBuffer()
    }

    /// Holder: checks this node's copy of one block.
    func onVerifyReplica(_ payload: ByteBuffer) async throws -> ByteBuffer {
        var buffer = payload
        let id = try buffer.readWireBlockID("block")
        try buffer.expectFullyRead("verify request")
        var reply = ByteBuffer()
        reply.writeWireInteger(try await verifyHeld(id))
        return reply
    }

    private func verifyHeld(_ id: BlockID) async throws -> UInt8 {
        guard let store = disks.first(where: { $0.store.contains(id) })?.store else { return 3 }
        let verdict = try await DiskWork.run { try store.verify(id) }
        switch verdict {
        case .intact: return 0
        case .corrupt: return 1
        case .unverifiable: return 2
        case .gone: return 3
        }
    }
}
