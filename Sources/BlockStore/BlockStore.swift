#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import BlockCodec
import Synchronization
import YonkeCore

/// The encoded blocks on one disk folder.
///
/// Layout: `blocks/ab/cd/<64 hex>` (sharded by id prefix so no folder grows
/// past ~65k entries at a few million blocks), `tmp/` for writes in flight and
/// `quarantine/` for corrupt files the scrubber moved aside (not held, not counted).
/// A write lands in `tmp/`, is fsynced, renamed into place and the folder
/// fsynced, so a crash leaves either the whole block or nothing. Capacity is
/// the configured figure, not the device's: a machine lends what its owner allows.
public final class BlockStore: Sendable {
    public let root: String
    public let capacityBytes: Int64
    /// Verifies reads and scrubs; nil for a store that only holds ciphertext, or whose node has
    /// not rebuilt the keyring yet (`install(codec:)` sets it then).
    public var codec: BlockCodec? { installedCodec.withLock { $0 } }
    private let installedCodec: Mutex<BlockCodec?>

    private struct State {
        var sizes: [BlockID: Int64] = [:]
        var usedBytes: Int64 = 0
        /// Bytes promised to writes in flight, so two concurrent puts cannot both pass the capacity check.
        var reservedBytes: Int64 = 0
        var nextTemporary = 0
    }
    private let state: Mutex<State>

    public struct Usage: Sendable, Equatable {
        public let capacityBytes: Int64
        public let usedBytes: Int64
        public let blockCount: Int
        public var freeBytes: Int64 { max(0, capacityBytes - usedBytes) }
    }

    public enum PutOutcome: Sendable, Equatable { case stored, alreadyPresent }

    public init(root: String, capacityBytes: Int64, codec: BlockCodec? = nil) throws(BlockStoreError) {
        guard capacityBytes > 0 else { throw .invalidStore(path: root, reason: "capacity must be positive") }
        self.root = root
        self.capacityBytes = capacityBytes
        self.installedCodec = Mutex(codec)
        try POSIXFile.makeDirectoryDurably(root)
        try POSIXFile.makeDirectoryDurably(root + "/blocks")
        try POSIXFile.makeDirectoryDurably(root + "/tmp")
        // Writes that a crash interrupted never became blocks.
        for leftover in try POSIXFile.listDirectory(root + "/tmp") { unlink(root + "/tmp/" + leftover) }
        var initial = State()
        for (id, size) in try Self.scan(root) {
            initial.sizes[id] = size
            initial.usedBytes += size
        }
        state = Mutex(initial)
    }

    /// The codec of a keyring rebuilt after the store opened.
    public func install(codec: BlockCodec) {
        installedCodec.withLock { $0 = codec }
    }

    private static func scan(_ root: String) throws(BlockStoreError) -> [(BlockID, Int64)] {
        var found: [(BlockID, Int64)] = []
        for first in try POSIXFile.listDirectory(root + "/blocks") {
            for second in try POSIXFile.listDirectory(root + "/blocks/" + first) {
                let folder = root + "/blocks/" + first + "/" + second
                for name in try POSIXFile.listDirectory(folder) {
                    guard let id = BlockID(hex: name), let size = POSIXFile.fileSize(folder + "/" + name) else { continue }
                    found.append((id, size))
                }
            }
        }
        return found
    }

    func path(of id: BlockID) -> String {
        let hex = id.hex
        return "\(root)/blocks/\(hex.prefix(2))/\(hex.dropFirst(2).prefix(2))/\(hex)"
    }

    public var usage: Usage {
        state.withLock { Usage(capacityBytes: capacityBytes, usedBytes: $0.usedBytes, blockCount: $0.sizes.count) }
    }

    public func contains(_ id: BlockID) -> Bool { state.withLock { $0.sizes[id] != nil } }

    /// Every block held, sorted: what the node reports to the master (as an HDFS DataNode does).
    public func blockReport() -> [BlockID] { state.withLock { $0.sizes.keys.sorted() } }

    /// Stores an encoded block under the id in its header. Storing a block that
    /// is already present is a no-op, which makes retried writes idempotent.
    @discardableResult
    public func put(_ encoded: [UInt8]) throws(BlockStoreError) -> PutOutcome {
        try encoded.withUnsafeBytes { raw in Result { () throws(BlockStoreError) in try put(raw) } }.get()
    }

    @discardableResult
    public func put(_ encoded: UnsafeRawBufferPointer) throws(BlockStoreError) -> PutOutcome {
        let id: BlockID
        do { id = try BlockCodec.blockID(ofEncoded: encoded) } catch {
            throw .invalidStore(path: root, reason: "refused a write that is not a valid block: \(error)")
        }
        if contains(id) {
            markWritten(id)
            return .alreadyPresent
        }
        let size = Int64(encoded.count)
        let temporary = try reserve(size)
        defer { releaseReservation(size) }
        try writeTemporary(encoded, to: temporary)
        return try install(temporary: temporary, id: id, size: size)
    }

