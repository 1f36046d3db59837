import YonkeProtocol
import YonkeClient
import BlockStore
import Logging
import NIOCore
import Transport
import YonkeCore

/// The data plane: block writes down a pipeline and block reads, each on its
/// own link (`BlockStream`). Runs outside the actor: a stream is long and
/// must not hold up reports or requests.
extension BlockService {
    /// This node's copy of a block being written.
    enum LocalCopy {
        case writing(BlockWriter)
        case failed(BlockWriteFailure)
    }

    nonisolated func serveStream(first: Transport.Message, inbound: Connection.Inbound.AsyncIterator,
                                 connection: Connection) async throws {
        switch first.kind {
        case BlockStream.writeOpen:
            try await serveWrite(open: try BlockStream.WriteOpen.decode(first.payload), inbound: inbound, upstream: connection)
        case BlockStream.readOpen:
            var payload = first.payload
            let id = try payload.readWireBlockID("read block id")
            try payload.expectFullyRead("read open")
            try await serveRead(id, to: connection, inbound: inbound)
        default:
            throw WireError("block stream cannot open with message kind \(first.kind)")
        }
    }

    // MARK: Write

    private nonisolated func serveWrite(open: BlockStream.WriteOpen, inbound: Connection.Inbound.AsyncIterator,
                                        upstream: Connection) async throws {
        let me = context.config.name
        guard !open.pipeline.contains(where: { $0.name == me }) else {
            throw WireError("pipeline for \(open.id.short) lists \(me) twice")
        }
        let timing = self.timing
        let fault = self.streamFault
        var local: LocalCopy
        do {
            local = .writing(try beginLocalWrite(id: open.id, length: open.encodedLength, tier: open.tier))
        } catch {
            local = .failed(BlockWriteFailure(node: me, error: error))
        }

        var downstream: Downstream?
        var unreachable = BlockWriteResult()
        if let next = open.pipeline.first {
            let rest = Array(open.pipeline.dropFirst())
            do {
                downstream = try await Downstream.open(
                    next, rest: rest, id: open.id, encodedLength: open.encodedLength, tier: open.tier,
                    settings: context.settings, timing: timing)
            } catch {
                unreachable = Downstream.unreachable(next, rest: rest, error: error)
            }
        }

        let watchdog = Watchdog { upstream.close() }
        defer { watchdog.stop() }
        watchdog.arm(timing.idleTimeout)
        var inbound = inbound
        var received: Int64 = 0
        var ended = false
        while let message = try await inbound.next() {
            watchdog.arm(timing.idleTimeout)
            switch message.kind {
            case BlockStream.writeData:
                received += Int64(message.payload.readableBytes)
                guard received <= open.encodedLength else {
                    throw WireError("write of \(open.id.short): more than the announced \(open.encodedLength) bytes")
                }
                async let forwarded: Void = downstream?.forward(message.payload) ?? ()
                if case .writing(let writer) = local {
                    let lent = Lent(value: writer)
                    let payload = message.payload
                    do {
                        try await DiskWork.run {
                            try payload.withUnsafeReadableBytes { raw in
                                try Result { () throws(BlockStoreError) in try lent.value.append(raw) }.get()
                            }
                        }
                    } catch {
                        local = .failed(Self.failure(of: me, error))
                    }
                }
                await forwarded
                if let fault, received >= fault.afterBytes {
                    switch fault.action {
                    case .closeLink:
                        upstream.close()
                        return
                    case .hang:
                        watchdog.disarm()
                        while !Task.isCancelled { try await Task.sleep(for: .milliseconds(100)) }
                        return
                    }
                }
            case BlockStream.writeEnd:
                ended = true
            default:
                throw WireError("message kind \(message.kind) in a write stream")
            }
            if ended { break }
        }
        // An upstream that vanished mid-block: nobody waits for a verdict, and
        // the partial copy is dropped (the writer's deinit removes it).
        guard ended else { return }
        watchdog.disarm()

        // The hops after this one commit while this one does: the fsyncs of a
        // pipeline overlap instead of adding up.
        async let downstreamResult = downstream?.finish()
        var result = BlockWriteResult()
        switch local {
        case .writing(let writer):
            do {
                let lent = Lent(value: writer)
                let id = try await DiskWork.run { try lent.value.commit().id }
                result.storedOn.append(me)
                await onStored(id)
            } catch {
                result.failed.append(Self.failure(of: me, error))
            }
        case .failed(let failure):
            result.failed.append(failure)
        }
        result.append(await downstreamResult ?? unreachable)
        context.logger.debug("block write done", metadata: [
            "block": "\(open.id.short)", "stored": "\(result.storedOn)", "failed": "\(result.failed)"])
        try await upstream.send(kind: BlockStream.writeResult, payload: BlockStream.encodeResult(result))
        watchdog.arm(timing.ioTimeout)
        try await Self.awaitClose(inbound)
    }

