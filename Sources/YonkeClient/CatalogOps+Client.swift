import Catalog
import Logging
import Topology
import Transport
import NIOCore
import YonkeCore

import YonkeProtocol

extension CatalogOps {
    // MARK: Client functions (the CLI)

    /// The whole listing, one answer (≤ `maxListingBytes`) at a time: each next
    /// page starts after the last entry of the one before.
    public static func ls(_ prefix: String, recursive: Bool = false, client: ClusterClient) async throws -> Listing {
        var entries: [FileInfo] = []
        var after: String?
        while true {
            let page = try await lsPage(prefix, recursive: recursive, after: after, client: client)
            entries += page.entries
            guard page.truncated, let last = page.entries.last?.path else { return Listing(entries: entries, truncated: false) }
            after = last
        }
    }

    /// One answer's worth of entries after `after` (listing order); `truncated` when more follow.
    public static func lsPage(_ prefix: String, recursive: Bool, after: String?, client: ClusterClient) async throws -> Listing {
        var request = ByteBuffer()
        request.writeWireString(try parse(prefix).description)
        request.writeConsensusBool(recursive)
        request.writeConsensusBool(after != nil)
        if let after { request.writeWireString(try parse(after).description) }
        var reply = try await client.call(op: Op.ls.rawValue, payload: request)
        return try decodeListing(&reply)
    }

    public static func stat(_ path: String, client: ClusterClient) async throws -> FileInfo {
        var request = ByteBuffer()
        request.writeWireString(try parse(path).description)
        var reply = try await client.call(op: Op.stat.rawValue, payload: request)
        let info = try reply.readFileInfo()
        try reply.expectFullyRead("stat reply")
        return info
    }

    /// Makes `path` point at `blocks` in one step (the blocks must already be stored).
    /// `sizeBytes` must equal the sum of the blocks' plaintext sizes; `loadTimeMillis`
    /// nil means "now" on the master. `tier`: "hot", "cold" or "glacier".
    public static func commitFile(
        _ path: String, sizeBytes: Int64, blocks: [(id: BlockID, plaintextBytes: Int64)], source: String,
        contentType: String, tier: String, loadTimeMillis: Int64? = nil, overwrite: Bool = true, client: ClusterClient
    ) async throws -> CommitResult {
        guard let parsedTier = Catalog.Tier(rawValue: tier) else {
            throw RPCFailure(.malformed, "unknown tier '\(tier)' (tiers: hot, cold, glacier)")
        }
        let request = CommitRequest(
            path: try parse(path), sizeBytes: sizeBytes,
            blocks: blocks.map { Catalog.BlockEntry(id: $0.id, sizeBytes: $0.plaintextBytes) },
            source: source, contentType: contentType, tier: parsedTier, loadTimeMillis: loadTimeMillis, overwrite: overwrite)
        var reply = try await client.call(op: Op.commitFile.rawValue, payload: request.encoded())
        let result = try decodeCommitResult(&reply)
        return result
    }

    public static func rm(_ path: String, recursive: Bool = false, client: ClusterClient) async throws -> RemoveResult {
        var request = ByteBuffer()
        request.writeWireString(try parse(path).description)
        request.writeConsensusBool(recursive)
        var reply = try await client.call(op: Op.rm.rawValue, payload: request)
        return try decodeRemoveResult(&reply)
    }

    public static func status(client: ClusterClient) async throws -> ClusterStatus {
        var reply = try await client.call(op: Op.status.rawValue, payload: ByteBuffer())
        return try decodeStatus(&reply)
    }

    /// Prints the join token in force (`rotate`: a new one, committed first).
    public static func joinToken(rotate: Bool, client: ClusterClient) async throws -> String {
        var request = ByteBuffer()
        request.writeConsensusBool(rotate)
        var reply = try await client.call(op: Op.joinToken.rawValue, payload: request)
        let token = try reply.readWireString("join token", maxBytes: Catalog.Limits.joinTokenBytes.upperBound)
        try reply.expectFullyRead("join token reply")
        return token
    }

    /// Adds, lists, revokes or re-keys users (admin); the users afterwards.
    public static func users(_ request: UsersWire.Request, client: ClusterClient) async throws -> [Catalog.UserRecord] {
        try UsersWire.decodeUsers(try await client.call(op: Op.users.rawValue, payload: UsersWire.encode(request)))
    }

    /// Hands the master role to `voter` (an admin's move before maintenance);
    /// answers with the master and term once it leads.
    public static func moveMaster(to voter: String, client: ClusterClient) async throws -> (master: String, term: UInt64) {
        var request = ByteBuffer()
        request.writeWireString(voter)
        var reply = try await client.call(op: Op.moveMaster.rawValue, payload: request)
        let master = try reply.readWireString("master", maxBytes: RaftWire.maxNameBytes)
        let term: UInt64 = try reply.readWireInteger("term")
        try reply.expectFullyRead("move-master reply")
        return (master, term)
    }

    /// Asks the master to admit the machine `settings` links as (its name and key), finding the
    /// master through `seed`; idempotent for the same name and key. The join itself goes over
    /// a link to the master, which always holds the token in force.
    public static func join(_ request: JoinRequest, seed: Topology.Address, settings: Transport.Settings,
                            logger: Logger, attempts: Int = 5) async throws -> JoinGrant {
        var lastFailure: any Error = RPCFailure(.unavailable, "no master found through \(seed)")
        for _ in 0..<max(1, attempts) {
            let seedClient = try ClusterClient(endpoints: [seed], settings: settings, logger: logger)
            let status: ClusterStatus
            do {
                status = try await self.status(client: seedClient)
                await seedClient.close()
            } catch {
                await seedClient.close()
                throw error
            }
            guard let master = status.master,
                  let address = status.members.first(where: { $0.name == master }).flatMap({ Topology.Address(parsing: $0.address) })
            else {
                lastFailure = RPCFailure(.unavailable, "\(seed) knows no master yet (no quorum?)")
                try await Task.sleep(for: .milliseconds(500))
                continue
            }
            let masterClient = try ClusterClient(endpoints: [address], settings: settings, logger: logger)
            do {
                let grant = try await join(request, client: masterClient)
                await masterClient.close()
                return grant
            } catch let failure as RPCFailure where [.notMaster, .unavailable, .noQuorum].contains(failure.code) {
                await masterClient.close()
                lastFailure = failure
                try await Task.sleep(for: .milliseconds(300))
            } catch {
                await masterClient.close()
                throw error
            }
        }
        throw lastFailure
    }

    public static func join(_ request: JoinRequest, client: ClusterClient) async throws -> JoinGrant {
        let admission = Catalog.MachineAdmission(
            name: request.name, publicKeyHex: "", address: request.address.description,
            roles: RegistryMapping.roles(request.roles), rack: request.rack,
            disks: request.disks.map {
                Catalog.NodeDisk(path: $0.path, capacityBytes: $0.capacityBytes, diskClass: $0.diskClass == .ssd ? .ssd : .hdd)
            },
            epochMillis: 0)
        let reply = try await client.call(op: Op.join.rawValue, payload: RegistryWire.encodeAdmission(admission))
        return try RegistryWire.decodeGrant(reply)
    }

    public static func parse(_ text: String) throws -> LakePath {
        do { return try LakePath(text) } catch { throw RPCFailure(.malformed, "\(text): \(error)") }
    }
}
