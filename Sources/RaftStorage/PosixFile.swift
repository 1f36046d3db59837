import Consensus
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX calls the storage needs, each turning errno into a typed error.
enum PosixFile {
    static func readAll(_ path: String) throws(Raft.StorageError) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .io(operation: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "read", path: path, errno: errno)
            }
            if n == 0 { return out }
            out.append(contentsOf: buffer[0..<n])
        }
    }

    static func openForAppend(_ path: String) throws(Raft.StorageError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT, 0o600)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: Int, path: String) throws(Raft.StorageError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + written, bytes.count - written, off_t(offset + written)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "write", path: path, errno: errno)
            }
            written += n
        }
    }

    static func sync(_ fd: Int32, path: String) throws(Raft.StorageError) {
        guard fsync(fd) == 0 else { throw .io(operation: "fsync", path: path, errno: errno) }
    }

    static func truncate(_ fd: Int32, to length: Int, path: String) throws(Raft.StorageError) {
        guard ftruncate(fd, off_t(length)) == 0 else { throw .io(operation: "ftruncate", path: path, errno: errno) }
    }

    /// Replaces `path` with `bytes` so that a crash leaves either the old or the
    /// new file: write a temporary, fsync it, rename it over, fsync the directory.
    static func replaceAtomically(_ path: String, with bytes: [UInt8], directory: String) throws(Raft.StorageError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw .io(operation: "open", path: temporary, errno: errno) }
        do {
            try writeAll(fd, bytes, at: 0, path: temporary)
            try sync(fd, path: temporary)
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw .io(operation: "rename", path: path, errno: errno) }
        try syncDirectory(directory)
    }

    static func syncDirectory(_ directory: String) throws(Raft.StorageError) {
        let fd = open(directory, O_RDONLY)
        guard fd >= 0 else { throw .io(operation: "open", path: directory, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(operation: "fsync", path: directory, errno: errno) }
    }

    /// Creates `path` (mode 0700) if it is missing, then fsyncs its parent so
    /// the new folder survives a crash along with what is written into it.
    static func makeDirectory(_ path: String) throws(Raft.StorageError) {
        if mkdir(path, 0o700) == 0 {
            let parent = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
            try syncDirectory(parent.isEmpty ? "/" : parent)
        } else if errno != EEXIST {
            throw .io(operation: "mkdir", path: path, errno: errno)
        }
    }
}
