import YonkeProtocol
import YonkeClient
import Catalog
import Consensus
import NIOCore
import Transport

/// Serving `CatalogOps`: client operations are answered by the master (relayed
/// there by whichever node was asked), node-to-node operations by their target.
extension ConsensusService {
    func handleRequest(_ known: CatalogOps.Op, payload: ByteBuffer, from peer: Peer) async throws -> ByteBuffer {
        guard !isStopped else { throw RPCFailure(.unavailable, "\(selfID) is stopping") }
        switch known {
        case .status:
            return await status()
        case .ls, .stat, .commitFile, .rm, .joinToken, .moveMaster, .users:
            return try await relayToMaster(known, payload: payload)
        case .keyring:
            return try keyringReply()
        case .keyShare:
            return keyShareReply()
        case .join:
            // Never relayed: the joiner's own link to the master proves the token in force there,
            // while a relay's link may predate a rotation that has not reached it yet.
            guard isMaster else {
                throw RPCFailure(.notMaster, "\(selfID) is not the master (master: \(masterName ?? "unknown")); a join goes to the master")
            }
            return try await serveJoin(try admissionPayload(payload, from: peer))
        case .registry:
            return try registryReply()
        case .jobDefine, .jobList, .jobStart, .jobRenew, .jobCommit, .jobFail, .jobResetBookmark, .jobRunNow:
            return try await relayToMaster(known, payload: payload)
        case .jobExecute:
            return try await serveJobExecute(payload, from: peer.name)
        case .s3KeyCreate, .s3KeyLookup:
            return try await relayToMaster(known, payload: payload)
        case .forward:
            var input = payload
            let raw: UInt16 = try input.readWireInteger("forwarded op")
            guard let inner = CatalogOps.Op(rawValue: raw),
                  [.ls, .stat, .commitFile, .rm, .joinToken, .moveMaster, .users].contains(inner) || CatalogOps.Op.jobClientOps.contains(inner)
                    || CatalogOps.Op.s3KeyOps.contains(inner) else {
                throw RPCFailure(.malformed, "operation \(raw) cannot be forwarded")
            }
            guard isMaster else { throw RPCFailure(.notMaster, "\(selfID) is not the master") }
            return try await serveAsMaster(inner, payload: input)
        case .propose:
            guard isMaster else { throw RPCFailure(.notMaster, "\(selfID) is not the master") }
            var input = payload
            let bytes = input.readRemainingBytes()
            let command: Catalog.Command
            do { command = try Catalog.Command.decode(bytes) } catch {
                throw RPCFailure(.malformed, "proposed command does not decode: \(error)")
            }
            let deadline = ContinuousClock.now + Self.masterWait
            let (index, term) = try proposeAsLeader(command.encoded(), deadline: deadline).get()
            // Answer once applied here, so the caller's replica has it committed too.
            _ = try await outcome(index: index, term: term, deadline: deadline)
            var reply = ByteBuffer()
            reply.writeWireInteger(index)
            reply.writeWireInteger(term)
            return reply
        case .readIndex:
            guard isMaster else { throw RPCFailure(.notMaster, "\(selfID) is not the master") }
            guard let index = try await readIndexAsLeader(deadline: ContinuousClock.now + Self.masterWait) else {
                throw RPCFailure(.unavailable, "\(selfID) cannot serve reads yet (new master, or no longer master)")
            }
            var reply = ByteBuffer()
            reply.writeWireInteger(index)
            return reply
        case .snapshotChunk:
            var input = payload
            let index: UInt64 = try input.readWireInteger("snapshot index")
            let offset: UInt64 = try input.readWireInteger("snapshot offset")
            try input.expectFullyRead("snapshot chunk request")
            return try snapshotChunk(index: index, offset: offset)
        case .whoIsMaster:
            let status = raftStatus()
            var reply = ByteBuffer()
            reply.writeConsensusBool(status.master != nil)
            reply.writeWireString(status.master ?? "")
            reply.writeWireInteger(status.term)
            reply.writeWireInteger(status.commitIndex)
            return reply
        }
    }

    /// Serves a client operation here when master, else relays it whole to the
    /// master; `noQuorum` when none answers within `masterWait`.
    private func relayToMaster(_ op: CatalogOps.Op, payload: ByteBuffer) async throws -> ByteBuffer {
        let deadline = ContinuousClock.now + Self.masterWait
        while true {
            if isMaster { return try await serveAsMaster(op, payload: payload) }
            if let master = masterName, master != selfID.name {
                if let link = await link(to: master, deadline: deadline) {
                    var request = ByteBuffer()
                    request.writeWireInteger(op.rawValue)
                    request.writeImmutableBuffer(payload)
                    do {
                        return try await link.call(op: CatalogOps.Op.forward.rawValue, payload: request, timeout: remaining(deadline))
                    } catch let failure as RPCFailure where failure.code == .notMaster {
                        // It refused before doing anything: ask whoever leads now.
                        forgetMaster()
                    } catch let failure as RPCFailure where failure.code == .timeout {
                        throw Self.noQuorum
                    }
                } else {
                    forgetMaster()
                }
            }
            try await pause(until: deadline)
        }
    }

