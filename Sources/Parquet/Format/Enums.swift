/// Parquet's physical types (`parquet.thrift`, enum Type).
public enum PhysicalType: Int32, Sendable, Hashable, CaseIterable {
    case boolean = 0
    case int32 = 1
    case int64 = 2
    case int96 = 3
    case float = 4
    case double = 5
    case byteArray = 6
    case fixedLenByteArray = 7
}

/// Page and level encodings (`parquet.thrift`, enum Encoding).
public enum Encoding: Int32, Sendable, Hashable, CaseIterable {
    case plain = 0
    case plainDictionary = 2
    case rle = 3
    case bitPacked = 4
    case deltaBinaryPacked = 5
    case deltaLengthByteArray = 6
    case deltaByteArray = 7
    case rleDictionary = 8
    case byteStreamSplit = 9

    static func named(_ raw: Int32) -> String {
        Encoding(rawValue: raw).map { "\($0)" } ?? "code \(raw)"
    }
}

/// Column chunk compression (`parquet.thrift`, enum CompressionCodec). The
/// writer only ever writes `.uncompressed` and `.lz4Raw`; `.lz4` is the
/// deprecated Hadoop-framed codec that readers disagree on.
public enum CompressionCodec: Int32, Sendable, Hashable, CaseIterable {
    case uncompressed = 0
    case snappy = 1
    case gzip = 2
    case lzo = 3
    case brotli = 4
    case lz4 = 5
    case zstd = 6
    case lz4Raw = 7

    var parquetName: String {
        switch self {
        case .uncompressed: "UNCOMPRESSED"
        case .snappy: "SNAPPY"
        case .gzip: "GZIP"
        case .lzo: "LZO"
        case .brotli: "BROTLI"
        case .lz4: "LZ4 (Hadoop-framed, deprecated)"
        case .zstd: "ZSTD"
        case .lz4Raw: "LZ4_RAW"
        }
    }
}

/// `parquet.thrift`, enum PageType.
enum PageType: Int32, Sendable {
    case dataPage = 0
    case indexPage = 1
    case dictionaryPage = 2
    case dataPageV2 = 3
}

/// `parquet.thrift`, enum FieldRepetitionType.
public enum Repetition: Int32, Sendable, Hashable {
    case required = 0
    case optional = 1
    case repeated = 2
}

/// The deprecated `ConvertedType` annotations: still written next to the
/// logical type, as the spec asks, for readers that predate logical types.
enum ConvertedType: Int32, Sendable {
    case utf8 = 0
    case map = 1
    case mapKeyValue = 2
    case list = 3
    case enumeration = 4
    case decimal = 5
    case date = 6
    case timeMillis = 7
    case timeMicros = 8
    case timestampMillis = 9
    case timestampMicros = 10
    case uint8 = 11, uint16 = 12, uint32 = 13, uint64 = 14
    case int8 = 15, int16 = 16, int32 = 17, int64 = 18
    case json = 19
    case bson = 20
    case interval = 21
}
