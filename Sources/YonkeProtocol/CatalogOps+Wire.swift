import Catalog
import NIOCore
import YonkeCore

/// The binary forms of `CatalogOps` requests and replies (little-endian, every
/// count and length checked against a limit before anything is allocated).
// MARK: - Requests

extension CatalogOps {
    public struct CommitRequest: Sendable, Hashable {
        public var path: LakePath
        public var sizeBytes: Int64
        public var blocks: [Catalog.BlockEntry]
        public var source: String
        public var contentType: String
        public var tier: Catalog.Tier
        public var loadTimeMillis: Int64?
        public var overwrite: Bool

        public func encoded() -> ByteBuffer {
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

        public static func decode(_ payload: ByteBuffer) throws(WireError) -> CommitRequest {
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

        public init(path: LakePath, sizeBytes: Int64, blocks: [Catalog.BlockEntry], source: String, contentType: String, tier: Catalog.Tier, loadTimeMillis: Int64? = nil, overwrite: Bool) {
            self.path = path
            self.sizeBytes = sizeBytes
            self.blocks = blocks
            self.source = source
            self.contentType = contentType
            self.tier = tier
            self.loadTimeMillis = loadTimeMillis
            self.overwrite = overwrite
        }
    }
}

// MARK: - Replies

extension CatalogOps {
    public static func fileInfo(_ entry: Catalog.Entry) -> FileInfo {
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

    public static func encodeListing(_ entries: [Catalog.Entry]) -> ByteBuffer {
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

    public static func decodeListing(_ input: inout ByteBuffer) throws(WireError) -> Listing {
        let truncated = try input.readConsensusBool("truncated")
        let count = try input.readWireCount("entries", max: maxListingEntries)
        var entries: [FileInfo] = []
        for _ in 0..<count { entries.append(try input.readFileInfo()) }
        try input.expectFullyRead("ls reply")
        return Listing(entries: entries, truncated: truncated)
    }

    public static func encodeCommitResult(_ committed: Catalog.FileCommitted) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeFileInfo(fileInfo(.file(committed.file)))
        out.writeWireInteger(UInt32(committed.createdDirectories.count))
        for path in committed.createdDirectories { out.writeWireString(path.description) }
        out.writeConsensusBool(committed.replacedBlocks != nil)
        if let replaced = committed.replacedBlocks { out.writeBlockIDs(replaced.map(\.id)) }
        out.writeBlockIDs(committed.unreferencedBlocks)
        return out
    }

    public static func decodeCommitResult(_ input: inout ByteBuffer) throws(WireError) -> CommitResult {
        let file = try input.readFileInfo()
        let count = try input.readWireCount("created directories", max: LakePath.maxDepth)
        var created: [String] = []
        for _ in 0..<count { created.append(try input.readWireString("created directory", maxBytes: LakePath.maxBytes)) }
        let replaced = try input.readConsensusBool("replaced present") ? try input.readBlockIDs("replaced blocks") : nil
        let unreferenced = try input.readBlockIDs("unreferenced blocks")
        try input.expectFullyRead("commitFile reply")
        return CommitResult(file: file, createdDirectories: created, replacedBlocks: replaced, unreferencedBlocks: unreferenced)
    }

    public static func encodeRemoveResult(_ deleted: Catalog.Deleted) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeWireInteger(UInt64(deleted.files))
        out.writeWireInteger(UInt64(deleted.directories))
        out.writeWireInteger(deleted.bytes)
        out.writeBlockIDs(deleted.unreferencedBlocks)
        return out
    }

    public static func decodeRemoveResult(_ input: inout ByteBuffer) throws(WireError) -> RemoveResult {
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

    public static let maxMembers = 4_096

    public static func encodeStatus(_ status: ClusterStatus) -> ByteBuffer {
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
        out.writeWireInteger(status.blockSizeBytes)
        out.writeWireInteger(UInt32(status.replicationFactor))
        for names in [status.voters, status.learners] {
            out.writeWireInteger(UInt32(min(names.count, maxMembers)))
            for name in names.prefix(maxMembers) { out.writeWireString(name) }
        }
        return out
    }

    public static func decodeStatus(_ input: inout ByteBuffer) throws(WireError) -> ClusterStatus {
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
        let blockSize: Int64 = try input.readWireInteger("block size")
        let replication: UInt32 = try input.readWireInteger("replication factor")
        guard blockSize > 0, replication > 0, replication <= 16 else {
            throw WireError("status: block size \(blockSize) or replication factor \(replication) out of range")
        }
        var raftMembers: [[String]] = []
        for what in ["voters", "learners"] {
            let count = try input.readWireCount(what, max: maxMembers)
            var names: [String] = []
            for _ in 0..<count { names.append(try input.readWireString(what, maxBytes: RaftWire.maxNameBytes)) }
            raftMembers.append(names)
        }
        try input.expectFullyRead("status reply")
        return ClusterStatus(master: hasMaster ? master : nil, term: term, commitIndex: commit, answeredBy: answeredBy,
                             role: role, members: members, blockSizeBytes: blockSize, replicationFactor: Int(replication),
                             voters: raftMembers[0], learners: raftMembers[1])
    }
}

// MARK: - Field helpers

extension ByteBuffer {
    public mutating func readLakePath(_ what: String) throws(WireError) -> LakePath {
        let text = try readWireString(what, maxBytes: LakePath.maxBytes)
        do { return try LakePath(text) } catch { throw WireError("\(what): \(error)") }
    }

    public mutating func writeBlockIDs(_ ids: [BlockID]) {
        writeWireInteger(UInt32(ids.count))
        for id in ids { writeWireBlockID(id) }
    }

    public mutating func readBlockIDs(_ what: String) throws(WireError) -> [BlockID] {
        let count = try readWireCount(what, max: Catalog.Limits.maxBlocksPerFile)
        guard count * BlockID.byteCount <= readableBytes else { throw WireError("\(what): \(count) do not fit") }
        var ids: [BlockID] = []
        ids.reserveCapacity(count)
        for _ in 0..<count { ids.append(try readWireBlockID(what)) }
        return ids
    }

    public mutating func writeFileInfo(_ info: CatalogOps.FileInfo) {
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

    public mutating func readFileInfo() throws(WireError) -> CatalogOps.FileInfo {
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
