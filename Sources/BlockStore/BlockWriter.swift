#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import BlockCodec
import YonkeCore

extension BlockStore {
    /// Starts a streamed write of one encoded block of exactly `expectedLength`
    /// bytes, so a node can store a block as it arrives from the network without
    /// ever holding it whole. The capacity is reserved now (two writes cannot both
    /// pass the check); `expectedID`, when given, is checked against the header.
    public func beginWrite(expectedLength: Int64, expectedID: BlockID? = nil) throws(BlockStoreError) -> BlockWriter {
        guard expectedLength >= Int64(BlockFormat.headerByteCount) else {
            throw .refusedWrite(store: root, reason: "\(expectedLength) bytes is shorter than a block header")
        }
        let ceiling = Int64(BlockFormat.maxBlockSizeBytes) * 2
        guard expectedLength <= ceiling else {
            throw .refusedWrite(store: root, reason: "\(expectedLength) bytes is larger than any block (\(ceiling))")
        }
        if let expectedID, contains(expectedID) {
            return BlockWriter(store: self, expectedLength: expectedLength, expectedID: expectedID, sink: .discard)
        }
        let temporary = try reserve(expectedLength)
        let fd: Int32
        do {
            fd = try POSIXFile.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL)
        } catch {
            releaseReservation(expectedLength)
            throw error
        }
        return BlockWriter(store: self, expectedLength: expectedLength, expectedID: expectedID,
                           sink: .file(fd: fd, temporary: temporary))
    }
}

/// One block being written in pieces (`BlockStore.beginWrite`). The header is
/// parsed from the first 68 bytes, so the id is known early and a stream that
/// is not a block is refused before it fills a disk. `commit` checks the length,
/// fsyncs, renames into place and fsyncs the folder; until then nothing is
/// visible under the block's name. Dropping an uncommitted writer (or `abort`)
/// removes the temporary file and releases the reservation.
///
/// Not thread-safe: one owner appends in order.
public final class BlockWriter {
    enum Sink {
        case file(fd: Int32, temporary: String)
        /// The block is already stored: bytes are checked and dropped (an idempotent retry).
        case discard
        case finished
    }

    public let store: BlockStore
    public let expectedLength: Int64
    public let expectedID: BlockID?
    /// Known once the header has arrived.
    public private(set) var id: BlockID?
    public private(set) var receivedBytes: Int64 = 0
    private var sink: Sink
    private var header: [UInt8] = []

    init(store: BlockStore, expectedLength: Int64, expectedID: BlockID?, sink: Sink) {
        self.store = store
        self.expectedLength = expectedLength
        self.expectedID = expectedID
        self.sink = sink
    }

    deinit { abort() }

    public func append(_ bytes: [UInt8]) throws(BlockStoreError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(BlockStoreError) in try append(raw) } }.get()
    }

    public func append(_ bytes: UnsafeRawBufferPointer) throws(BlockStoreError) {
        if case .finished = sink { throw refusal("append after the write was finished") }
        guard receivedBytes + Int64(bytes.count) <= expectedLength else {
            let reason = "\(receivedBytes + Int64(bytes.count)) bytes received, more than the announced \(expectedLength)"
            abort()
            throw refusal(reason)
        }
        if id == nil {
            let wanted = BlockFormat.headerByteCount - header.count
            header += bytes.prefix(wanted)
            if header.count == BlockFormat.headerByteCount {
                do throws(BlockStoreError) { try checkHeader() } catch {
                    abort()
                    throw error
                }
            }
        }
        if case let .file(fd, temporary) = sink {
            do throws(BlockStoreError) { try POSIXFile.writeAll(fd, bytes, path: temporary) } catch {
                abort()
                throw error
            }
        }
        receivedBytes += Int64(bytes.count)
    }

    /// The header is checked without keys: magic, checksum, version, and that
    /// the announced length fits the frames it declares.
    private func checkHeader() throws(BlockStoreError) {
        let found: BlockID
        do { found = try BlockCodec.blockID(ofEncoded: header) } catch {
            throw refusal("not a valid block: \(error)")
        }
        if let expectedID, expectedID != found {
            throw refusal("header names block \(found.short), the stream announced \(expectedID.short)")
        }
        // Offsets 12 and 20 of the documented header (BlockFormat): plaintext length, frame count.
        let plaintext = header[12..<20].reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) }
        let frames = header[20..<24].reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) }
        let smallest = Int64(BlockFormat.headerByteCount) + frames * Int64(BlockFormat.frameOverheadByteCount)
        let largest = smallest + plaintext
        guard (smallest...largest).contains(expectedLength) else {
            throw refusal("\(expectedLength) bytes cannot hold \(frames) frames of \(plaintext) plaintext bytes (\(smallest)...\(largest))")
        }
        id = found
        if store.contains(found), case let .file(fd, temporary) = sink {
            // Stored meanwhile (a retry racing the first write): keep checking, stop writing.
            close(fd)
            unlink(temporary)
            store.releaseReservation(expectedLength)
            sink = .discard
        }
    }

    /// Makes the block durable and visible. Throws (and removes the partial
    /// file) if fewer bytes than announced arrived.
    @discardableResult
    public func commit() throws(BlockStoreError) -> (id: BlockID, outcome: BlockStore.PutOutcome) {
        guard receivedBytes == expectedLength, let id else {
            let reason = "stream ended after \(receivedBytes) of \(expectedLength) bytes"
            abort()
            throw refusal(reason)
        }
        switch sink {
        case .finished:
            throw refusal("commit after the write was finished")
        case .discard:
            sink = .finished
            store.markWritten(id)
            return (id, .alreadyPresent)
        case let .file(fd, temporary):
            sink = .finished
            defer { store.releaseReservation(expectedLength) }
            do throws(BlockStoreError) {
                try POSIXFile.fsync(fd, path: temporary)
            } catch {
                close(fd)
                unlink(temporary)
                throw error
            }
            close(fd)
            return (id, try store.install(temporary: temporary, id: id, size: expectedLength))
        }
    }

    /// Drops the write: the temporary file goes, the reservation is released. Idempotent.
    public func abort() {
        if case let .file(fd, temporary) = sink {
            close(fd)
            unlink(temporary)
            store.releaseReservation(expectedLength)
        }
        sink = .finished
    }

    private func refusal(_ reason: String) -> BlockStoreError {
        .refusedWrite(store: store.root, reason: reason)
    }
}
