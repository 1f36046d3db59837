import YonkeProtocol
import Catalog
import BlockCodec
import Logging
import NIOCore
import Transport
import YonkeCore

/// What the CLI uses to move blocks: it streams encoded blocks to the nodes
/// itself (the master only says where), so block data never funnels through
/// the master. Nodes hold only ciphertext; this client holds the keyring and
/// verifies what it reads.
///
/// A put of one block: `placement` → `write` to the targets (one stream down
/// the pipeline) → for each failed replica, `placement` again excluding it and
/// a `write` of just that block (`put` does all of this). Identical content has
/// the same id, so every retry is idempotent.
public struct BlockClient: Sendable {
    public let settings: Transport.Settings
    public let timing: BlockTiming

    public init(settings: Transport.Settings, timing: BlockTiming = .lan) {
        self.settings = settings
        self.timing = timing
    }

    // MARK: Data

    /// Streams one encoded block to `targets[0]`, which stores it and forwards
    /// it down the rest of `targets` (a pipeline). Returns who stored it durably
    /// and who failed (with the reason); it throws only for a block that is not
    /// what `id` says or an empty target list.
    public func write(encoded: [UInt8], id: BlockID, targets: [BlockTarget], tier: String = "hot") async throws -> BlockWriteResult {
        guard let first = targets.first else { throw BlockClientError.noTargets(block: id) }
        let found: BlockID
        do { found = try BlockCodec.blockID(ofEncoded: encoded) } catch {
            throw BlockClientError.invalidBlock(block: id, reason: "\(error)")
        }
        guard found == id else { throw BlockClientError.invalidBlock(block: id, reason: "its header names block \(found.short)") }
        let rest = Array(targets.dropFirst())
        let downstream: Downstream
        do {
            downstream = try await Downstream.open(
                first, rest: rest, id: id, encodedLength: Int64(encoded.count), tier: tier,
                settings: settings, timing: timing)
        } catch {
            return Downstream.unreachable(first, rest: rest, error: error)
        }
        let chunkBytes = max(1, min(timing.chunkBytes, downstream.maxPayloadBytes))
        var offset = 0
        while offset < encoded.count, downstream.failed == nil {
            let end = min(offset + chunkBytes, encoded.count)
            var piece = ByteBuffer()
            piece.reserveCapacity(end - offset)
            piece.writeBytes(encoded[offset..<end])
            await downstream.forward(piece)
            offset = end
        }
        return await downstream.finish()
    }

    /// Places, writes and re-places failed replicas (excluding the nodes that
    /// failed) until `replicas` nodes hold the block or `maxAttempts` rounds
    /// are spent. Returns where the block is stored; `failed` lists the
    /// failures of nodes that do not hold it in the end. Right after a master
    /// change the new master may briefly know fewer live machines (it is still
    /// hearing from them), so a round that found too few targets pauses before
    /// asking again.
    public func put(encoded: [UInt8], id: BlockID, tier: String = "hot", replicas: Int? = nil, cluster: ClusterClient,
                    maxAttempts: Int = 8) async throws -> BlockWriteResult {
        var targets = try await Self.placement(blockID: id, encodedBytes: Int64(encoded.count), tier: tier,
                                               exclude: [], client: cluster)
        let wanted = replicas ?? targets.count
        var stored: [String] = []
        var failures: [BlockWriteFailure] = []
        for attempt in 1...max(1, maxAttempts) {
            if !targets.isEmpty {
                let result = try await write(encoded: encoded, id: id, targets: targets, tier: tier)
                stored += result.storedOn
                failures += result.failed
            }
            guard stored.count < wanted, attempt < maxAttempts else { break }
            if targets.count < wanted - (stored.count - targets.count) || targets.isEmpty {
                try await Task.sleep(for: .milliseconds(250))
            }
            let avoid = stored + failures.filter(\.wasReached).map(\.node)
            let more = try? await Self.placement(blockID: id, encodedBytes: Int64(encoded.count), tier: tier,
                                                 exclude: avoid, client: cluster)
            targets = Array((more ?? []).prefix(wanted - stored.count))
        }
        return BlockWriteResult(storedOn: stored, failed: failures.filter { !stored.contains($0.node) })
    }

