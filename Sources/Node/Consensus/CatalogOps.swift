import Catalog
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
        }

        public var master: String?
        public var term: UInt64
        public var commitIndex: UInt64
        /// The node that answered, and its Raft role ("leader", "follower", …, "nonVoter").
        public var answeredBy: String
        public var role: String
        public var members: [Member]
    }

    // MARK: Client functions (the CLI)

    public static func ls(_ prefix: String, recursive: Bool = false, client: ClusterClient) async throws -> Listing {
        var request = ByteBuffer()
        request.writeWireString(try parse(prefix).description)
        request.writeConsensusBool(recursive)
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

    static func parse(_ text: String) throws -> LakePath {
        do { return try LakePath(text) } catch { throw RPCFailure(.malformed, "\(text): \(error)") }
    }
}

// MARK: - Requests

extension CatalogOps {
    struct CommitRequest: Sendable, Hashable {
        var path: LakePath
        var sizeBytes: Int64
        var blocks: [Catalog.BlockEntry]
        var source: String
        var contentType: String
        var tier: Catalog.Tier
        var loadTimeMillis: Int64?
        var overwrite: Bool

        func encoded() -> ByteBuffer {
            var out = ByteBuffer()
            out.writeWireString(path.description)
            out.writeWireInteger(sizeBytes)
            out.writeWireInteger(UInt32(blocks.count))
            for block in blocks {
                out.writeWireBlockID(block.id)
                out.writeWireInteger(block.sizeBytes)
            }
            out.writeWireString(source)
            out.writeWireString(contentType)
            out.writeWireString(tier.rawValue)
            out.writeConsensusOptional(loadTimeMillis.map { UInt64(bitPattern: $0) })
            out.writeConsensusBool(overwrite)
            return out
        }

        static func decode(_ payload: ByteBuffer) throws(WireError) -> CommitRequest {
            var input = payload
            let path = try input.readLakePath("path")
            let size: Int64 = try input.readWireInteger("size")
            let count = try input.readWireCount("blocks", max: Catalog.Limits.maxBlocksPerFile)
            guard count * (BlockID.byteCount + 8) <= input.readableBytes else { throw WireError("blocks: \(count) do not fit") }
            var blocks: [Catalog.BlockEntry] = []
            blocks.reserveCapacity(count)
            for _ in 0..<count {
                blocks.append(Catalog.BlockEntry(id: try input.readWireBlockID("block id"), sizeBytes: try input.readWireInteger("block size")))
            }
            let source = try input.readWireString("source", maxBytes: Catalog.Limits.maxSourceBytes)
            let contentType = try input.readWireString("contentType", maxBytes: Catalog.Limits.maxContentTypeBytes)
            let tierName = try input.readWireString("tier", maxBytes: 16)
            guard let tier = Catalog.Tier(rawValue: tierName) else { throw WireError("unknown tier '\(tierName)'") }
            let loadTime = try input.readConsensusOptional("loadTime").map { Int64(bitPattern: $0) }
            let overwrite = try input.readConsensusBool("overwrite")
            try input.expectFullyRead("commitFile request")
            return CommitRequest(path: path, sizeBytes: size, blocks: blocks, source: source, contentType: contentType,
                                 tier: tier, loadTimeMillis: loadTime, overwrite: overwrite)
        }
    }
}

// MARK: - Replies

extension CatalogOps {
    static func fileInfo(_ entry: Catalog.Entry) -> FileInfo {
        switch entry {
        case let .directory(path, created):
            FileInfo(path: path.description, isDirectory: true, sizeBytes: 0, loadedAtEpochMillis: created, source: "",
                     contentType: "", tier: "", version: 0, rowCount: nil, blocks: [])
        case let .file(file):
            FileInfo(path: file.path.description, isDirectory: false, sizeBytes: file.sizeBytes,
                     loadedAtEpochMillis: file.loadedAtEpochMillis, source: file.source,
                     contentType: file.metadata.contentType, tier: file.tier.rawValue, version: file.committedIndex,
                     rowCount: file.metadata.rowCount, blocks: file.blocks.map { Block(id: $0.id, sizeBytes: $0.sizeBytes) })
        }
    }

