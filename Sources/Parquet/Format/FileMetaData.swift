/// `parquet.thrift`, struct FileMetaData: the footer.
struct FileMetaData: Sendable, Hashable {
    var version: Int32
    var schema: [SchemaElement]
    var numRows: Int64
    var rowGroups: [RowGroup]
    var keyValueMetadata: [(String, String?)] = []
    var createdBy: String?
    /// One TYPE_ORDER per leaf column, so readers trust min_value/max_value.
    var columnOrderCount: Int = 0

    static func == (a: FileMetaData, b: FileMetaData) -> Bool {
        a.version == b.version && a.schema == b.schema && a.numRows == b.numRows && a.rowGroups == b.rowGroups
            && a.createdBy == b.createdBy && a.columnOrderCount == b.columnOrderCount
            && a.keyValueMetadata.map(\.0) == b.keyValueMetadata.map(\.0)
            && a.keyValueMetadata.map(\.1) == b.keyValueMetadata.map(\.1)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(version); hasher.combine(schema); hasher.combine(numRows); hasher.combine(rowGroups)
    }
}

private struct KeyValue: ThriftEncodable {
    let key: String
    let value: String?
    func encode(to writer: inout CompactWriter) {
        writer.field(1, string: key)
        if let value { writer.field(2, string: value) }
    }
}

private struct TypeDefinedOrder: ThriftEncodable {
    func encode(to writer: inout CompactWriter) { writer.field(1) { _ in } }
}

extension FileMetaData: ThriftEncodable {
    func encode(to writer: inout CompactWriter) {
        writer.field(1, i32: version)
        writer.field(2, structList: schema)
        writer.field(3, i64: numRows)
        writer.field(4, structList: rowGroups)
        if !keyValueMetadata.isEmpty {
            writer.field(5, structList: keyValueMetadata.map { KeyValue(key: $0.0, value: $0.1) })
        }
        if let createdBy { writer.field(6, string: createdBy) }
        if columnOrderCount > 0 {
            writer.field(7, structList: [TypeDefinedOrder](repeating: TypeDefinedOrder(), count: columnOrderCount))
        }
    }

    static func decode(from reader: inout CompactReader) throws -> FileMetaData {
        var version: Int32?, schema: [SchemaElement]?, rows: Int64?, groups: [RowGroup]?
        var keyValues: [(String, String?)] = []
        var createdBy: String?
        var orders = 0
        try reader.readStruct { r, id, wire in
            switch id {
            case 1: version = try r.i32(wire, "FileMetaData.version")
            case 2: schema = try r.structList(wire, "FileMetaData.schema") { try SchemaElement.decode(from: &$0) }
            case 3: rows = try r.i64(wire, "FileMetaData.num_rows")
            case 4: groups = try r.structList(wire, "FileMetaData.row_groups") { try RowGroup.decode(from: &$0) }
            case 5:
                keyValues = try r.structList(wire, "FileMetaData.key_value_metadata") { r in
                    var key: String?, value: String?
                    try r.readStruct { r, id, wire in
                        switch id {
                        case 1: key = try r.string(wire, "KeyValue.key")
                        case 2: value = try r.string(wire, "KeyValue.value")
                        default: try r.skip(wire)
                        }
                    }
                    guard let key else { throw ParquetError.malformedThrift("KeyValue lacks a key") }
                    return (key, value)
                }
            case 6: createdBy = try r.string(wire, "FileMetaData.created_by")
            case 7:
                orders = try r.structList(wire, "FileMetaData.column_orders") { try $0.skip(.struct) }.count
            default: try r.skip(wire)
            }
        }
        guard let version, let schema, let rows, let groups else {
            throw ParquetError.malformedThrift("FileMetaData lacks a required field")
        }
        return FileMetaData(version: version, schema: schema, numRows: rows, rowGroups: groups,
                            keyValueMetadata: keyValues, createdBy: createdBy, columnOrderCount: orders)
    }
}