    /// The encoded block from the first replica that serves it intact, trying
    /// `replicas` in order. With a `codec` every frame is authenticated (a
    /// corrupt replica is skipped and, with `reportingTo`, reported to the
    /// master); without one only the header's id is checked.
    public func read(id: BlockID, replicas: [BlockTarget], codec: BlockCodec? = nil,
                     reportingTo cluster: ClusterClient? = nil) async throws -> [UInt8] {
        try await fetchVerified(id: id, replicas: replicas, codec: codec, reportingTo: cluster).encoded
    }

    /// Like `read`, but returns the plaintext (decoded once, while verifying).
    public func readDecoded(id: BlockID, replicas: [BlockTarget], codec: BlockCodec,
                            reportingTo cluster: ClusterClient? = nil) async throws -> [UInt8] {
        try await fetchVerified(id: id, replicas: replicas, codec: codec, reportingTo: cluster).plaintext ?? []
    }

    private func fetchVerified(id: BlockID, replicas: [BlockTarget], codec: BlockCodec?,
                               reportingTo cluster: ClusterClient?) async throws -> (encoded: [UInt8], plaintext: [UInt8]?) {
        guard !replicas.isEmpty else { throw BlockClientError.noReplica(block: id, attempts: ["no replica is known"]) }
        var attempts: [String] = []
        for replica in replicas {
            let encoded: [UInt8]
            do {
                encoded = try await fetch(id, from: replica)
            } catch {
                attempts.append("\(replica.name): \(error)")
                continue
            }
            do {
                if let codec { return (encoded, try codec.decode(encoded, expecting: id)) }
                let found = try BlockCodec.blockID(ofEncoded: encoded)
                guard found == id else { throw BlockCodecError.unexpectedBlock(expected: id, found: found) }
                return (encoded, nil)
            } catch {
                attempts.append("\(replica.name): corrupt: \(error)")
                if let cluster {
                    try? await Self.reportCorrupt(blockID: id, node: replica.name, reason: "\(error)", client: cluster)
                }
            }
        }
        throw BlockClientError.noReplica(block: id, attempts: attempts)
    }

    /// One replica's bytes, unverified. Every wait is bounded by `ioTimeout`.
    public func fetch(_ id: BlockID, from replica: BlockTarget) async throws -> [UInt8] {
        let link = try await StreamLink.open(replica, settings: settings, timeout: timing.ioTimeout)
        defer { link.release() }
        let ioTimeout = timing.ioTimeout
        let watchdog = Watchdog { link.connection.close() }
        defer { watchdog.stop() }
        watchdog.arm(ioTimeout)
        var open = ByteBuffer()
        open.writeWireBlockID(id)
        try await link.connection.send(kind: BlockStream.readOpen, payload: open)
        var inbound = link.connection.inbound.makeAsyncIterator()
        var expected: Int?
        var bytes: [UInt8] = []
        do {
            while let message = try await inbound.next() {
                watchdog.arm(ioTimeout)
                var payload = message.payload
                switch (message.kind, expected) {
                case (BlockStream.readStart, nil):
                    let length: UInt64 = try payload.readWireInteger("read length")
                    let ceiling = UInt64(BlockFormat.maxBlockSizeBytes) * 2
                    guard length <= ceiling else { throw WireError("read length \(length) above \(ceiling)") }
                    expected = Int(length)
                    bytes.reserveCapacity(Int(length))
                case (BlockStream.readData, let length?):
                    guard bytes.count + payload.readableBytes <= length else { throw WireError("more bytes than announced") }
                    payload.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
                case (BlockStream.failure, nil):
                    throw try BlockStream.decodeFailure(payload)
                default:
                    throw WireError("unexpected message kind \(message.kind) in a read stream")
                }
                if let length = expected, bytes.count == length { return bytes }
            }
        } catch where watchdog.fired {
            throw RPCFailure(.timeout, "\(replica.name) stalled for more than \(ioTimeout)")
        }
        if watchdog.fired { throw RPCFailure(.timeout, "\(replica.name) stalled for more than \(ioTimeout)") }
        throw RPCFailure(.unavailable, "\(replica.name) closed the stream after \(bytes.count) of \(expected.map(String.init) ?? "?") bytes")
    }

    // MARK: Master operations (any endpoint; forwarded to the master)