    static func encodeListing(_ entries: [Catalog.Entry]) -> ByteBuffer {
        var body = ByteBuffer()
        var count: UInt32 = 0
        var truncated = false
        for entry in entries {
            var one = ByteBuffer()
            one.writeFileInfo(fileInfo(entry))
            guard body.readableBytes + one.readableBytes <= maxListingBytes, Int(count) < maxListingEntries else {
                truncated = true
                break
            }
            body.writeImmutableBuffer(one)
            count += 1
        }
        var out = ByteBuffer()
        out.writeConsensusBool(truncated)
        out.writeWireInteger(count)
        out.writeImmutableBuffer(body)
        return out
    }

    static func decodeListing(_ input: inout ByteBuffer) throws(WireError) -> Listing {
        let truncated = try input.readConsensusBool("truncated")
        let count = try input.readWireCount("entries", max: maxListingEntries)
        var entries: [FileInfo] = []
        for _ in 0..<count { entries.append(try input.readFileInfo()) }
        try input.expectFullyRead("ls reply")
        return Listing(entries: entries, truncated: truncated)
    }

    static func encodeCommitResult(_ committed: Catalog.FileCommitted) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeFileInfo(fileInfo(.file(committed.file)))
        out.writeWireInteger(UInt32(committed.createdDirectories.count))
        for path in committed.createdDirectories { out.writeWireString(path.description) }
        out.writeConsensusBool(committed.replacedBlocks != nil)
        if let replaced = committed.replacedBlocks { out.writeBlockIDs(replaced.map(\.id)) }
        out.writeBlockIDs(committed.unreferencedBlocks)
        return out
    }

    static func decodeCommitResult(_ input: inout ByteBuffer) throws(WireError) -> CommitResult {
        let file = try input.readFileInfo()
        let count = try input.readWireCount("created directories", max: LakePath.maxDepth)
        var created: [String] = []
        for _ in 0..<count { created.append(try input.readWireString("created directory", maxBytes: LakePath.maxBytes)) }
        let replaced = try input.readConsensusBool("replaced present") ? try input.readBlockIDs("replaced blocks") : nil
        let unreferenced = try input.readBlockIDs("unreferenced blocks")
        try input.expectFullyRead("commitFile reply")
        return CommitResult(file: file, createdDirectories: created, replacedBlocks: replaced, unreferencedBlocks: unreferenced)
    }

    static func encodeRemoveResult(_ deleted: Catalog.Deleted) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeWireInteger(UInt64(deleted.files))
        out.writeWireInteger(UInt64(deleted.directories))
        out.writeWireInteger(deleted.bytes)
        out.writeBlockIDs(deleted.unreferencedBlocks)
        return out
    }

    static func decodeRemoveResult(_ input: inout ByteBuffer) throws(WireError) -> RemoveResult {
        let files: UInt64 = try input.readWireInteger("files")
        let directories: UInt64 = try input.readWireInteger("directories")
        let bytes: Int64 = try input.readWireInteger("bytes")
        let unreferenced = try input.readBlockIDs("unreferenced blocks")
        try input.expectFullyRead("rm reply")
        guard let fileCount = Int(exactly: files), let directoryCount = Int(exactly: directories) else {
            throw WireError("rm reply: counts out of range")
        }
        return RemoveResult(files: fileCount, directories: directoryCount, bytes: bytes, unreferencedBlocks: unreferenced)
    }

    static let maxMembers = 4_096

    static func encodeStatus(_ status: ClusterStatus) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeConsensusBool(status.master != nil)
        out.writeWireString(status.master ?? "")
        out.writeWireInteger(status.term)
        out.writeWireInteger(status.commitIndex)
        out.writeWireString(status.answeredBy)
        out.writeWireString(status.role)
        out.writeWireInteger(UInt32(min(status.members.count, maxMembers)))
        for member in status.members.prefix(maxMembers) {
            out.writeWireString(member.name)
            out.writeWireString(member.address)
            out.writeWireString(member.state)
            out.writeWireInteger(member.incarnation)
            out.writeWireInteger(UInt32(member.roles.count))
            for role in member.roles { out.writeWireString(role) }
        }
        return out
    }

    static func decodeStatus(_ input: inout ByteBuffer) throws(WireError) -> ClusterStatus {
        let hasMaster = try input.readConsensusBool("has master")
        let master = try input.readWireString("master", maxBytes: RaftWire.maxNameBytes)
        let term: UInt64 = try input.readWireInteger("term")
        let commit: UInt64 = try input.readWireInteger("commitIndex")
        let answeredBy = try input.readWireString("answered by", maxBytes: RaftWire.maxNameBytes)
        let role = try input.readWireString("role", maxBytes: 32)
        let count = try input.readWireCount("members", max: maxMembers)
        var members: [ClusterStatus.Member] = []
        for _ in 0..<count {
            let name = try input.readWireString("member name", maxBytes: RaftWire.maxNameBytes)
            let address = try input.readWireString("member address", maxBytes: 512)
            let state = try input.readWireString("member state", maxBytes: 32)
            let incarnation: UInt64 = try input.readWireInteger("member incarnation")
            let roleCount = try input.readWireCount("member roles", max: 16)
            var roles: [String] = []
            for _ in 0..<roleCount { roles.append(try input.readWireString("member role", maxBytes: 32)) }
            members.append(ClusterStatus.Member(name: name, address: address, state: state, incarnation: incarnation, roles: roles))
        }
        try input.expectFullyRead("status reply")
        return ClusterStatus(master: hasMaster ? master : nil, term: term, commitIndex: commit, answeredBy: answeredBy,
                             role: role, members: members)
    }
}

