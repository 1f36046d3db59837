import Catalog
import Logging
import Topology
import Transport
import NIOCore
import YonkeCore

/// Catalog operations (`RPCOperationRange.consensus`): their op codes, request and
/// response codecs, and the PUBLIC client-side functions the CLI calls. Any node
/// answers: a node that is not the master forwards the request to the master
/// (reads included, so every answer is linearizable), and answers `noQuorum`
/// when no master can be reached within `ConsensusService.masterWait` (≤ 3 s) —
/// `ClusterClient` then tries its next endpoint.
public enum CatalogOps {
    public enum Op: UInt16, Sendable {
        // Client operations.
        case ls = 0x0001
        case stat = 0x0002
        case commitFile = 0x0003
        case rm = 0x0004
        case status = 0x0005
        /// A machine asks to join (`yonke node join`): `[admission]` → `[join grant]`.
        case join = 0x0006
        /// `[bool rotate]` → `[str token]`: the join token in force (after rotating it).
        case joinToken = 0x0007
        /// `[str voter]` → `[str master][u64 term]`: the master hands leadership to that voter
        /// (Raft's leadership transfer, as `etcdctl move-leader`) and answers once it leads.
        case moveMaster = 0x0008
        // Between nodes.
        /// An encoded `Catalog.Command` from a voter to the master → `[u64 index][u64 term]`.
        case propose = 0x0010
        /// ReadIndex for a voter's follower read → `[u64 index]`.
        case readIndex = 0x0011
        /// → `[bool known][str master][u64 term][u64 commitIndex]` (how non-voters learn the master).
        case whoIsMaster = 0x0012
        /// `[u16 op][payload]`: a client operation relayed to the master; refused (`notMaster`)
        /// by a node that is not the master, so a relay never loops.
        case forward = 0x0013
        /// `[u64 index][u64 offset]` → `[bytes chunk]`: part of a snapshot offered by reference.
        case snapshotChunk = 0x0014
        /// → the machine registry as this voter applied it (how non-voters follow it).
        case registry = 0x0015
    }

    /// Largest `ls` answer: one transport frame is ~1 MiB, so a longer listing is cut and flagged.
    static let maxListingBytes = 900 * 1024
    static let maxListingEntries = 100_000

    // MARK: Public results

    public struct Block: Sendable, Hashable, Codable {
        public var id: BlockID
        /// Plaintext bytes of this block (the last block of a file is short).
        public var sizeBytes: Int64

        public init(id: BlockID, sizeBytes: Int64) {
            self.id = id
            self.sizeBytes = sizeBytes
        }

        enum CodingKeys: String, CodingKey { case id, size }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let hex = try container.decode(String.self, forKey: .id)
            guard let id = BlockID(hex: hex) else {
                throw DecodingError.dataCorruptedError(forKey: .id, in: container, debugDescription: "not a block id: \(hex)")
            }
            self.id = id
            sizeBytes = try container.decode(Int64.self, forKey: .size)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id.hex, forKey: .id)
            try container.encode(sizeBytes, forKey: .size)
        }
    }

    /// A file or directory of the catalog, as `ls --long` and `stat` print it.
    public struct FileInfo: Sendable, Hashable, Codable {
        public var path: String
        public var isDirectory: Bool
        public var sizeBytes: Int64
        /// Load time of a file; creation time of a directory.
        public var loadedAtEpochMillis: Int64
        public var source: String
        public var contentType: String
        /// "hot", "cold" or "glacier" ("" for a directory).
        public var tier: String
        /// Raft index of the commit that made this version (0 for a directory).
        public var version: UInt64
        public var rowCount: Int64?
        public var blocks: [Block]
    }

    public struct Listing: Sendable, Hashable, Codable {
        public var entries: [FileInfo]
        /// The listing did not fit in one answer; list a deeper prefix.
        public var truncated: Bool
    }

    public struct CommitResult: Sendable, Hashable {
        public var file: FileInfo
        public var createdDirectories: [String]
        /// Blocks of the version this commit replaced (nil when the path was new).
        public var replacedBlocks: [BlockID]?
        /// Blocks no file references any more: the stores may collect them.
        public var unreferencedBlocks: [BlockID]
    }

    public struct RemoveResult: Sendable, Hashable {
        public var files: Int
        public var directories: Int
        public var bytes: Int64
        public var unreferencedBlocks: [BlockID]
    }

    /// `yonke status` (JSON-ready): `{"master", "term", "commitIndex", "members": [...]}`.
    public struct ClusterStatus: Sendable, Hashable, Codable {
        public struct Member: Sendable, Hashable, Codable {
            public var name: String
            public var address: String
            public var state: String
            public var incarnation: UInt64
            public var roles: [String]
            /// The member's own scrubber figures; filled in by `yonke status`, which asks each member (nil: no answer).
            public var scrub: ScrubStatus? = nil
        }

        public var master: String?
        public var term: UInt64
        public var commitIndex: UInt64
        /// The node that answered, and its Raft role ("leader", "follower", …, "nonVoter").
        public var answeredBy: String
        public var role: String
        public var members: [Member]
        /// The cluster's settings from its topology: clients cut files by this
        /// block size and require this many replicas per block.
        public var blockSizeBytes: Int64
        public var replicationFactor: Int
        /// Raft's configuration as the answering voter knows it (empty from a non-voter).
        public var voters: [String] = []
        public var learners: [String] = []
    }

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
    public static func join(_ request: JoinRequest, seed: PeerDirectory.Address, settings: Transport.Settings,
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

    static func join(_ request: JoinRequest, client: ClusterClient) async throws -> JoinGrant {
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

    static func parse(_ text: String) throws -> LakePath {
        do { return try LakePath(text) } catch { throw RPCFailure(.malformed, "\(text): \(error)") }
    }
}
