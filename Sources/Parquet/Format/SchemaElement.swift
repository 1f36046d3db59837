/// One node of the flattened schema tree (`parquet.thrift`, struct SchemaElement).
struct SchemaElement: Sendable, Hashable {
    var type: PhysicalType?
    var typeLength: Int32?
    var repetition: Repetition?
    var name: String
    var numChildren: Int32?
    var convertedType: Int32?
    var scale: Int32?
    var precision: Int32?
    var fieldID: Int32?
    var logicalType: LogicalType?
}

extension SchemaElement: ThriftEncodable {
    func encode(to writer: inout CompactWriter) {
        if let type { writer.field(1, i32: type.rawValue) }
        if let typeLength { writer.field(2, i32: typeLength) }
        if let repetition { writer.field(3, i32: repetition.rawValue) }
        writer.field(4, string: name)
        if let numChildren { writer.field(5, i32: numChildren) }
        if let convertedType { writer.field(6, i32: convertedType) }
        if let scale { writer.field(7, i32: scale) }
        if let precision { writer.field(8, i32: precision) }
        if let fieldID { writer.field(9, i32: fieldID) }
        if let logicalType { writer.field(10, struct: logicalType) }
    }

    static func decode(from reader: inout CompactReader) throws -> SchemaElement {
        var e = SchemaElement(name: "")
        var hasName = false
        try reader.readStruct { r, id, type in
            switch id {
            case 1:
                let raw = try r.i32(type, "SchemaElement.type")
                guard let physical = PhysicalType(rawValue: raw) else { throw ParquetError.malformedThrift("physical type \(raw)") }
                e.type = physical
            case 2: e.typeLength = try r.i32(type, "SchemaElement.type_length")
            case 3:
                let raw = try r.i32(type, "SchemaElement.repetition_type")
                guard let repetition = Repetition(rawValue: raw) else {
                    throw ParquetError.unsupportedSchema("repetition type \(raw)")
                }
                e.repetition = repetition
            case 4: e.name = try r.string(type, "SchemaElement.name"); hasName = true
            case 5: e.numChildren = try r.i32(type, "SchemaElement.num_children")
            case 6: e.convertedType = try r.i32(type, "SchemaElement.converted_type")
            case 7: e.scale = try r.i32(type, "SchemaElement.scale")
            case 8: e.precision = try r.i32(type, "SchemaElement.precision")
            case 9: e.fieldID = try r.i32(type, "SchemaElement.field_id")
            case 10:
                guard type == .struct else { throw ParquetError.malformedThrift("SchemaElement.logicalType is not a struct") }
                e.logicalType = try LogicalType.decode(from: &r)
            default: try r.skip(type)
            }
        }
        guard hasName else { throw ParquetError.malformedThrift("SchemaElement lacks a name") }
        return e
    }
}