// MARK: - Field helpers

extension ByteBuffer {
    mutating func readLakePath(_ what: String) throws(WireError) -> LakePath {
        let text = try readWireString(what, maxBytes: LakePath.maxBytes)
        do { return try LakePath(text) } catch { throw WireError("\(what): \(error)") }
    }

    mutating func writeBlockIDs(_ ids: [BlockID]) {
        writeWireInteger(UInt32(ids.count))
        for id in ids { writeWireBlockID(id) }
    }

    mutating func readBlockIDs(_ what: String) throws(WireError) -> [BlockID] {
        let count = try readWireCount(what, max: Catalog.Limits.maxBlocksPerFile)
        guard count * BlockID.byteCount <= readableBytes else { throw WireError("\(what): \(count) do not fit") }
        var ids: [BlockID] = []
        ids.reserveCapacity(count)
        for _ in 0..<count { ids.append(try readWireBlockID(what)) }
        return ids
    }

    mutating func writeFileInfo(_ info: CatalogOps.FileInfo) {
        writeWireString(info.path)
        writeConsensusBool(info.isDirectory)
        writeWireInteger(info.sizeBytes)
        writeWireInteger(info.loadedAtEpochMillis)
        writeWireString(info.source)
        writeWireString(info.contentType)
        writeWireString(info.tier)
        writeWireInteger(info.version)
        writeConsensusOptional(info.rowCount.map { UInt64(bitPattern: $0) })
        writeWireInteger(UInt32(info.blocks.count))
        for block in info.blocks {
            writeWireBlockID(block.id)
            writeWireInteger(block.sizeBytes)
        }
    }

    mutating func readFileInfo() throws(WireError) -> CatalogOps.FileInfo {
        let path = try readWireString("path", maxBytes: LakePath.maxBytes)
        let isDirectory = try readConsensusBool("isDirectory")
        let size: Int64 = try readWireInteger("size")
        let loaded: Int64 = try readWireInteger("loadedAt")
        let source = try readWireString("source", maxBytes: Catalog.Limits.maxSourceBytes)
        let contentType = try readWireString("contentType", maxBytes: Catalog.Limits.maxContentTypeBytes)
        let tier = try readWireString("tier", maxBytes: 16)
        let version: UInt64 = try readWireInteger("version")
        let rowCount = try readConsensusOptional("rowCount").map { Int64(bitPattern: $0) }
        let count = try readWireCount("blocks", max: Catalog.Limits.maxBlocksPerFile)
        guard count * (BlockID.byteCount + 8) <= readableBytes else { throw WireError("blocks: \(count) do not fit") }
        var blocks: [CatalogOps.Block] = []
        blocks.reserveCapacity(count)
        for _ in 0..<count {
            blocks.append(CatalogOps.Block(id: try readWireBlockID("block id"), sizeBytes: try readWireInteger("block size")))
        }
        return CatalogOps.FileInfo(path: path, isDirectory: isDirectory, sizeBytes: size, loadedAtEpochMillis: loaded,
                                   source: source, contentType: contentType, tier: tier, version: version,
                                   rowCount: rowCount, blocks: blocks)
    }
}
