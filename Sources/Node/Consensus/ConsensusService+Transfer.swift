import YonkeProtocol
import YonkeClient
import Catalog
import Consensus
import NIOCore
import Synchronization
import Transport
import YonkeCore

/// Sending Raft messages within the transport's frame budget: appends larger
/// than a frame are cut into chained appends (`RaftWire.encode(_:limitBytes:)`),
/// and a snapshot larger than a frame is offered by reference and fetched by
/// the follower in chunks (`CatalogOps.Op.snapshotChunk`), then stepped whole.
extension ConsensusService {
    nonisolated func sendOutgoing() async {
        for await message in outgoing {
            let limit = raftPayloadLimitBytes.load(ordering: .relaxed)
            if let payloads = RaftWire.encode(message, limitBytes: limit) {
                for payload in payloads { await context.peers.sendOneWay(to: message.to.name, channel: .raft, payload: payload) }
            } else if case .installSnapshot(let snapshot) = message.kind {
                await offer(snapshot)
                let reference = RaftWire.SnapshotReference(
                    from: message.from, to: message.to, term: message.term, metadata: snapshot.metadata,
                    sizeBytes: UInt64(snapshot.data.count), checksum: CRC32C.checksum(snapshot.data))
                await context.peers.sendOneWay(to: message.to.name, channel: .raft, payload: RaftWire.encode(reference))
            } else {
                context.logger.error("raft message larger than a transport frame, not sent",
                                     metadata: ["message": "\(message)", "limitBytes": "\(limit)"])
            }
        }
    }

    func offer(_ snapshot: Raft.Snapshot) {
        if offeredSnapshot?.metadata != snapshot.metadata { offeredSnapshot = snapshot }
    }

    /// One chunk of the offered snapshot (`CatalogOps.Op.snapshotChunk`).
    func snapshotChunk(index: Raft.Index, offset: UInt64) throws -> ByteBuffer {
        guard let snapshot = offeredSnapshot, snapshot.metadata.index == index else {
            throw RPCFailure(.notFound, "\(selfID) no longer offers snapshot \(index)")
        }
        guard offset <= UInt64(snapshot.data.count) else { throw RPCFailure(.malformed, "offset \(offset) beyond the snapshot") }
        let start = Int(offset)
        let end = min(snapshot.data.count, start + max(1, raftPayloadLimitBytes.load(ordering: .relaxed) / 2))
        var reply = ByteBuffer()
        reply.writeWireBytes(snapshot.data[start..<end])
        return reply
    }

    func startFetching(_ reference: RaftWire.SnapshotReference) {
        guard reference.metadata.index > appliedIndex, fetching?.index != reference.metadata.index else { return }
        // Before fetching up to `RaftWire.maxSnapshotBytes`: would Raft take the snapshot
        // from this sender at all (a current term, a member, sane bounds)?
        let probe = Raft.Message(from: reference.from, to: reference.to, term: reference.term, kind: .installSnapshot(
            Raft.Snapshot(metadata: reference.metadata, data: [])))
        guard raft?.wouldAccept(probe) == true else {
            logger.notice("ignored a snapshot offer Raft would refuse", metadata: [
                "from": "\(reference.from)", "term": "\(reference.term)", "index": "\(reference.metadata.index)",
            ])
            return
        }
        fetching?.task.cancel()
        fetching = (reference.metadata.index, Task { await self.fetch(reference) })
    }

    /// Reassembles a snapshot offered by reference, then steps it as the
    /// `installSnapshot` it stands for.
    func fetch(_ reference: RaftWire.SnapshotReference) async {
        defer { if fetching?.index == reference.metadata.index { fetching = nil } }
        var data: [UInt8] = []
        data.reserveCapacity(Int(min(reference.sizeBytes, 64 << 20)))
        while UInt64(data.count) < reference.sizeBytes {
            var request = ByteBuffer()
            request.writeWireInteger(reference.metadata.index)
            request.writeWireInteger(UInt64(data.count))
            do {
                var reply = try await context.peers.call(
                    reference.from.name, op: CatalogOps.Op.snapshotChunk.rawValue, payload: request, timeout: .seconds(5))
                let chunk = try reply.readWireBytes("snapshot chunk", maxBytes: RaftWire.maxDataBytes)
                guard !chunk.isEmpty, UInt64(data.count + chunk.count) <= reference.sizeBytes else {
                    throw WireError("snapshot chunk of \(chunk.count) bytes at \(data.count) of \(reference.sizeBytes)")
                }
                data.append(contentsOf: chunk)
            } catch {
                logger.notice("snapshot fetch failed; the master will offer it again",
                              metadata: ["from": "\(reference.from)", "index": "\(reference.metadata.index)", "error": "\(error)"])
                return
            }
        }
        guard CRC32C.checksum(data) == reference.checksum else {
            logger.warning("fetched snapshot fails its checksum", metadata: ["index": "\(reference.metadata.index)"])
            return
        }
        guard !stopped, raft != nil else { return }
        let snapshot = Raft.Snapshot(metadata: reference.metadata, data: data)
        guard admitSnapshot(snapshot, from: reference.from.name) else { return }
        raft?.step(.receive(Raft.Message(
            from: reference.from, to: reference.to, term: reference.term,
            kind: .installSnapshot(snapshot))))
        processReady()
    }

    var offeredSnapshotIndex: Raft.Index? { offeredSnapshot?.metadata.index }

    /// Tests lower the frame budget to exercise cut appends and snapshots by reference.
    func setRaftPayloadLimit(_ bytes: Int) { raftPayloadLimitBytes.store(bytes, ordering: .relaxed) }
}
