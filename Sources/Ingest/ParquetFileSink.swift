#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import IngestPlan
import Parquet

/// A Parquet file being written on local disk before its blocks go to the cluster.
struct ParquetFileSink: ParquetSink {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw IngestError.source("cannot create scratch file \(path): errno \(errno)") }
        self.path = path
        self.fd = fd
    }

    mutating func write(_ bytes: [UInt8]) throws {
        var done = 0
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            while done < raw.count {
                let n = Glibc.write(fd, base + done, raw.count - done)
                guard n > 0 else { throw IngestError.source("cannot write scratch file \(path): errno \(errno)") }
                done += n
            }
        }
    }

    func close() { _ = Glibc.close(fd) }

    static func remove(_ path: String) { _ = unlink(path) }
}