    /// Ordered targets for a new block (first = pipeline head), chosen by the
    /// master from live workers with room, leaving out `exclude`.
    public static func placement(blockID: BlockID, encodedBytes: Int64, tier: String = "hot", exclude: [String] = [],
                                 client: ClusterClient) async throws -> [BlockTarget] {
        let request = BlockOps.PlacementRequest(id: blockID, encodedBytes: encodedBytes, tier: tier, exclude: exclude)
        var reply = try await client.call(op: BlockOps.Op.placement.rawValue, payload: request.encoded())
        let targets = try BlockOps.decodeTargets(&reply)
        try reply.expectFullyRead("placement")
        return targets
    }

    /// Live replicas per block as the master's block map knows them (an unknown block maps to []).
    public static func locations(_ ids: [BlockID], client: ClusterClient) async throws -> [BlockID: [BlockTarget]] {
        try await locate(ids, client: client).replicas
    }

    /// Live replicas per block, and how many live machines the master still
    /// waits a full report from (while > 0, a block may have more replicas).
    public static func locate(_ ids: [BlockID], client: ClusterClient) async throws
        -> (replicas: [BlockID: [BlockTarget]], reportsPending: Int)
    {
        var result: [BlockID: [BlockTarget]] = [:]
        var pending = 0
        var start = 0
        while start < ids.count {
            let end = min(start + BlockOps.maxLocationQuery, ids.count)
            let reply = try await client.call(op: BlockOps.Op.locations.rawValue, payload: BlockOps.encodeIDs(Array(ids[start..<end])))
            let part = try BlockOps.decodeLocations(reply)
            result.merge(part.byBlock) { $1 }
            pending = max(pending, part.reportsPending)
            start = end
        }
        return (result, pending)
    }

    public static func capacity(client: ClusterClient) async throws -> CapacityReport {
        try CapacityReport.decode(try await client.call(op: BlockOps.Op.capacity.rawValue, payload: ByteBuffer()))
    }

    /// What the master's rebalancer still has to move (`yonke rebalance plan`).
    public static func rebalancePlan(client: ClusterClient) async throws -> RebalanceReport {
        try RebalanceReport.decode(try await client.call(op: BlockOps.Op.rebalancePlan.rawValue, payload: ByteBuffer()))
    }

    /// `yonke node drain`: no new replicas, everything moves off; it stays readable.
    public static func drain(_ name: String, client: ClusterClient) async throws -> RebalanceReport {
        try await setMachineState(name, .draining, client: client)
    }

    public static func undrain(_ name: String, client: ClusterClient) async throws -> RebalanceReport {
        try await setMachineState(name, .active, client: client)
    }

    /// `yonke node remove`: refused while the machine holds a replica its block needs.
    public static func remove(_ name: String, client: ClusterClient) async throws -> RebalanceReport {
        try await setMachineState(name, .removed, client: client)
    }

    public static func setMachineState(_ name: String, _ state: Catalog.MachineState, client: ClusterClient) async throws -> RebalanceReport {
        var payload = ByteBuffer()
        payload.writeWireString(name)
        payload.writeWireInteger(state.rawValue)
        return try RebalanceReport.decode(try await client.call(op: BlockOps.Op.setMachineState.rawValue, payload: payload, timeout: .seconds(20)))
    }

    /// Tells the master a replica failed verification, so it stops counting it.
    public static func reportCorrupt(blockID: BlockID, node: String, reason: String, client: ClusterClient) async throws {
        _ = try await client.call(op: BlockOps.Op.reportCorrupt.rawValue, payload: BlockOps.corruptReport(blockID, node: node, reason: reason))
    }
}

public enum BlockClientError: Error, Sendable, CustomStringConvertible {
    case noTargets(block: BlockID)
    case invalidBlock(block: BlockID, reason: String)
    case noReplica(block: BlockID, attempts: [String])

    public var description: String {
        switch self {
        case let .noTargets(block): "block \(block.short): no target node to write to"
        case let .invalidBlock(block, reason): "block \(block.short) is not a valid encoded block: \(reason)"
        case let .noReplica(block, attempts):
            "block \(block.short): no replica could serve it (\(attempts.joined(separator: "; ")))"
        }
    }
}
