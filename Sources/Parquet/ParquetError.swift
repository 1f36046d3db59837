/// Everything that can go wrong reading or writing Parquet. Outside input (a
/// file's bytes, a caller's batch) never traps: it gets one of these, naming
/// what is wrong.
public enum ParquetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before `what` was complete.
    case truncated(String)
    /// The file does not start and end with `PAR1`.
    case badMagic
    /// The Thrift footer or a page header is malformed.
    case malformedThrift(String)
    /// Thrift structs nest deeper than the reader allows.
    case nestingTooDeep(limit: Int)
    /// The file uses a compression codec this module does not decode.
    case unsupportedCodec(String)
    /// The file uses an encoding this module does not decode.
    case unsupportedEncoding(String)
    /// The schema uses something this module does not handle (nested groups, repetition).
    case unsupportedSchema(String)
    /// A value is inconsistent with the rest of the file (a count, an offset, an index).
    case corrupt(String)
    /// A count or size is beyond the reader's limits (see `ParquetReader.Limits`).
    case limitExceeded(String)
    /// A caller handed the writer something that does not fit its schema.
    case invalidBatch(String)
    /// A schema the writer cannot write (bad name, bad decimal precision).
    case invalidSchema(String)
    /// The writer was used after `close()`.
    case writerClosed

    public var description: String {
        switch self {
        case .truncated(let what): "parquet: truncated input (\(what))"
        case .badMagic: "parquet: not a Parquet file (no PAR1 magic at both ends)"
        case .malformedThrift(let what): "parquet: malformed thrift (\(what))"
        case .nestingTooDeep(let limit): "parquet: thrift nesting deeper than \(limit)"
        case .unsupportedCodec(let codec): "parquet: unsupported codec \(codec) (only UNCOMPRESSED and LZ4_RAW are decoded)"
        case .unsupportedEncoding(let encoding): "parquet: unsupported encoding \(encoding)"
        case .unsupportedSchema(let what): "parquet: unsupported schema (\(what))"
        case .corrupt(let what): "parquet: corrupt file (\(what))"
        case .limitExceeded(let what): "parquet: limit exceeded (\(what))"
        case .invalidBatch(let what): "parquet: invalid batch (\(what))"
        case .invalidSchema(let what): "parquet: invalid schema (\(what))"
        case .writerClosed: "parquet: writer already closed"
        }
    }
}
