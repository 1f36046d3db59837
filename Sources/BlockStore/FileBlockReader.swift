#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Cuts a local file into blocks, one block in memory at a time.
public final class FileBlockReader {
    public let path: String
    public let blockSizeBytes: Int
    public let fileSizeBytes: Int64
    private let fd: Int32

    public init(path: String, blockSizeBytes: Int) throws(BlockStoreError) {
        self.path = path
        self.blockSizeBytes = blockSizeBytes
        fd = try POSIXFile.open(path, flags: O_RDONLY)
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw .from(errno: code, path: path, operation: "stat")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw .invalidStore(path: path, reason: "not a regular file")
        }
        fileSizeBytes = Int64(info.st_size)
        // Sequential reads: let the kernel read ahead aggressively.
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
    }

    deinit { close(fd) }

    /// Reads the next block into `buffer` (grown to the block size once, then
    /// reused) and returns its length: 0 at end of file. Only the last block is short.
    public func next(into buffer: inout [UInt8]) throws(BlockStoreError) -> Int {
        // A small file never needs a whole block's buffer.
        let wanted = Int(min(Int64(blockSizeBytes), max(fileSizeBytes, 1)))
        if buffer.count < wanted { buffer = [UInt8](repeating: 0, count: wanted) }
        return try buffer.withUnsafeMutableBytes { raw in
            Result { () throws(BlockStoreError) in
                try POSIXFile.readFully(fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<wanted]), path: path)
            }
        }.get()
    }

    /// The next block, or nil at end of file. Only the last block is short.
    public func next() throws(BlockStoreError) -> [UInt8]? {
        var buffer: [UInt8] = []
        let length = try next(into: &buffer)
        guard length > 0 else { return nil }
        buffer.removeLast(buffer.count - length)
        return buffer
    }
}

/// Writes a file under a temporary name and renames it into place on `commit`,
/// so a failed or interrupted restore never leaves a half file under the real name.
public final class AtomicFileWriter {
    public let path: String
    private let temporaryPath: String
    private var fd: Int32

    public init(path: String) throws(BlockStoreError) {
        self.path = path
        temporaryPath = path + ".yonke-partial"
        fd = try POSIXFile.open(temporaryPath, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temporaryPath)
        }
    }

    public func write(_ bytes: [UInt8]) throws(BlockStoreError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(BlockStoreError) in try write(raw) } }.get()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(BlockStoreError) {
        try POSIXFile.writeAll(fd, bytes, path: temporaryPath)
    }

    public func commit() throws(BlockStoreError) {
        try POSIXFile.fsync(fd, path: temporaryPath)
        close(fd)
        fd = -1
        guard rename(temporaryPath, path) == 0 else {
            let code = errno
            unlink(temporaryPath)
            throw .from(errno: code, path: path, operation: "rename")
        }
    }
}
