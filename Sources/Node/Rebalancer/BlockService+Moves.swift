import YonkeProtocol
import YonkeClient
import BlockStore
import NIOCore
import Placement
import YonkeCore

/// A holder's side of healing and rebalancing: copy a block it holds to
/// another node, or delete its copy, when the master asks.
extension BlockService {
    private func requireMaster(_ sender: String, _ what: String) async throws {
        let master = await context.consensus.masterName
        guard sender == master else {
            throw RPCFailure(.refused, "\(context.config.name) takes \(what) requests only from the master (\(master ?? "unknown")), not \(sender)")
        }
    }

    /// `replicate`: streams the stored (encoded) block to the target as a
    /// one-node write pipeline, paced by this node's copy limit; answers once
    /// the target has it on disk (the target reports it to the master).
    func onReplicate(_ payload: ByteBuffer, from sender: String) async throws -> ByteBuffer {
        var buffer = payload
        let id = try buffer.readWireBlockID("replicate block")
        let tier = try buffer.readWireString("replicate tier", maxBytes: 32)
        let target = try buffer.readTarget()
        try buffer.expectFullyRead("replicate request")
        try await requireMaster(sender, "replicate")
        guard target.name != context.config.name else {
            throw RPCFailure(.refused, "\(context.config.name) cannot copy block \(id.short) to itself")
        }
        guard await context.membership.member(named: target.name)?.isAlive == true else {
            throw RPCFailure(.refused, "\(context.config.name) will not copy block \(id.short) to \(target.name): it is not a live member here")
        }
        try await copy(id, tier: tier, to: target)
        return ByteBuffer()
    }

    private nonisolated func copy(_ id: BlockID, tier: String, to target: BlockTarget) async throws {
        guard let holder = disks.first(where: { $0.store.contains(id) }) else {
            throw RPCFailure(.notFound, "\(context.config.name) does not hold block \(id.short)")
        }
        let stream: BlockReadStream
        do { stream = try holder.store.openRead(id) } catch {
            throw RPCFailure(.unavailable, "\(context.config.name) cannot read block \(id.short): \(error)")
        }
        let timing = self.timing
        let downstream = try await Downstream.open(target, rest: [], id: id, encodedLength: stream.length, tier: tier,
                                                   settings: context.settings, timing: timing)
        var sent: Int64 = 0
        while sent < stream.length {
            let piece = try stream.next(maxBytes: min(timing.chunkBytes, downstream.maxPayloadBytes, Int(stream.length - sent)))
            guard !piece.isEmpty else { throw RPCFailure(.internalError, "block \(id.short) shrank while being copied") }
            try await pace(Int64(piece.count))
            await downstream.forward(ByteBuffer(bytes: piece))
            if let failure = downstream.failed { throw RPCFailure(failure.code, failure.reason) }
            sent += Int64(piece.count)
        }
        let result = await downstream.finish()
        guard result.storedOn.contains(target.name) else {
            let reason = result.failed.first.map(\.description) ?? "no confirmation"
            throw RPCFailure(.unavailable, "copy of \(id.short) to \(target.name) failed: \(reason)")
        }
    }

    /// Waits until this node's copy bucket allows `bytes` more.
    private nonisolated func pace(_ bytes: Int64) async throws {
        while true {
            let now = nowMilliseconds
            let wait = copyPacing.withLock { bucket -> Int64 in
                bucket.refill(nowMilliseconds: now)
                guard bucket.isReady else { return max(1, bucket.waitMilliseconds(for: 1)) }
                bucket.take(bytes)
                return 0
            }
            if wait == 0 { return }
            try await Task.sleep(for: .milliseconds(wait))
        }
    }

    /// `deleteReplica`: idempotent; the removal reaches the master in a block report.
    func onDeleteReplica(_ payload: ByteBuffer, from sender: String) async throws -> ByteBuffer {
        var buffer = payload
        let id = try buffer.readWireBlockID("delete block")
        try buffer.expectFullyRead("delete request")
        try await requireMaster(sender, "delete")
        for local in disks where local.store.contains(id) {
            do { try local.store.delete(id) } catch {
                throw RPCFailure(.unavailable, "\(context.config.name) cannot delete block \(id.short): \(error)")
            }
        }
        context.logger.info("replica deleted at the master's request", metadata: ["block": "\(id.short)"])
        await onRemoved(id)
        return ByteBuffer()
    }

    /// `collectGarbage`: a block no file references, kept if it was written (or
    /// written again by a put of the same content) within the idle time.
    func onCollectGarbage(_ payload: ByteBuffer, from sender: String) async throws -> ByteBuffer {
        var buffer = payload
        let id = try buffer.readWireBlockID("garbage block")
        let idleSeconds: Int64 = try buffer.readWireInteger("garbage idle seconds")
        try buffer.expectFullyRead("garbage request")
        try await requireMaster(sender, "collect garbage")
        var gone = true
        for local in disks where local.store.contains(id) {
            do { gone = try local.store.deleteIfIdle(id, idleSeconds: max(0, idleSeconds)) && gone } catch {
                throw RPCFailure(.unavailable, "\(context.config.name) cannot delete block \(id.short): \(error)")
            }
        }
        if gone {
            context.logger.info("unreferenced block deleted", metadata: ["block": "\(id.short)"])
            await onRemoved(id)
        }
        var reply = ByteBuffer()
        reply.writeWireInteger(UInt8(gone ? 1 : 0))
        return reply
    }
}
