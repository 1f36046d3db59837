/// Time units of TIME and TIMESTAMP (`parquet.thrift`, union TimeUnit).
public enum TimeUnit: Int16, Sendable, Hashable {
    case millis = 1
    case micros = 2
    case nanos = 3
}

/// The logical type annotation of a column (`parquet.thrift`, union LogicalType);
/// only the members this module writes or interprets are named, the rest are
/// kept as `.other(fieldID)` so a reader can still report them.
public enum LogicalType: Sendable, Hashable {
    case string
    case map
    case list
    case enumeration
    case decimal(precision: Int32, scale: Int32)
    case date
    case time(isAdjustedToUTC: Bool, unit: TimeUnit)
    case timestamp(isAdjustedToUTC: Bool, unit: TimeUnit)
    case integer(bitWidth: Int8, isSigned: Bool)
    case unknown
    case json
    case bson
    case uuid
    case float16
    case other(fieldID: Int16)
}

extension LogicalType: ThriftEncodable {
    func encode(to writer: inout CompactWriter) {
        let empty: (inout CompactWriter) -> Void = { _ in }
        switch self {
        case .string: writer.field(1, struct: empty)
        case .map: writer.field(2, struct: empty)
        case .list: writer.field(3, struct: empty)
        case .enumeration: writer.field(4, struct: empty)
        case .decimal(let precision, let scale):
            writer.field(5) { $0.field(1, i32: scale); $0.field(2, i32: precision) }
        case .date: writer.field(6, struct: empty)
        case .time(let utc, let unit):
            writer.field(7) { $0.field(1, bool: utc); $0.field(2) { $0.field(unit.rawValue, struct: empty) } }
        case .timestamp(let utc, let unit):
            writer.field(8) { $0.field(1, bool: utc); $0.field(2) { $0.field(unit.rawValue, struct: empty) } }
        case .integer(let width, let signed):
            writer.field(10) { $0.field(1, i8: width); $0.field(2, bool: signed) }
        case .unknown: writer.field(11, struct: empty)
        case .json: writer.field(12, struct: empty)
        case .bson: writer.field(13, struct: empty)
        case .uuid: writer.field(14, struct: empty)
        case .float16: writer.field(15, struct: empty)
        case .other(let id): writer.field(id, struct: empty)
        }
    }

    static func decode(from reader: inout CompactReader) throws -> LogicalType? {
        var result: LogicalType?
        try reader.readStruct { r, id, type in
            guard type == .struct else { try r.skip(type); return }
            switch id {
            case 1: try r.skip(type); result = .string
            case 2: try r.skip(type); result = .map
            case 3: try r.skip(type); result = .list
            case 4: try r.skip(type); result = .enumeration
            case 5:
                var scale: Int32?, precision: Int32?
                try r.readStruct { r, id, type in
                    switch id {
                    case 1: scale = try r.i32(type, "DecimalType.scale")
                    case 2: precision = try r.i32(type, "DecimalType.precision")
                    default: try r.skip(type)
                    }
                }
                guard let scale, let precision else { throw ParquetError.malformedThrift("DecimalType lacks scale or precision") }
                result = .decimal(precision: precision, scale: scale)
            case 6: try r.skip(type); result = .date
            case 7, 8:
                var utc: Bool?, unit: TimeUnit?
                try r.readStruct { r, field, type in
                    switch field {
                    case 1: utc = try r.bool(type, "isAdjustedToUTC")
                    case 2: unit = try decodeUnit(&r, type)
                    default: try r.skip(type)
                    }
                }
                guard let utc, let unit else { throw ParquetError.malformedThrift("time type lacks isAdjustedToUTC or unit") }
                result = id == 7 ? .time(isAdjustedToUTC: utc, unit: unit) : .timestamp(isAdjustedToUTC: utc, unit: unit)
            case 10:
                var width: Int8?, signed: Bool?
                try r.readStruct { r, field, type in
                    switch field {
                    case 1: width = try r.i8(type, "IntType.bitWidth")
                    case 2: signed = try r.bool(type, "IntType.isSigned")
                    default: try r.skip(type)
                    }
                }
                guard let width, let signed else { throw ParquetError.malformedThrift("IntType lacks bitWidth or isSigned") }
                result = .integer(bitWidth: width, isSigned: signed)
            case 11: try r.skip(type); result = .unknown
            case 12: try r.skip(type); result = .json
            case 13: try r.skip(type); result = .bson
            case 14: try r.skip(type); result = .uuid
            case 15: try r.skip(type); result = .float16
            default: try r.skip(type); result = .other(fieldID: id)
            }
        }
        return result
    }

    private static func decodeUnit(_ r: inout CompactReader, _ type: CompactType) throws -> TimeUnit {
        guard type == .struct else { throw ParquetError.malformedThrift("TimeUnit is not a struct") }
        var unit: TimeUnit?
        try r.readStruct { r, id, type in
            if let known = TimeUnit(rawValue: id) { unit = known }
            try r.skip(type)
        }
        guard let unit else { throw ParquetError.malformedThrift("unknown TimeUnit") }
        return unit
    }
}
