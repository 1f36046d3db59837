/// Where the writer's bytes go, in order, in chunks of about one column chunk
/// (the footer last). The caller implements it: a lake put stream, a file.
public protocol ParquetSink {
    mutating func write(_ bytes: [UInt8]) throws
}

/// A sink that keeps everything in memory (tests, small files).
public struct InMemorySink: ParquetSink, Sendable {
    public private(set) var bytes: [UInt8] = []
    /// How many write calls it took.
    public private(set) var writes = 0

    public init() {}

    public mutating func write(_ bytes: [UInt8]) throws {
        self.bytes.append(contentsOf: bytes)
        writes += 1
    }
}
