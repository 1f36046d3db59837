#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The few syscalls durable storage needs, each turning errno into a `BlockStoreError`.
enum POSIXFile {
    static func open(_ path: String, flags: Int32, mode: mode_t = 0o600) throws(BlockStoreError) -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .from(errno: errno, path: path, operation: "open") }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(BlockStoreError) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw .from(errno: errno, path: path, operation: "write")
            }
            offset += written
        }
    }

    /// Reads until `buffer` is full or end of file; returns the byte count read.
    static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws(BlockStoreError) -> Int {
        var offset = 0
        while offset < buffer.count {
            let count = Glibc.read(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw .from(errno: errno, path: path, operation: "read")
            }
            if count == 0 { break }
            offset += count
        }
        return offset
    }

    static func readWholeFile(_ path: String) throws(BlockStoreError) -> [UInt8] {
        try readWholeFileWithIdentity(path).bytes
    }

    /// The bytes and which file they came from (see `FileIdentity`).
    static func readWholeFileWithIdentity(_ path: String) throws(BlockStoreError) -> (bytes: [UInt8], identity: FileIdentity) {
        let fd = try open(path, flags: O_RDONLY)
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .from(errno: errno, path: path, operation: "stat") }
        let size = Int(info.st_size)
        var failure: BlockStoreError?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            do throws(BlockStoreError) {
                initialized = try readFully(fd, into: UnsafeMutableRawBufferPointer(buffer), path: path)
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return (bytes, FileIdentity(info))
    }

    static func fsync(_ fd: Int32, path: String) throws(BlockStoreError) {
        guard Glibc.fsync(fd) == 0 else { throw .from(errno: errno, path: path, operation: "fsync") }
    }

    /// Makes a rename or unlink inside `directory` durable.
    static func fsyncDirectory(_ directory: String) throws(BlockStoreError) {
        let fd = try open(directory, flags: O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fsync(fd, path: directory)
    }

    static func makeDirectory(_ path: String) throws(BlockStoreError) {
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            throw .from(errno: errno, path: path, operation: "mkdir")
        }
    }

    /// Creates `path` (mode 0700) if it is missing, and then fsyncs its parent:
    /// until the parent's entry is on disk, a crash can lose the new folder and
    /// every file already renamed into it.
    static func makeDirectoryDurably(_ path: String) throws(BlockStoreError) {
        if mkdir(path, 0o700) == 0 {
            let parent = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
            try fsyncDirectory(parent.isEmpty ? "/" : parent)
        } else if errno != EEXIST {
            throw .from(errno: errno, path: path, operation: "mkdir")
        }
    }

    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : nil
    }

    static func listDirectory(_ path: String) throws(BlockStoreError) -> [String] {
        guard let dir = opendir(path) else { throw .from(errno: errno, path: path, operation: "opendir") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