    /// Writes and fsyncs a temporary file; removes it if that fails.
    private func writeTemporary(_ bytes: UnsafeRawBufferPointer, to temporary: String) throws(BlockStoreError) {
        let fd = try POSIXFile.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL)
        defer { close(fd) }
        do throws(BlockStoreError) {
            try POSIXFile.writeAll(fd, bytes, path: temporary)
            try POSIXFile.fsync(fd, path: temporary)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    // MARK: Streaming writes (see BlockWriter)

    /// Promises `bytes` of the configured capacity to a write in flight; returns a temporary file name.
    func reserve(_ bytes: Int64) throws(BlockStoreError) -> String {
        try state.withLock { (s) throws(BlockStoreError) -> String in
            let free = capacityBytes - s.usedBytes - s.reservedBytes
            guard bytes <= free else { throw .capacityExceeded(store: root, neededBytes: bytes, freeBytes: max(0, free)) }
            s.reservedBytes += bytes
            s.nextTemporary += 1
            return "\(root)/tmp/stream.\(getpid()).\(s.nextTemporary)"
        }
    }

    func releaseReservation(_ bytes: Int64) {
        state.withLock { $0.reservedBytes -= bytes }
    }

    /// Renames a fsynced temporary file into place and counts it (or drops it if another write won).
    func install(temporary: String, id: BlockID, size: Int64) throws(BlockStoreError) -> PutOutcome {
        if contains(id) {
            unlink(temporary)
            markWritten(id)
            return .alreadyPresent
        }
        let final = path(of: id)
        let shard = String(final.dropLast(id.hex.count + 1))
        let shardParent = String(shard.dropLast(3))
        do throws(BlockStoreError) {
            try POSIXFile.makeDirectoryDurably(shardParent)
            try POSIXFile.makeDirectoryDurably(shard)
            guard rename(temporary, final) == 0 else { throw BlockStoreError.from(errno: errno, path: final, operation: "rename") }
            try POSIXFile.fsyncDirectory(shard)
        } catch {
            unlink(temporary)
            throw error
        }
        return state.withLock { s in
            guard s.sizes[id] == nil else { return .alreadyPresent }
            s.sizes[id] = size
            s.usedBytes += size
            return .stored
        }
    }

    /// The encoded bytes as stored, with the header checked against the id.
    /// Full verification is the reader's (it decodes anyway) or the scrubber's.
    public func readEncoded(_ id: BlockID) throws(BlockStoreError) -> [UInt8] {
        guard contains(id) else { throw .notFound(store: root, block: id) }
        let bytes = try POSIXFile.readWholeFile(path(of: id))
        do throws(BlockCodecError) {
            let found = try BlockCodec.blockID(ofEncoded: bytes)
            guard found == id else { throw .unexpectedBlock(expected: id, found: found) }
        } catch {
            throw .corrupt(store: root, block: id, reason: error)
        }
        return bytes
    }

    /// The verified plaintext: every frame authenticated, the digest matched.
    public func read(_ id: BlockID) throws(BlockStoreError) -> [UInt8] {
        guard let codec else { throw .invalidStore(path: root, reason: "no keyring loaded, cannot decode blocks") }
        let bytes = try readEncoded(id)
        do {
            return try codec.decode(bytes, expecting: id)
        } catch {
            throw .corrupt(store: root, block: id, reason: error)
        }
    }

    /// Runs `body` under the store's lock if the block is held; when it returns
    /// true the block is no longer held (its file was moved away by `body`).
    func withHeldBlock(_ id: BlockID, _ body: () throws(BlockStoreError) -> Bool) throws(BlockStoreError) -> Bool {
        try state.withLock { (s) throws(BlockStoreError) -> Bool in
            guard let size = s.sizes[id], try body() else { return false }
            s.sizes[id] = nil
            s.usedBytes -= size
            return true
        }
    }

    /// A write of a block already here still counts as a write: its file's
    /// modification time moves, so garbage collection (`deleteIfIdle`) leaves
    /// alone a block that a put in progress is about to reference again.
    public func markWritten(_ id: BlockID) {
        _ = utimensat(AT_FDCWD, path(of: id), nil, 0)
    }

    /// Deletes the block unless it was written (or written again) within
    /// `idleSeconds`: true when it is gone. The check and the unlink hold the
    /// store's lock, so a concurrent install of the same block waits.
    public func deleteIfIdle(_ id: BlockID, idleSeconds: Int64) throws(BlockStoreError) -> Bool {
        let file = path(of: id)
        return try state.withLock { (s) throws(BlockStoreError) -> Bool in
            var info = stat()
            if stat(file, &info) == 0 {
                guard Int64(time(nil)) - Int64(info.st_mtim.tv_sec) >= idleSeconds else { return false }
                guard unlink(file) == 0 || errno == ENOENT else { throw .from(errno: errno, path: file, operation: "unlink") }
            }
            if let size = s.sizes.removeValue(forKey: id) { s.usedBytes -= size }
            return true
        }
    }

    public func delete(_ id: BlockID) throws(BlockStoreError) {
        let file = path(of: id)
        guard unlink(file) == 0 || errno == ENOENT else { throw .from(errno: errno, path: file, operation: "unlink") }
        try POSIXFile.fsyncDirectory(String(file.dropLast(id.hex.count + 1)))
        state.withLock { s in
            if let size = s.sizes.removeValue(forKey: id) { s.usedBytes -= size }
        }
    }
}
