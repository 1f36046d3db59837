#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import BlockCodec
import YonkeCore

extension BlockStore {
    /// Opens a stored block for reading in pieces (to stream it to a client
    /// without holding it whole). The header is checked against the id first;
    /// the frames are the reader's to verify (it holds the keyring).
    public func openRead(_ id: BlockID) throws(BlockStoreError) -> BlockReadStream {
        guard contains(id) else { throw .notFound(store: root, block: id) }
        let file = path(of: id)
        let fd = try POSIXFile.open(file, flags: O_RDONLY)
        let stream = BlockReadStream(fd: fd, path: file, length: POSIXFile.fileSize(file) ?? 0)
        var header = [UInt8](repeating: 0, count: BlockFormat.headerByteCount)
        let count = try header.withUnsafeMutableBytes { raw in
            Result { () throws(BlockStoreError) in try POSIXFile.readFully(fd, into: raw, path: file) }
        }.get()
        do throws(BlockCodecError) {
            let found = try BlockCodec.blockID(ofEncoded: Array(header[0..<count]))
            guard found == id else { throw .unexpectedBlock(expected: id, found: found) }
        } catch {
            throw .corrupt(store: root, block: id, reason: error)
        }
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw .from(errno: errno, path: file, operation: "seek") }
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        return stream
    }
}

/// A stored block read front to back in pieces; closes its file when dropped.
public final class BlockReadStream {
    public let path: String
    /// The file's size when opened.
    public let length: Int64
    private let fd: Int32

    init(fd: Int32, path: String, length: Int64) {
        self.fd = fd
        self.path = path
        self.length = length
    }

    deinit { close(fd) }

    /// The next at most `maxBytes` bytes; empty at end of file.
    public func next(maxBytes: Int) throws(BlockStoreError) -> [UInt8] {
        var failure: BlockStoreError?
        let bytes = [UInt8](unsafeUninitializedCapacity: maxBytes) { buffer, initialized in
            do throws(BlockStoreError) {
                initialized = try POSIXFile.readFully(fd, into: UnsafeMutableRawBufferPointer(buffer), path: path)
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return bytes
    }
}