    private func serveAsMaster(_ op: CatalogOps.Op, payload: ByteBuffer) async throws -> ByteBuffer {
        var input = payload
        switch op {
        case .ls:
            let prefix = try input.readLakePath("prefix")
            let recursive = try input.readConsensusBool("recursive")
            let after = try input.readConsensusBool("has cursor") ? try input.readLakePath("cursor") : nil
            try input.expectFullyRead("ls request")
            let listing = try await read { state -> Result<[Catalog.Entry], Catalog.Refusal> in
                do throws(Catalog.Refusal) {
                    let entries = try state.list(prefix: prefix, recursive: recursive)
                    guard let after else { return .success(entries) }
                    return .success(Array(entries.drop { !Catalog.State.listedBefore(after, $0.path) }))
                } catch {
                    return .failure(error)
                }
            }
            switch listing {
            case .success(let entries): return CatalogOps.encodeListing(entries)
            case .failure(let refusal): throw Self.failure(refusal)
            }
        case .stat:
            let path = try input.readLakePath("path")
            try input.expectFullyRead("stat request")
            guard let entry = try await read({ $0.stat(path) }) else { throw Self.failure(.notFound(path)) }
            var reply = ByteBuffer()
            reply.writeFileInfo(CatalogOps.fileInfo(entry))
            return reply
        case .commitFile:
            let request = try CatalogOps.CommitRequest.decode(payload)
            var sum: Int64 = 0
            for block in request.blocks {
                let (next, overflow) = sum.addingReportingOverflow(block.sizeBytes)
                guard !overflow else { throw RPCFailure(.malformed, "block sizes overflow") }
                sum = next
            }
            guard sum == request.sizeBytes else {
                throw RPCFailure(.malformed, "file size \(request.sizeBytes) is not the sum of its blocks (\(sum))")
            }
            let commit = Catalog.CommitFile(
                path: request.path, blocks: request.blocks,
                metadata: Catalog.FileMetadata(source: request.source, contentType: request.contentType, tier: request.tier),
                overwrite: request.overwrite, createParents: true,
                epochMillis: request.loadTimeMillis ?? Self.nowEpochMillis())
            switch try await propose(.commitFile(commit)) {
            case .applied(.fileCommitted(let committed)): return CatalogOps.encodeCommitResult(committed)
            case .refused(let refusal): throw Self.failure(refusal)
            case .applied(let other): throw RPCFailure(.internalError, "commitFile had an unexpected effect \(other)")
            }
        case .rm:
            let path = try input.readLakePath("path")
            let recursive = try input.readConsensusBool("recursive")
            try input.expectFullyRead("rm request")
            switch try await propose(.delete(path: path, recursive: recursive)) {
            case .applied(.deleted(let deleted)): return CatalogOps.encodeRemoveResult(deleted)
            case .refused(let refusal): throw Self.failure(refusal)
            case .applied(let other): throw RPCFailure(.internalError, "rm had an unexpected effect \(other)")
            }
        case .joinToken:
            return try await serveJoinToken(payload)
        case .moveMaster:
            let voter = try input.readWireString("voter", maxBytes: RaftWire.maxNameBytes)
            try input.expectFullyRead("move-master request")
            let (master, term) = try await moveMaster(to: voter)
            var reply = ByteBuffer()
            reply.writeWireString(master)
            reply.writeWireInteger(term)
            return reply
        case .users:
            return try await serveUsers(UsersWire.decodeRequest(payload))
        case .jobDefine, .jobList, .jobStart, .jobRenew, .jobCommit, .jobFail, .jobResetBookmark, .jobRunNow:
            return try await serveJobs(op, payload: payload)
        case .s3KeyCreate, .s3KeyLookup:
            return try await serveS3Keys(op, payload: payload)
        case .status, .propose, .readIndex, .whoIsMaster, .forward, .snapshotChunk, .registry, .join, .keyring, .keyShare, .jobExecute:
            throw RPCFailure(.malformed, "\(op) is not a client catalog operation")
        }
    }

    static func failure(_ refusal: Catalog.Refusal) -> RPCFailure {
        switch refusal {
        case .notFound: RPCFailure(.notFound, refusal.description)
        case .alreadyExists: RPCFailure(.alreadyExists, refusal.description)
        default: RPCFailure(.refused, refusal.description)
        }
    }

    /// Answered by any node from what it knows (useful to diagnose a minority side).
    private func status() async -> ByteBuffer {
        let raft = raftStatus()
        var members = await context.membership.members().map {
            CatalogOps.ClusterStatus.Member(name: $0.name, address: $0.address, state: $0.state,
                                            incarnation: $0.incarnation, roles: $0.roles)
        }
        // Registered machines gossip has not heard of yet (a join in progress, a machine down
        // since before this node started) are listed too.
        for machine in context.registry.machines where !members.contains(where: { $0.name == machine.name }) {
            members.append(CatalogOps.ClusterStatus.Member(
                name: machine.name, address: machine.address.description, state: "unknown", incarnation: 0,
                roles: machine.roles.map(\.rawValue)))
        }
        let configuration = self.raft?.configuration
        return CatalogOps.encodeStatus(CatalogOps.ClusterStatus(
            master: raft.master, term: raft.term, commitIndex: raft.commitIndex, answeredBy: selfID.name,
            role: raft.role, members: members, blockSizeBytes: context.config.topology.cluster.blockSizeBytes,
            replicationFactor: context.config.topology.cluster.replicationFactor,
            voters: configuration?.voters.map(\.name) ?? [], learners: configuration?.learners.map(\.name) ?? []))
    }
}
