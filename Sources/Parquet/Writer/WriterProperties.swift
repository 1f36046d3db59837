/// Every writer knob, with its default and why (arrow-rs `WriterProperties` style).
public struct ParquetWriterProperties: Sendable, Hashable {
    /// A row group is closed once its buffered values reach this many PLAIN
    /// bytes. Encoding and compression only shrink them (LZ4 expands
    /// incompressible input by at most 0.4 %), so 60 MiB plus page headers
    /// keeps a row group inside one 64 MiB lake block.
    public var rowGroupTargetBytes = 60 << 20
    /// A row group also closes after this many rows (default: no row limit, the byte target decides).
    public var rowGroupMaxRows = Int.max
    /// A data page is closed once its encoded values reach this size (1 MiB, the
    /// common default: big enough to compress well, small enough to skip).
    public var pageSizeBytes = 1 << 20
    /// Dictionary-encode every non-boolean column chunk whose dictionary stays small.
    public var dictionaryEnabled = true
    /// Past this PLAIN size of its dictionary (1 MiB, pyarrow's default) a
    /// column chunk falls back to PLAIN.
    public var dictionaryPageSizeLimitBytes = 1 << 20
    /// Write min_value / max_value / null_count for each column chunk.
    public var statisticsEnabled = true
    /// A min or max longer than this (4 KiB, Arrow's default) is left out
    /// rather than bloat the footer.
    public var statisticsMaxValueBytes = 4096
    /// `.lz4Raw` (the default) or `.uncompressed`; nothing else is written.
    public var compression: CompressionCodec = .lz4Raw
    /// The footer's created_by.
    public var createdBy = "yonke-parquet version 1.0.0 (build 1)"

    public init() {}

    public static let `default` = ParquetWriterProperties()

    func validate() throws {
        guard compression == .lz4Raw || compression == .uncompressed else {
            throw ParquetError.unsupportedCodec("\(compression.parquetName) (the writer writes LZ4_RAW or UNCOMPRESSED)")
        }
        guard rowGroupTargetBytes > 0, rowGroupMaxRows > 0, pageSizeBytes > 0, dictionaryPageSizeLimitBytes >= 0,
              statisticsMaxValueBytes >= 0 else {
            throw ParquetError.invalidSchema("writer sizes must be positive")
        }
    }
}