    /// Picks the disk for a block: the one already holding it (a retry), else
    /// the emptiest that fits (SSDs first for the hot tier).
    nonisolated func beginLocalWrite(id: BlockID, length: Int64, tier: String) throws -> BlockWriter {
        if let holder = disks.first(where: { $0.store.contains(id) }) {
            return try holder.store.beginWrite(expectedLength: length, expectedID: id)
        }
        let preferSSD = tier == "hot"
        let ordered = disks.sorted { a, b in
            let aPreferred = preferSSD && a.disk.diskClass == .ssd
            let bPreferred = preferSSD && b.disk.diskClass == .ssd
            if aPreferred != bPreferred { return aPreferred }
            return a.store.usage.freeBytes > b.store.usage.freeBytes
        }
        var lastError: BlockStoreError?
        for candidate in ordered {
            do {
                return try candidate.store.beginWrite(expectedLength: length, expectedID: id)
            } catch {
                lastError = error
            }
        }
        switch lastError {
        case .capacityExceeded?, .diskFull?, nil:
            let free = disks.map(\.store.usage.freeBytes).max() ?? 0
            throw RPCFailure(.insufficientCapacity,
                "\(context.config.name) has no room for \(ByteCount.format(length)) (largest free: \(ByteCount.format(free)))")
        case let error?:
            throw RPCFailure(.refused, "\(context.config.name): \(error)")
        }
    }

    /// A local store error as a replica failure: out of room (configured or
    /// real) is `insufficientCapacity`, so the writer places the block elsewhere.
    nonisolated static func failure(of node: String, _ error: any Error) -> BlockWriteFailure {
        switch error as? BlockStoreError {
        case .capacityExceeded?, .diskFull?: BlockWriteFailure(node: node, code: .insufficientCapacity, reason: "\(error)")
        case _?: BlockWriteFailure(node: node, code: .refused, reason: "\(error)")
        case nil: BlockWriteFailure(node: node, error: error)
        }
    }

    // MARK: Read

    private nonisolated func serveRead(_ id: BlockID, to client: Connection,
                                       inbound: Connection.Inbound.AsyncIterator) async throws {
        let stream: BlockReadStream
        do {
            guard let holder = disks.first(where: { $0.store.contains(id) }) else {
                throw RPCFailure(.notFound, "\(context.config.name) does not hold block \(id.short)")
            }
            stream = try holder.store.openRead(id)
        } catch {
            let failure = (error as? RPCFailure) ?? RPCFailure(.unavailable, "\(context.config.name): \(error)")
            try await client.send(kind: BlockStream.failure, payload: BlockStream.encodeFailure(failure))
            return
        }
        let timing = self.timing
        var start = ByteBuffer()
        start.writeWireInteger(UInt64(stream.length))
        try await client.send(kind: BlockStream.readStart, payload: start)
        // A reader that stops reading holds this task only until the watchdog cuts it off.
        let watchdog = Watchdog { client.close() }
        defer { watchdog.stop() }
        var sent: Int64 = 0
        while sent < stream.length {
            let lent = Lent(value: stream)
            let wanted = min(timing.chunkBytes, client.maxPayloadBytes, Int(stream.length - sent))
            let piece = try await DiskWork.run { try lent.value.next(maxBytes: wanted) }
            guard !piece.isEmpty else {
                throw RPCFailure(.internalError, "block \(id.short) shrank while being read")
            }
            watchdog.arm(timing.idleTimeout)
            try await client.send(kind: BlockStream.readData, bytes: piece)
            sent += Int64(piece.count)
        }
        watchdog.arm(timing.ioTimeout)
        try await Self.awaitClose(inbound)
    }

    /// Lets the peer read the last message and hang up first (closing at once
    /// could cut off what is still in flight); the caller's watchdog bounds it.
    nonisolated static func awaitClose(_ inbound: Connection.Inbound.AsyncIterator) async throws {
        var inbound = inbound
        while let message = try await inbound.next() {
            throw WireError("message kind \(message.kind) after the end of a block stream")
        }
    }
}
