/// `parquet.thrift`, struct ColumnMetaData: where a column chunk's pages are
/// and what they hold.
public struct ColumnMetaData: Sendable, Hashable {
    public var type: PhysicalType
    /// Raw codes: a file may list encodings newer than this module knows.
    public var encodings: [Int32]
    public var pathInSchema: [String]
    /// Raw code; see `codec`.
    public var codecCode: Int32
    public var numValues: Int64
    public var totalUncompressedSize: Int64
    public var totalCompressedSize: Int64
    public var dataPageOffset: Int64
    public var dictionaryPageOffset: Int64?
    public var statistics: Statistics?

    public var codec: CompressionCodec? { CompressionCodec(rawValue: codecCode) }
}

/// `parquet.thrift`, struct ColumnChunk.
public struct ColumnChunk: Sendable, Hashable {
    public var filePath: String?
    public var fileOffset: Int64
    public var metaData: ColumnMetaData?
}

/// `parquet.thrift`, struct RowGroup.
public struct RowGroup: Sendable, Hashable {
    public var columns: [ColumnChunk]
    public var totalByteSize: Int64
    public var numRows: Int64
    public var fileOffset: Int64?
    public var totalCompressedSize: Int64?
    public var ordinal: Int16?
}

extension ColumnMetaData: ThriftEncodable {
    func encode(to writer: inout CompactWriter) {
        writer.field(1, i32: type.rawValue)
        writer.field(2, i32List: encodings)
        writer.field(3, stringList: pathInSchema)
        writer.field(4, i32: codecCode)
        writer.field(5, i64: numValues)
        writer.field(6, i64: totalUncompressedSize)
        writer.field(7, i64: totalCompressedSize)
        writer.field(9, i64: dataPageOffset)
        if let dictionaryPageOffset { writer.field(11, i64: dictionaryPageOffset) }
        if let statistics { writer.field(12, struct: statistics) }
    }

    static func decode(from reader: inout CompactReader) throws -> ColumnMetaData {
        var type: PhysicalType?, encodings: [Int32]?, path: [String]?, codec: Int32?
        var numValues: Int64?, uncompressed: Int64?, compressed: Int64?, dataOffset: Int64?
        var dictionaryOffset: Int64?, statistics: Statistics?
        try reader.readStruct { r, id, wire in
            switch id {
            case 1:
                let raw = try r.i32(wire, "ColumnMetaData.type")
                guard let physical = PhysicalType(rawValue: raw) else { throw ParquetError.malformedThrift("physical type \(raw)") }
                type = physical
            case 2: encodings = try r.i32List(wire, "ColumnMetaData.encodings")
            case 3: path = try r.stringList(wire, "ColumnMetaData.path_in_schema")
            case 4: codec = try r.i32(wire, "ColumnMetaData.codec")
            case 5: numValues = try r.i64(wire, "ColumnMetaData.num_values")
            case 6: uncompressed = try r.i64(wire, "ColumnMetaData.total_uncompressed_size")
            case 7: compressed = try r.i64(wire, "ColumnMetaData.total_compressed_size")
            case 9: dataOffset = try r.i64(wire, "ColumnMetaData.data_page_offset")
            case 11: dictionaryOffset = try r.i64(wire, "ColumnMetaData.dictionary_page_offset")
            case 12:
                guard wire == .struct else { throw ParquetError.malformedThrift("ColumnMetaData.statistics is not a struct") }
                statistics = try Statistics.decode(from: &r)
            default: try r.skip(wire)
            }
        }
        guard let type, let encodings, let path, let codec, let numValues, let uncompressed, let compressed, let dataOffset else {
            throw ParquetError.malformedThrift("ColumnMetaData lacks a required field")
        }
        return ColumnMetaData(type: type, encodings: encodings, pathInSchema: path, codecCode: codec,
                              numValues: numValues, totalUncompressedSize: uncompressed,
                              totalCompressedSize: compressed, dataPageOffset: dataOffset,
                              dictionaryPageOffset: dictionaryOffset, statistics: statistics)
    }
}

extension ColumnChunk: ThriftEncodable {
    func encode(to writer: inout CompactWriter) {
        if let filePath { writer.field(1, string: filePath) }
        writer.field(2, i64: fileOffset)
        if let metaData { writer.field(3, struct: metaData) }
    }

    static func decode(from reader: inout CompactReader) throws -> ColumnChunk {
        var path: String?, offset: Int64?, meta: ColumnMetaData?
        try reader.readStruct { r, id, wire in
            switch id {
            case 1: path = try r.string(wire, "ColumnChunk.file_path")
            case 2: offset = try r.i64(wire, "ColumnChunk.file_offset")
            case 3:
                guard wire == .struct else { throw ParquetError.malformedThrift("ColumnChunk.meta_data is not a struct") }
                meta = try ColumnMetaData.decode(from: &r)
            default: try r.skip(wire)
            }
        }
        // file_offset is required by the IDL but deprecated; some writers leave it out.
        return ColumnChunk(filePath: path, fileOffset: offset ?? 0, metaData: meta)
    }
}

extension RowGroup: ThriftEncodable {
    func encode(to writer: inout CompactWriter) {
        writer.field(1, structList: columns)
        writer.field(2, i64: totalByteSize)
        writer.field(3, i64: numRows)
        if let fileOffset { writer.field(5, i64: fileOffset) }
        if let totalCompressedSize { writer.field(6, i64: totalCompressedSize) }
        if let ordinal { writer.field(7, i16: ordinal) }
    }

    static func decode(from reader: inout CompactReader) throws -> RowGroup {
        var columns: [ColumnChunk]?, total: Int64?, rows: Int64?
        var fileOffset: Int64?, compressed: Int64?
        try reader.readStruct { r, id, wire in
            switch id {
            case 1: columns = try r.structList(wire, "RowGroup.columns") { try ColumnChunk.decode(from: &$0) }
            case 2: total = try r.i64(wire, "RowGroup.total_byte_size")
            case 3: rows = try r.i64(wire, "RowGroup.num_rows")
            case 5: fileOffset = try r.i64(wire, "RowGroup.file_offset")
            case 6: compressed = try r.i64(wire, "RowGroup.total_compressed_size")
            default: try r.skip(wire)
            }
        }
        guard let columns, let total, let rows else { throw ParquetError.malformedThrift("RowGroup lacks a required field") }
        return RowGroup(columns: columns, totalByteSize: total, numRows: rows, fileOffset: fileOffset,
                        totalCompressedSize: compressed, ordinal: nil)
    }
}
